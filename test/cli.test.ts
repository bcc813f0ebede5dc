import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runCli } from './helpers/cli.js';
import { mountTmpfs } from './io/tmpfs.js';

const test = suite('the lrlab command');

const run = runCli;

test('--help documents the commands and exits 0; no command prints help and exits 2', async () => {
  const help = await run(['--help']);
  assert.is(help.code, 0);
  assert.match(help.out, /lrlab demo/);
  assert.match(help.out, /lrlab find --data FILE.csv/);
  assert.match(help.out, /compare-schedules/);
  assert.is((await run([])).code, 2);
});

test('unknown flags, unknown commands and bad values give one clear line and a non-zero exit', async () => {
  const flag = await run(['demo', '--bogus']);
  assert.is(flag.code, 2);
  assert.match(flag.err, /^lrlab: Unknown option '--bogus' \(try lrlab --help\)\n$/);
  const cmd = await run(['fly']);
  assert.is(cmd.code, 2);
  assert.match(cmd.err, /lrlab: unknown command 'fly' \(try lrlab --help\)/);
  const bad = await run(['compare-schedules', '--epochs', 'ten']);
  assert.is(bad.code, 2);
  assert.match(bad.err, /lrlab: --epochs expects an integer >= 1, got 'ten'/);
  const extra = await run(['demo', 'now']);
  assert.match(extra.err, /lrlab: unexpected argument 'now'/);
  const demoData = await run(['demo', '--data', 'x.csv']);
  assert.match(demoData.err, /lrlab: demo runs on the built-in series; use lrlab find --data FILE.csv for yours/);
});

test('compare-schedules prints one row per schedule and writes the report with its charts', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lrlab-cli-'));
  try {
    const r = await run(['compare-schedules', '--epochs', '1', '--out', out]);
    assert.is(r.code, 0, r.err);
    for (const name of ['constant', 'step (x0.1 every 10 epochs)', 'exponential (x0.96 every 10k steps)', 'adaptive (AdaptiveLR)']) assert.ok(r.out.includes(name), name);
    assert.equal(readdirSync(out).sort(), ['loss.svg', 'lr.svg', 'report.html', 'report.md', 'results.json']);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('compare-schedules --task: unknown tasks, missing Fashion-MNIST files and unknown schedules get one clear line', async () => {
  const task = await run(['compare-schedules', '--task', 'cifar']);
  assert.is(task.code, 2);
  assert.match(task.err, /lrlab: --task expects series or fashion-mnist, mnist, cifar10, fashion-mnist-resnet, sequence, imdb, got 'cifar'/);
  const empty = mkdtempSync(join(tmpdir(), 'lrlab-cli-'));
  try {
    const missing = await run(['compare-schedules', '--task', 'fashion-mnist', '--data', empty]);
    assert.is(missing.code, 2);
    assert.match(missing.err, /lrlab: loadFashionMnist: expected the four Fashion-MNIST files .* dataset-fashion-mnist/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  const schedule = await run(['compare-schedules', '--task', 'fashion-mnist', '--schedules', 'constant,warp']);
  assert.is(schedule.code, 2);
  assert.match(schedule.err, /expected schedules among .*, got 'warp'/);
});

// --out: one rule for every command (checked before any work; a folder of other files is refused unless --overwrite;
// a symbolic link is followed; errors name the path given) and every report written as a set
const mainTs = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const REPORT = ['loss.svg', 'lr.svg', 'report.html', 'report.md', 'results.json'];
const TUNE = ['--n-trials', '1', '--epochs', '1', '--backend', 'cpu', '--quiet'];
const holds = (cmd: string, dir: string, files: string) => `${cmd}: --out: '${dir}' holds other files (${files}); choose a new or empty directory, or a previous report's, or pass --overwrite to replace it and delete them\n`;

test('a --out folder of the user\'s files is refused before any work and left as it was; --overwrite replaces it', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'lrlab-cli-out-'));
  try {
    const d = join(parent, 'd');
    mkdirSync(d);
    writeFileSync(join(d, 'thesis.txt'), 'x');
    // the audit: tune renamed the folder to a hidden .d.old-* that a report written 10 s later deleted
    let r = await run(['tune', ...TUNE, '--out', d]);
    assert.is(r.code, 2);
    assert.is(r.err, holds('lrlab tune', d, 'thesis.txt'));
    r = await run(['compare-schedules', '--epochs', '1', '--out', d]);
    assert.is(r.code, 2);
    assert.is(r.err, holds('lrlab', d, 'thesis.txt'));
    assert.is(r.out, '', 'no training ran');
    r = await run(['tune-lstm', '--n-trials', '1', '--epochs', '1', '--out', d]);
    assert.is(r.code, 2);
    assert.is(r.err, holds('lrlab', d, 'thesis.txt'));
    assert.equal(readdirSync(d), ['thesis.txt']);
    assert.equal(readdirSync(parent), ['d'], 'nothing renamed aside');
    r = await run(['compare-schedules', '--epochs', '1', '--out', d, '--overwrite']);
    assert.is(r.code, 0, r.err);
    assert.equal(readdirSync(d).sort(), REPORT);
    r = await run(['compare-schedules', '--epochs', '1', '--out', d]);
    assert.is(r.code, 0, 'an earlier report of the command is replaced without asking');
    const t = join(parent, 't');
    mkdirSync(t);
    writeFileSync(join(t, 'notes.md'), 'x');
    r = await run(['tune', ...TUNE, '--out', t, '--overwrite']);
    assert.is(r.code, 0, r.err);
    assert.ok(readdirSync(t).includes('trials.json') && !readdirSync(t).includes('notes.md'));
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('an unwritable --out is refused before any work, by the path given: a file, a read-only file system, /proc (where compare-schedules and tune-lstm spun forever)', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'lrlab-cli-out-'));
  try {
    const file = join(parent, 'a-file');
    writeFileSync(file, 'x');
    let r = await run(['tune', ...TUNE, '--storage', `sqlite:///${join(parent, 's.db')}`, '--out', file]);
    assert.is(r.code, 2);
    assert.is(r.err, `lrlab tune: --out: '${file}' is a file, not a directory\n`);
    assert.equal(readdirSync(parent), ['a-file'], 'no study was created');
    r = await run(['compare-schedules', '--epochs', '1', '--out', join(file, 'sub')]);
    assert.is(r.code, 2);
    assert.is(r.err, `lrlab: --out: cannot create '${join(file, 'sub')}': '${file}' is a file\n`);
    assert.is(r.out, '');
    const ro = mountTmpfs(64, 'a read-only file system needs a tmpfs mounted read-only (a 555 folder does not stop root)', true);
    if (ro !== null) {
      try {
        const out = join(ro.dir, 'report');
        r = await run(['tune', ...TUNE, '--out', out]);
        assert.is(r.code, 2);
        assert.is(r.err, `lrlab tune: --out: cannot write into '${out}' (EROFS in '${ro.dir}')\n`);
        r = await run(['compare-schedules', '--epochs', '1', '--out', out]);
        assert.is(r.code, 2);
        assert.is(r.err, `lrlab: --out: cannot write into '${out}' (EROFS in '${ro.dir}')\n`);
        assert.is(r.out, '');
      } finally {
        ro.unmount();
      }
    }
    for (const args of [['compare-schedules', '--epochs', '1', '--out', '/proc/lrlab-y'], ['tune-lstm', '--n-trials', '1', '--epochs', '1', '--out', '/proc/lrlab-w']]) {
      const c = spawnSync(process.execPath, ['--import', 'tsx', mainTs, ...args], { encoding: 'utf8', timeout: 60_000 });
      assert.is(c.signal, null, `${args[0]} returned instead of spinning`);
      assert.is(c.status, 2);
      assert.is(c.stderr, `lrlab: --out: cannot write into '${args[args.length - 1]}' (ENOENT in '/proc')\n`);
      assert.is(c.stdout, '');
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('compare-schedules writes its report as a set: killed in the middle of writing, the old report stays whole', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'lrlab-cli-kill-'));
  try {
    const dir = join(parent, 'report');
    assert.is((await run(['compare-schedules', '--epochs', '1', '--out', dir, '--quiet'])).code, 0);
    const before = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    // a second run (2 epochs: every file differs) killed at its third rename, when the first files were in place
    const script = `import fs from 'node:fs';
      import { syncBuiltinESMExports } from 'node:module';
      const real = fs.renameSync;
      let n = 0;
      fs.renameSync = (a, b) => { if (++n === 3) process.kill(process.pid, 'SIGKILL'); return real(a, b); };
      syncBuiltinESMExports();
      const { main } = await import(${JSON.stringify(pathToFileURL(mainTs).href)});
      await main(['compare-schedules', '--epochs', '2', '--out', ${JSON.stringify(dir)}, '--quiet'], () => {});`;
    const c = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    assert.is(c.signal, 'SIGKILL', c.stderr);
    assert.equal(Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')])), before, 'the old report, whole');
    // the next run clears what the killed one left and writes its set
    assert.is((await run(['compare-schedules', '--epochs', '2', '--out', dir, '--quiet'])).code, 0);
    assert.equal(readdirSync(dir).sort(), REPORT);
    assert.is(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))[0].trainLoss.length, 2);
    assert.equal(readdirSync(parent).filter((n) => n.includes('.new-')), []);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('a symbolic link --out is followed (the report goes where it points, the link stays); a link to nothing is refused', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'lrlab-cli-link-'));
  try {
    const real = join(parent, 'real');
    mkdirSync(real);
    const link = join(parent, 'link');
    symlinkSync(real, link);
    const r = await run(['compare-schedules', '--epochs', '1', '--out', link, '--quiet']);
    assert.is(r.code, 0, r.err);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readdirSync(real).sort(), REPORT);
    assert.match(r.out, new RegExp(`report: ${link}/loss.svg`), 'the report line names the path given');
    const dangling = join(parent, 'dangling');
    symlinkSync(join(parent, 'nowhere'), dangling);
    const bad = await run(['tune', ...TUNE, '--out', dangling]);
    assert.is(bad.code, 2);
    assert.is(bad.err, `lrlab tune: --out: '${dangling}' is a symbolic link to '${join(parent, 'nowhere')}', which does not exist\n`);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('tune-lstm checks --out and its study/ folder before the study; --overwrite removes the other files first', async () => {
  const d = mkdtempSync(join(tmpdir(), 'lrlab-cli-lstm-'));
  try {
    mkdirSync(join(d, 'study'));
    writeFileSync(join(d, 'study', 'notes.txt'), 'x');
    const args = ['tune-lstm', '--n-trials', '1', '--mlp-trials', '1', '--epochs', '1', '--backend', 'cpu', '--quiet', '--out', d];
    let r = await run(args);
    assert.is(r.code, 2);
    assert.is(r.err, holds('lrlab', join(d, 'study'), 'notes.txt'));
    writeFileSync(join(d, 'thesis.txt'), 'x');
    r = await run([...args, '--overwrite']);
    assert.is(r.code, 0, r.err);
    // (the replaced study/ stays hidden beside it for a second, for a reader still listing it)
    assert.equal(readdirSync(d).filter((n) => !n.startsWith('.study.old-')).sort(), ['best-model.json', 'results.json', 'study', 'summary.md']);
    assert.ok(readdirSync(join(d, 'study')).includes('report.md') && !readdirSync(join(d, 'study')).includes('notes.txt'));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('tune-lstm --help prints its own help (so does tune --model lstm --help), and lrlab --help points to it', async () => {
  for (const args of [['tune-lstm', '--help'], ['tune', '--model', 'lstm', '--help'], ['tune-lstm', '-h']]) {
    const r = await run(args);
    assert.is(r.code, 0, args.join(' '));
    assert.match(r.out, /^lrlab tune-lstm: tune an LSTM forecaster/, args.join(' '));
    assert.match(r.out, /--study NAME     study name \(default lstm_optimization; --study-name NAME also works\)/);
    assert.match(r.out, /hiddenSize \{32,64,128,256\}, numLayers 1-4, lr 1e-5\.\.1e-1/);
    assert.not.match(r.out, /lrlab demo/);
  }
  assert.match((await run(['--help'])).out, /lrlab tune-lstm --help for its options/);
  assert.match((await run(['tune-lstm', '--bogus'])).err, /^lrlab: Unknown option '--bogus' \(try lrlab tune-lstm --help\)\n$/);
});

test('tune-lstm: --study names the study (--study-name still does), --data skips a date column, each epoch shows, the table is printed once and every MSE says its units', async () => {
  const d = mkdtempSync(join(tmpdir(), 'lrlab-cli-lstm-'));
  const ci = process.env.CI;
  process.env.CI = '1'; // the output a log file or a pipe gets, even when these tests run in a terminal
  try {
    const csv = join(d, 'dated.csv');
    writeFileSync(csv, ['date,sales', ...Array.from({ length: 200 }, (_, t) => `2024-01-${String(t + 1).padStart(3, '0')},${(10 + Math.sin(t / 4) * 3 + (t % 5) / 10).toFixed(3)}`)].join('\n'));
    const db = `sqlite:///${join(d, 's.db')}`;
    const args = (out: string) => ['tune-lstm', '--data', csv, '--storage', db, '--n-trials', '1', '--mlp-trials', '1', '--epochs', '2', '--backend', 'cpu', '--out', join(d, out)];
    const r = await run([...args('a'), '--study', 'named']);
    assert.is(r.code, 0, r.err);
    assert.ok(r.err.includes(`data: ${csv}, column sales (the first numeric one): 200 values\n`), r.err);
    assert.match(r.err, /^LSTM study 'named': /m);
    for (const e of ['LSTM trial 0 epoch 1/2', 'LSTM trial 0 epoch 2/2', 'MLP trial 0 epoch 1/2', 'MLP trial 0 epoch 2/2']) assert.ok(r.err.includes(`  ${e}: val MSE `), `${e} in:\n${r.err}`);
    const all = r.out + r.err;
    assert.is(all.split('tuned LSTM').length - 1, 1, `the table once, got:\n${all}`);
    assert.is(all.split('naive last value').length - 1, 1);
    assert.match(r.out, /retrained, MSE in the series' units:\nmodel\s+validation MSE\s+test MSE\n/);
    for (const line of all.split('\n').filter((l) => /MSE \d|value \d/.test(l))) assert.match(line, /\(standardized\)|series units/, `an MSE without its units: '${line}'`);
    const best = /best trial 0: validation MSE \S+ \(standardized\), (\{.*\})\n/.exec(r.out);
    assert.ok(best, r.out);
    assert.equal(Object.keys(JSON.parse(best[1])).sort(), ['batchSize', 'dropout', 'hiddenSize', 'lr', 'numLayers', 'optimizer', 'weightDecay']);
    assert.is(JSON.parse(readFileSync(join(d, 'a', 'results.json'), 'utf8')).source, `${csv}, column sales`);
    // the earlier name still works, and adds to the same study
    const again = await run([...args('b'), '--study-name', 'named', '--quiet']);
    assert.is(again.code, 0, again.err);
    assert.is(again.err, '');
    assert.is(JSON.parse(readFileSync(join(d, 'b', 'results.json'), 'utf8')).trials.length, 2);
    const clash = await run([...args('c'), '--study', 'x', '--study-name', 'y']);
    assert.is(clash.code, 2);
    assert.is(clash.err, "lrlab: --study and --study-name name the same thing (--study-name is its earlier name), got 'x' and 'y'\n");
    const column = await run(['tune-lstm', '--column', 'sales', '--out', join(d, 'c')]);
    assert.is(column.code, 2);
    assert.is(column.err, 'lrlab: --column needs --data FILE.csv\n');
  } finally {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    rmSync(d, { recursive: true, force: true });
  }
});

test('tune-lstm --overwrite with a bad count deletes nothing: every count is checked before --out is prepared', async () => {
  const d = mkdtempSync(join(tmpdir(), 'lrlab-cli-lstm-'));
  try {
    writeFileSync(join(d, 'thesis.txt'), 'x');
    for (const bad of [['--epochs', 'x'], ['--n-jobs', '0'], ['--mlp-trials', '2.5']]) {
      const r = await run(['tune-lstm', ...bad, '--out', d, '--overwrite']);
      assert.is(r.code, 2);
      assert.match(r.err, new RegExp(`^lrlab: ${bad[0]} expects an integer >= 1`));
      assert.equal(readdirSync(d), ['thesis.txt']);
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a bad LRLAB_BACKEND is one line and exit 2, not a stack trace', () => {
  const c = spawnSync(process.execPath, ['--import', 'tsx', mainTs, 'demo', '--quiet'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LRLAB_BACKEND: 'tpu' } });
  assert.is(c.status, 2);
  assert.is(c.stderr, "lrlab: LRLAB_BACKEND: useBackend: expected one of cpu, gpu, wasm, got 'tpu'\n");
});

test('compare-schedules on a task over seeds: --data of MNIST IDX files, the table with mean ± sd and each schedule against constant, the report', async () => {
  const d = mkdtempSync(join(tmpdir(), 'lrlab-cli-tasks-'));
  try {
    const data = join(d, 'mnist'), out = join(d, 'out');
    mkdirSync(data);
    const idx = (shape: number[], values: number[]) => {
      const head = Buffer.alloc(4 + 4 * shape.length);
      head[2] = 0x08;
      head[3] = shape.length;
      shape.forEach((v, i) => head.writeUInt32BE(v, 4 + 4 * i));
      return Buffer.concat([head, Buffer.from(values)]);
    };
    for (const [prefix, n] of [['train', 24], ['t10k', 8]] as const) {
      writeFileSync(join(data, `${prefix}-images-idx3-ubyte`), idx([n, 28, 28], Array.from({ length: n * 784 }, (_, i) => (i * 37) % 256)));
      writeFileSync(join(data, `${prefix}-labels-idx1-ubyte`), idx([n], Array.from({ length: n }, (_, i) => i % 10)));
    }
    const r = await run(['compare-schedules', '--task', 'mnist', '--data', data, '--seeds', '2', '--epochs', '1', '--train-size', '16', '--validation-size', '8', '--test-size', '8', '--schedules', 'constant,step', '--target-accuracy', '50%', '--out', out, '--quiet', '--backend', 'cpu']);
    assert.is(r.code, 0, r.err);
    assert.match(r.out, /^MNIST, a small CNN .*; 2 seeds \(42, 43\), 1 epochs, 16 training images\n/);
    assert.match(r.out, /target accuracy: 50\.00% \(given\)/);
    assert.match(r.out, /schedule +final test acc \(mean ± sd\) +best \(mean ± sd\) +epochs to target/);
    assert.match(r.out, /\nstep against constant: final accuracy /);
    assert.equal(readdirSync(out).sort(), ['accuracy.svg', 'loss.svg', 'lr.svg', 'report.html', 'report.md', 'results.json']);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.equal(results.settings.seeds, [42, 43]);
    assert.is(results.runs.length, 4);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('compare-schedules: a task without its --data, a wrong folder, seed options on the series, a bad target get one clear line', async () => {
  const noData = await run(['compare-schedules', '--task', 'cifar10']);
  assert.is(noData.code, 2);
  assert.match(noData.err, /^lrlab: --task cifar10 needs --data DIR \(the CIFAR-10 files; see docs\/schedule-experiment.md for the layout\)\n$/);
  const empty = mkdtempSync(join(tmpdir(), 'lrlab-cli-'));
  try {
    const wrong = await run(['compare-schedules', '--task', 'imdb', '--data', empty, '--out', join(empty, 'out')]);
    assert.is(wrong.code, 2);
    assert.match(wrong.err, /^lrlab: loadImdb: expected the IMDB review folders \(aclImdb\/\{train,test\}\/\{pos,neg\}\/<id>_<rating>.txt\)/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  const series = await run(['compare-schedules', '--seeds', '3']);
  assert.is(series.code, 2);
  assert.match(series.err, /lrlab: --seeds is for the classification tasks \(--task fashion-mnist, .*\), not the built-in series/);
  for (const bad of ['1.5', 'high', '0']) {
    const t = await run(['compare-schedules', '--task', 'fashion-mnist', '--target-accuracy', bad]);
    assert.is(t.code, 2);
    assert.match(t.err, new RegExp(`lrlab: --target-accuracy expects an accuracy in \\(0, 1\\] or a percentage such as 89%, got '${bad}'`));
  }
  const seeds = await run(['compare-schedules', '--task', 'sequence', '--seeds', '0']);
  assert.match(seeds.err, /lrlab: --seeds expects an integer >= 1, got '0'/);
});

test.run();
