// `lrlab dashboard` and `lrlab tune --dashboard` on the command line: usage errors are one line and exit 2, the
// command serves until SIGINT and then exits 0, and tune prints the address of the dashboard it started.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-dashboard-cli-'));
const test = suite('lrlab dashboard on the command line');

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('--help prints the command\'s own help; lrlab --help names the command', async () => {
  const r = await runCli(['dashboard', '--help']);
  assert.is(r.code, 0);
  assert.match(r.out, /lrlab dashboard STORAGE \[--port P\]/);
  assert.match(r.out, /127\.0\.0\.1/);
  assert.match((await runCli(['--help'])).out, /lrlab dashboard STORAGE/);
});

test('a missing or extra storage, a bad port, a bad poll interval, a folder that does not exist: one line, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['dashboard'], /lrlab dashboard: expected a study storage URL or a folder of finder reports \(try lrlab dashboard --help\)/],
    [['dashboard', 'a', 'b'], /unexpected argument 'b'/],
    [['dashboard', dir, '--port', '99999'], /--port expects an integer in \[0, 65535\], got '99999'/],
    [['dashboard', dir, '--port', '-1'], /lrlab dashboard: .*'--port/],
    [['dashboard', dir, '--port', 'x'], /--port expects an integer in \[0, 65535\], got 'x'/],
    [['dashboard', dir, '--poll-ms', '0'], /--poll-ms expects milliseconds in \[50, 600000\], got '0'/],
    [['dashboard', join(dir, 'nowhere')], /which does not exist/],
    [['dashboard', 'sqlite:/bad.db'], /expected 'sqlite:\/\/\/path/],
    [['dashboard', dir, '--bogus'], /lrlab dashboard: Unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.err, message, args.join(' '));
    assert.is(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  }
});

test('the command serves the page until SIGINT, then stops and exits 0', async () => {
  const reports = join(dir, 'reports');
  mkdirSync(reports);
  let out = '';
  const done = main(['dashboard', reports, '--port', '0'], (s) => (out += s));
  for (let i = 0; i < 100 && !/http:\/\//.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0];
  assert.ok(url, `the address is printed: ${out}`);
  assert.match(out, /finder reports in .*reports; Ctrl-C stops it/);
  const source = await (await fetch(`${url}api/source`)).json();
  assert.is(source.kind, 'runs');
  process.emit('SIGINT', 'SIGINT');
  assert.is(await done, 0);
  let refused = false;
  try {
    await fetch(`${url}api/source`);
  } catch {
    refused = true;
  }
  assert.ok(refused, 'the server is closed');
});

test('lrlab tune --dashboard needs --storage, and --dashboard-port needs --dashboard', async () => {
  const a = await runCli(['tune', '--dashboard', '--out', join(dir, 't1')]);
  assert.is(a.code, 2);
  assert.match(a.err, /--dashboard needs --storage/);
  const b = await runCli(['tune', '--storage', `sqlite:///${join(dir, 'x.db')}`, '--dashboard-port', '0', '--out', join(dir, 't2')]);
  assert.is(b.code, 2);
  assert.match(b.err, /--dashboard-port needs --dashboard/);
  const c = await runCli(['tune', '--storage', `sqlite:///${join(dir, 'x.db')}`, '--dashboard', '--dashboard-port', '70000', '--out', join(dir, 't3')]);
  assert.is(c.code, 2);
  assert.match(c.err, /--dashboard-port expects an integer in \[0, 65535\]/);
});

test('lrlab tune --dashboard starts the dashboard beside the worker and prints its address', async () => {
  const r = await runCli(['tune', '--storage', `sqlite:///${join(dir, 'tune.db')}`, '--dashboard', '--dashboard-port', '0', '--n-trials', '1', '--epochs', '1', '--quiet', '--backend', 'cpu', '--out', join(dir, 'tune-report')]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
});

test.run();
