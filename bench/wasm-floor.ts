// How fast WebAssembly SIMD can run an SGD update on this machine at all: the plainest float32 loop, `θ = θ - ηg`
// (and with momentum `b = μb + g; θ = θ - ηb`), four lanes at a time, with no check of any kind. It is not lrlab's
// rule (lrlab rounds θ - ηg once from double, as its cpu reference does, checks the gradients before any parameter
// changes and bounds the update so that it can be undone), so its bits are not lrlab's: it is the bound a wasm
// kernel cannot pass, timed beside lrlab's step and PyTorch's in the optimizer suite (bench/speed.ts).
// Compiled at bench time from the source below with AssemblyScript (a devDependency), into its own memory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCE = `
export function sgd(θp: usize, gp: usize, n: i32, η: f32): void {
  const vη = f32x4.splat(η);
  for (let i: usize = 0, end = <usize>n * 4; i < end; i += 16) {
    v128.store(θp + i, f32x4.sub(v128.load(θp + i), f32x4.mul(vη, v128.load(gp + i))));
  }
}
export function sgdMomentum(θp: usize, gp: usize, bp: usize, n: i32, η: f32, μ: f32): void {
  const vη = f32x4.splat(η), vμ = f32x4.splat(μ);
  for (let i: usize = 0, end = <usize>n * 4; i < end; i += 16) {
    const b = f32x4.add(f32x4.mul(vμ, v128.load(bp + i)), v128.load(gp + i));
    v128.store(bp + i, b);
    v128.store(θp + i, f32x4.sub(v128.load(θp + i), f32x4.mul(vη, b)));
  }
}
`;

/** One update of the bound's loop over `size` parameters, and what it wrote (for the check before timing). */
export interface FloorStep {
  step: () => void;
  theta: Float32Array;
}

/**
 * The bound's SGD step (momentum μ, or none with 0) over copies of θ0 and grad0, or why it cannot run here. Its
 * first step is checked against the same float32 operations in JavaScript before it is returned.
 */
export function sgdFloor(θ0: Float32Array, grad0: Float32Array, η: number, μ: number): FloorStep | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-floor-'));
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
    writeFileSync(join(dir, 'floor.ts'), SOURCE);
    execFileSync(process.execPath, [asc, join(dir, 'floor.ts'), '--outFile', join(dir, 'floor.wasm'), '-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--exportMemory'], { stdio: 'pipe' });
    bytes = new Uint8Array(readFileSync(join(dir, 'floor.wasm')));
  } catch (e) {
    return { skip: `AssemblyScript could not compile the bound's loop (${(e as Error).message.split('\n')[0]})` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const n = θ0.length;
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const memory = exports.memory as WebAssembly.Memory;
  const need = 3 * n * 4 + 64;
  if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
  // θ, then the gradient, then the momentum buffer, each at a 16-byte boundary
  const at = [16, 16 + 4 * n, 16 + 8 * n];
  const view = (k: number) => new Float32Array(memory.buffer, at[k], n);
  view(0).set(θ0);
  view(1).set(grad0);
  view(2).fill(0);
  const f = Math.fround, e = exports as { sgd: (...a: number[]) => void; sgdMomentum: (...a: number[]) => void };
  const step = μ === 0 ? () => e.sgd(at[0], at[1], n, η) : () => e.sgdMomentum(at[0], at[1], at[2], n, η, μ);
  step();
  const θ = view(0);
  // the momentum buffer starts at 0, so on the first step b = μ·0 + g = g with momentum too
  for (let i = 0; i < Math.min(n, 4096); i++) {
    const want = f(θ0[i] - f(f(η) * grad0[i]));
    if (!Object.is(θ[i], want)) return { skip: `the bound's loop computed ${θ[i]} at index ${i}, expected ${want}` };
  }
  return { step, theta: θ };
}
