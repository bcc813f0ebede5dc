// The wasm backend's split policy: which calls it splits between the two threads, fed made-up times (no clock), and
// that a split changes no bits: products and convolutions split on every call, and under the measured choice
// through its first calls (which run both ways), equal one thread's bit for bit (the recurrent directions' split:
// test/nn/recurrent-kernels.test.ts; optimizer steps run on the calling thread).
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createWasmBackend, randn, Generator, conv2d, registerBackend, type WasmBackend } from '../../src/index.js';
import { SplitPolicy } from '../../src/tensor/backends/fast/split-policy.js';
import { withBackend } from '../helpers/backends.js';

const test = suite('wasm backend: split policy');

/** Runs `calls` calls of one shape through `policy`, each taking `msOf(split)`; returns the choices made. */
function drive(policy: SplitPolicy, calls: number, msOf: (split: boolean) => number, key = 'k'): boolean[] {
  const choices: boolean[] = [];
  for (let i = 0; i < calls; i++) {
    const split = policy.split(key);
    policy.note(key, split, msOf(split));
    choices.push(split);
  }
  return choices;
}

test("'always' splits every call it is asked about", () => {
  assert.equal(drive(new SplitPolicy(false), 20, (s) => (s ? 5 : 1)), Array(20).fill(true));
});

test('the first six calls of a shape alternate, split first; then the faster way is kept', () => {
  const twoFaster = drive(new SplitPolicy(true), 40, (s) => (s ? 1 : 2));
  assert.equal(twoFaster.slice(0, 6), [true, false, true, false, true, false]);
  const after = twoFaster.slice(6);
  assert.ok(after.filter((s) => s).length >= after.length - 2, `two threads kept: ${after.map(Number).join('')}`);
  const oneFaster = drive(new SplitPolicy(true), 40, (s) => (s ? 2 : 1)).slice(6);
  assert.ok(oneFaster.filter((s) => !s).length >= oneFaster.length - 2, `one thread kept: ${oneFaster.map(Number).join('')}`);
});

test('shapes are measured apart: one splits, the other does not', () => {
  const policy = new SplitPolicy(true);
  for (let i = 0; i < 30; i++) {
    for (const [key, splitMs] of [['small', 3], ['large', 0.5]] as const) {
      const split = policy.split(key);
      policy.note(key, split, split ? splitMs : 1);
    }
  }
  assert.is(policy.split('small'), false);
  assert.is(policy.split('large'), true);
});

test('the way not chosen is tried again less and less often: its cost stays under a sixty-fourth of the time', () => {
  // two threads 10x slower (a worker that has to wait for a busy core)
  const ms = (s: boolean) => (s ? 10 : 1);
  const choices = drive(new SplitPolicy(true), 40000, ms).slice(6);
  const probes = choices.filter((s) => s).length;
  assert.ok(probes >= 3, `the slower way was tried again (${probes} times)`);
  // first after 64 x 10 ms of one-thread calls, then 128 x, 256 x, ...: 640, 1280, 2560, ... calls apart
  assert.ok(probes <= 8, `not often: ${probes} tries in 40,000 calls`);
  const first = choices.indexOf(true), second = choices.indexOf(true, first + 1);
  assert.ok(first >= 600 && second - first >= 1200, `tries at calls ${first} and ${second}`);
  const spent = choices.reduce((t, s) => t + ms(s), 0);
  assert.ok((probes * 10) / spent < 1 / 64, `tries took ${((probes * 10) / spent).toFixed(4)} of the time`);
});

test('when the way not chosen becomes faster, the tries find it and the choice changes', () => {
  const policy = new SplitPolicy(true);
  drive(policy, 100, (s) => (s ? 10 : 1)); // two threads slow: one chosen
  assert.is(policy.split('k'), false);
  policy.note('k', false, 1);
  // the other work on the machine stops: two threads now take 0.5 ms
  const later = drive(policy, 2000, (s) => (s ? 0.5 : 1));
  // the next try within 64 x 10 ms of one-thread calls; tries that win follow at once, until the choice turns
  const from = later.indexOf(true);
  assert.ok(from >= 0 && from <= 700, `two threads tried again at call ${from}`);
  const after = later.slice(from + 10), oneThread = after.filter((s) => !s).length;
  // (one thread now the way not chosen, tried again now and then)
  assert.ok(after.slice(0, 100).every((s) => s) && oneThread <= 6, `and chosen from call ${from + 10} on (${oneThread} calls on one thread)`);
});

test('a time noted for a shape never asked about is ignored', () => {
  const policy = new SplitPolicy(true);
  policy.note('unknown', true, 0.001);
  assert.equal(drive(policy, 2, () => 1, 'unknown'), [true, false]);
});

test('createWasmBackend rejects a split, threads or parallelThreshold of the wrong kind, naming itself', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ split: 'sometimes' }, /createWasmBackend: expected split to be 'measured' or 'always', got/],
    [{ split: true }, /createWasmBackend: expected split to be 'measured' or 'always', got/],
    [{ threads: 0 }, /createWasmBackend: expected threads to be an integer in \[1, Infinity\], got 0/],
    [{ threads: 1.5 }, /createWasmBackend: expected threads to be an integer/],
    [{ threads: NaN }, /createWasmBackend: expected threads to be an integer .*got NaN/],
    [{ threads: Infinity }, /createWasmBackend: expected threads to be an integer .*got Infinity/],
    [{ threads: '2' }, /createWasmBackend: expected threads to be an integer, got/],
    [{ parallelThreshold: -1 }, /createWasmBackend: expected parallelThreshold to be an integer in \[0, Infinity\], got -1/],
    [{ parallelThreshold: NaN }, /createWasmBackend: expected parallelThreshold to be an integer .*got NaN/],
    [{ parallelThreshold: Infinity }, /createWasmBackend: expected parallelThreshold to be an integer .*got Infinity/],
    [{ parallelThreshold: '0' }, /createWasmBackend: expected parallelThreshold to be an integer, got/],
  ];
  for (const [options, message] of bad) assert.throws(() => createWasmBackend(options as never), (e: Error) => message.test(e.message), JSON.stringify(options));
});

// Three backends: one thread; two splitting every call past the thresholds (products of any size); two measuring.
const one = createWasmBackend({ threads: 1, name: 'wasm-split-1' });
const always = createWasmBackend({ threads: 2, split: 'always', parallelThreshold: 0, name: 'wasm-split-always' });
const measured = createWasmBackend({ threads: 2, parallelThreshold: 0, name: 'wasm-split-measured' });
const backends = [one, always, measured];
/** The index of the first element whose bits differ (NaN payloads included), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.slice().buffer), y = new Uint32Array(b.slice().buffer);
  if (x.length !== y.length) return Math.min(x.length, y.length);
  return x.findIndex((v, i) => v !== y[i]);
}

test('products split by column panels give one thread\'s bits: every transposition, every call', () => {
  for (const [m, k, n] of [[9, 31, 17], [64, 64, 64], [33, 600, 65], [130, 40, 200]]) {
    const g = new Generator(m + k + n);
    const a = randn([m * k], { generator: g }).data, b = randn([k * n], { generator: g }).data;
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const product = (be: WasmBackend) => {
        const out = new Float32Array(m * n).fill(NaN);
        be.matmul(a, b, out, m, k, n, ta, tb);
        return out;
      };
      const reference = product(one);
      // eight calls: the measured backend's first six run split and not in turn
      for (let call = 0; call < 8; call++) {
        assert.is(firstDifference(product(always), reference), -1, `${m}x${k}x${n} transA=${ta} transB=${tb}, split, call ${call}`);
        assert.is(firstDifference(product(measured), reference), -1, `${m}x${k}x${n} transA=${ta} transB=${tb}, measured, call ${call}`);
      }
    }
  }
});

test('convolutions split across the batch give one thread\'s output bit for bit', () => {
  for (const be of backends) registerBackend(be);
  const g = new Generator(21);
  // over 4M multiply-adds: past the convolutions' split threshold
  const x = randn([8, 16, 14, 14], { generator: g }), w = randn([32, 16, 3, 3], { generator: g }), b = randn([32], { generator: g });
  const forward = (name: string) => withBackend(name, () => conv2d(x, w, b, { padding: 1 }).data);
  const reference = forward('wasm-split-1');
  for (let call = 0; call < 8; call++) {
    assert.is(firstDifference(forward('wasm-split-always'), reference), -1, `split, call ${call}`);
    assert.is(firstDifference(forward('wasm-split-measured'), reference), -1, `measured, call ${call}`);
  }
});

test.after(() => {
  for (const be of backends) be.dispose();
});

test('in a script run with node --input-type=module -e, the worker starts and takes its share (its code is not read as a module)', () => {
  const index = pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url))).href;
  const script = `const lr = await import(${JSON.stringify(index)});
    const be = lr.createWasmBackend({ threads: 2, split: 'always', name: 'wasm-eval' });
    for (let i = 0; i < 500 && be.threadsReady() < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const n = 256, a = be.allocate(n * n).fill(1), out = be.allocate(n * n);
    be.matmul(a, a, out, n, n, n, false, false);
    console.log(be.threadsReady(), out[0]);
    be.dispose();`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.is(r.signal, null, 'the script ended by itself (a worker that died would leave the product waiting for ever)');
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '2 256', 'two threads ready, and the product is right');
});

test.run();
