import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

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
  assert.match(task.err, /lrlab: --task expects series or fashion-mnist, got 'cifar'/);
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

test.run();
