// What a library user installs: lrlab is built and packed with npm, the tarball is installed into a fresh project
// with no network (its dependencies are linked from this checkout's node_modules; gpu.js, an optional peer, is not,
// as in a default install), and a strict TypeScript build without skipLibCheck and a Node script run against it.
// Takes about half a minute (the tsc build).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'lrlab-pack-'));
const project = join(tmp, 'project');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const node = process.execPath;
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const test = suite('the packed package');
let packed = '';

function link(name: string): void {
  const target = join(project, 'node_modules', name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(realpathSync(join(root, 'node_modules', name)), target, 'dir');
}

test.before(() => {
  // the package's own build (dist cleaned first, tsc, the browser bundles), as `npm pack` runs it through prepack
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
  // --ignore-scripts: dist was just built; npm pack never needs the registry
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], { cwd: root, encoding: 'utf8', env: { ...process.env, npm_config_offline: 'true' } });
  packed = join(tmp, out.trim().split('\n').pop()!);
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  execFileSync('tar', ['-xzf', packed, '-C', join(project, 'node_modules')]);
  renameSync(join(project, 'node_modules', 'package'), join(project, 'node_modules', 'lrlab'));
  for (const dep of [...Object.keys(pkg.dependencies), '@types/node']) link(dep);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', type: 'module', private: true }));
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: ['node'], exactOptionalPropertyTypes: false },
    include: ['main.ts'],
  }));
  writeFileSync(join(project, 'main.ts'), `import { tensor, Adam, Sequential, Linear, ReLU, mseLoss, rangeTest, suggestLr, toNdarray, builtInData, runPipeline, findLr, Module, type Tensor, type FindLrResult, type CsvTable, type PipelineResult, type LrSuggestion } from 'lrlab';
const w = tensor([[1, 2]], { requiresGrad: true });
const model = new Sequential(new Linear(2, 4), new ReLU(), new Linear(4, 1));
const opt = new Adam(model.parameters(), { lr: 1e-2 });
const loss: number = mseLoss(model.forward(w), tensor([[1]])).item();
const view = toNdarray(w);
const s: LrSuggestion | null = null;
const run: ((o: { series?: Float32Array }) => PipelineResult) | null = null;
console.log(typeof rangeTest, typeof suggestLr, typeof builtInData, typeof runPipeline, opt.paramGroups.length, loss >= 0, view.shape, s, run);

// your own model as a PyTorch user writes one, through the whole finder
class Net extends Module {
  fc = new Linear(2, 1);
  forward(x: Tensor): Tensor {
    return this.fc.forward(x);
  }
}
const find = (): FindLrResult => findLr({ makeModel: () => new Net(), train: { x: w, y: tensor([[1]]) }, valid: { x: w, y: tensor([[1]]) }, optimizer: 'sgd', config: { seeds: 1 } });
const table: CsvTable | null = null;
console.log(typeof find, table);
`);
});

test('the tarball holds dist with inline-source maps, the bin, the CommonJS stub and the README, and no tests or sources', () => {
  const list = execFileSync('tar', ['-tzf', packed], { encoding: 'utf8' }).split('\n').filter(Boolean);
  assert.ok(list.includes('package/dist/index.js'));
  assert.ok(list.includes('package/dist/index.d.ts'));
  assert.ok(list.includes('package/bin/lrlab.js'));
  assert.ok(list.includes('package/cjs/index.cjs'));
  assert.ok(list.includes('package/README.md'));
  assert.not.ok(list.some((f) => f.startsWith('package/test/') || f.startsWith('package/src/')));
  // every source map carries its sources, since src/ is not in the package
  const dist = join(project, 'node_modules', 'lrlab', 'dist');
  const maps = readdirSync(dist, { recursive: true }).map(String).filter((f) => f.endsWith('.js.map'));
  assert.ok(maps.length > 50);
  for (const m of maps) {
    const map = JSON.parse(readFileSync(join(dist, m), 'utf8'));
    assert.is(map.sourcesContent?.length, map.sources.length, m);
  }
});

test('the published types compile in a fresh strict project without skipLibCheck', () => {
  const r = spawnSync(node, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
});

test('an ES module imports and runs it; require() gets a clear error', () => {
  writeFileSync(join(project, 'run.mjs'), `import { tensor, SGD, formatLr, Module, Linear, Parameter } from 'lrlab';
const w = tensor([2], { requiresGrad: true });
const opt = new SGD([w], { lr: 0.5 });
w.mul(w).sum().backward();
opt.step();
console.log(w.item(), formatLr(0.0187));
class Net extends Module {
  constructor() {
    super();
    this.fc = new Linear(2, 1);
    this.scale = new Parameter(tensor([1]));
  }
  forward(x) {
    return this.fc.forward(x).mul(this.scale);
  }
}
console.log(new Net().namedParameters().map(([name]) => name).join(' '));
`);
  assert.is(execFileSync(node, ['run.mjs'], { cwd: project, encoding: 'utf8' }), '0 1.87e-2\nscale fc.weight fc.bias\n');
  writeFileSync(join(project, 'run.cjs'), `try { require('lrlab'); } catch (e) { console.log(e.message); }\n`);
  const out = execFileSync(node, ['run.cjs'], { cwd: project, encoding: 'utf8' });
  assert.match(out, /^lrlab is an ES module and cannot be loaded with require\(\)\. Use `import \{ \.\.\. \} from 'lrlab'`/);
});

test('the lrlab command of the installed package runs', () => {
  const r = spawnSync(node, [join(project, 'node_modules', 'lrlab', 'bin', 'lrlab.js'), '--help'], { cwd: project, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /lrlab find --data FILE.csv/);
});

test('gpu.js is an optional peer dependency only, so a default install fetches neither it nor its native gl addon', () => {
  const packedPkg = JSON.parse(readFileSync(join(project, 'node_modules', 'lrlab', 'package.json'), 'utf8'));
  for (const field of ['dependencies', 'optionalDependencies', 'bundleDependencies']) {
    assert.not.ok('gpu.js' in (packedPkg[field] ?? {}), `gpu.js in ${field}`);
    assert.not.ok('gl' in (packedPkg[field] ?? {}), `gl in ${field}`);
  }
  assert.is(packedPkg.peerDependencies?.['gpu.js'], pkg.devDependencies['gpu.js']);
  assert.equal(packedPkg.peerDependenciesMeta?.['gpu.js'], { optional: true });
});

const GPU_MISSING = 'gpu backend: needs the optional package gpu.js (npm install gpu.js); the cpu and wasm backends need nothing extra';

test('without gpu.js, lrlab imports and runs, and the gpu backend names the package to install', () => {
  assert.not.ok(existsSync(join(project, 'node_modules', 'gpu.js')));
  writeFileSync(join(project, 'gpu.mjs'), `import { useBackend, getBackend, tensor } from 'lrlab';
try { useBackend('gpu'); } catch (e) { console.log(e.message); }
console.log(getBackend().name, tensor([[1, 2]]).matmul(tensor([[3], [4]])).item());
`);
  const env = { ...process.env, LRLAB_BACKEND: '' };
  assert.is(execFileSync(node, ['gpu.mjs'], { cwd: project, encoding: 'utf8', env }), `${GPU_MISSING}\ncpu 11\n`);
  writeFileSync(join(project, 'env.mjs'), `import { getBackend } from 'lrlab';
try { getBackend(); } catch (e) { console.log(e.message); }
`);
  assert.is(execFileSync(node, ['env.mjs'], { cwd: project, encoding: 'utf8', env: { ...process.env, LRLAB_BACKEND: 'gpu' } }), `${GPU_MISSING}\n`);
  const r = spawnSync(node, [join(project, 'node_modules', 'lrlab', 'bin', 'lrlab.js'), 'demo', '--backend', 'gpu'], { cwd: project, encoding: 'utf8', env });
  assert.is(r.status, 2, r.stderr);
  assert.is(r.stderr, `lrlab: --backend: ${GPU_MISSING}\n`);
  assert.is(r.stdout, '');
});

test('a gpu.js that is installed but broken is told apart from a missing one', () => {
  // a stand-in gpu.js whose own dependency is missing, as after an interrupted install
  const fake = join(project, 'node_modules', 'gpu.js');
  mkdirSync(fake);
  writeFileSync(join(fake, 'package.json'), JSON.stringify({ name: 'gpu.js', version: '2.24.1', main: 'index.js' }));
  writeFileSync(join(fake, 'index.js'), "require('gpu-mock-missing');\n");
  try {
    const out = execFileSync(node, ['gpu.mjs'], { cwd: project, encoding: 'utf8', env: { ...process.env, LRLAB_BACKEND: '' } });
    assert.match(out, /^gpu backend: gpu\.js is installed but cannot be loaded \(Cannot find module 'gpu-mock-missing'\); reinstall it, or use the cpu or wasm backend\ncpu 11\n$/);
  } finally {
    rmSync(fake, { recursive: true, force: true });
  }
});

test('importing lrlab loads no gpu.js even where it is installed; the gpu backend loads it on first use', () => {
  // in this checkout gpu.js is installed (a devDependency); the CommonJS module cache shows what was loaded
  const script = `import { createRequire } from 'node:module';
const lrlab = await import(${JSON.stringify(join(root, 'dist', 'index.js'))});
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => /[\\/]node_modules[\\/](gpu\\.js|gl)[\\/]/.test(f));
const before = loaded();
lrlab.createGpuBackend({ mode: 'cpu', quiet: true }).dispose();
console.log(before, loaded());
`;
  assert.is(execFileSync(node, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }), 'false true\n');
});

test('the package builds on pack (prepack), not on every install, and *.tgz is ignored by git', () => {
  assert.is(pkg.scripts.prepare, undefined);
  assert.is(pkg.scripts.prepack, 'npm run build');
  assert.ok(readFileSync(join(root, '.gitignore'), 'utf8').split('\n').includes('*.tgz'));
  assert.ok(existsSync(packed));
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
