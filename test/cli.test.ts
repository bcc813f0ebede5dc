import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli/main.js';

const test = suite('the lrlab command');

async function run(args: string[]) {
  let out = '', err = '';
  const write = process.stderr.write.bind(process.stderr);
  (process.stderr as any).write = (s: string) => ((err += s), true);
  try {
    const code = await main(args, (s) => (out += s));
    return { code, out, err };
  } finally {
    (process.stderr as any).write = write;
  }
}

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

test('compare-schedules prints one row per schedule', async () => {
  const r = await run(['compare-schedules', '--epochs', '1']);
  assert.is(r.code, 0, r.err);
  for (const name of ['constant', 'step (x0.1 every 10 epochs)', 'exponential (x0.96 every 10k steps)', 'adaptive (AdaptiveLR)']) assert.ok(r.out.includes(name), name);
});

test.run();
