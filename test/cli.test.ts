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
  assert.match(help.out, /compare-schedules/);
  assert.is((await run([])).code, 2);
});

test('unknown flags, unknown commands and bad values give one clear line and a non-zero exit', async () => {
  const flag = await run(['demo', '--bogus']);
  assert.is(flag.code, 2);
  assert.match(flag.err, /^lrlab: Unknown option '--bogus'/);
  const cmd = await run(['fly']);
  assert.is(cmd.code, 2);
  assert.match(cmd.err, /lrlab: unknown command 'fly' \(try lrlab --help\)/);
  const bad = await run(['demo', '--epochs', 'ten']);
  assert.is(bad.code, 1);
  assert.match(bad.err, /lrlab: --epochs expects a positive integer, got 'ten'/);
});

test('demo trains seed 000 for the requested epochs and prints a row per epoch', async () => {
  const r = await run(['demo', '--epochs', '2', '--seed', '1']);
  assert.is(r.code, 0);
  const rows = r.out.trim().split('\n').filter((l) => /^\s+\d+\s/.test(l));
  assert.is(rows.length, 2);
  assert.match(r.out, /1461 points, 1149 training windows, 292 validation windows/);
});

test.run();
