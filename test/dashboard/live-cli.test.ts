// `lrlab demo --live` on the command line: the report is byte for byte the one without --live, the address of the
// dashboard is printed and the progress file is gone once the report is in; a run in a process of its own is served
// by its dashboard while it runs; a failed run leaves its progress file saying why; a taken port is said and the run
// goes on; bad flags are one line and exit 2.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { startDashboard } from '../../src/dashboard/server.js';
import { readLiveFile } from '../../src/dashboard/live.js';
import { request } from './helpers.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lrlab-live-cli-'));
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({ window: 10, hidden: [8], rangeTest: { numIter: 30 }, sweep: { num: 3, epochs: 1 }, validation: { epochs: 1 }, training: { epochs: 3, patience: 2 }, seeds: 2 }));

const test = suite('lrlab demo --live');
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs lrlab in a process of its own (vega numbers its clip paths per process), with `preload` loaded first. */
function lrlab(args: string[], preload: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...preload.flatMap((p) => ['--import', p]), join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (err += b));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code: code ?? 1, out, err })));
}

test('the report is byte for byte the one without --live; the address is printed; the progress file is gone', async () => {
  // performance.now counts its calls (the report's timings come from it): the same calls give the same report
  const clock = [join(repo, 'test/dashboard/counting-clock.ts')];
  const [plain, live] = [await lrlab(['demo', '--config', config, '--out', join(dir, 'runs', 'plain'), '--quiet'], clock), await lrlab(['demo', '--config', config, '--out', join(dir, 'runs', 'live'), '--quiet', '--live', '--dashboard-port', '0'], clock)];
  assert.is(plain.code, 0, plain.err);
  assert.is(live.code, 0, live.err);
  assert.match(live.out, /^live: http:\/\/127\.0\.0\.1:\d+\/#run=live \(the dashboard of .*runs; it stops with the run/m);
  const files = readdirSync(join(dir, 'runs', 'plain')).sort();
  assert.equal(readdirSync(join(dir, 'runs', 'live')).sort(), files);
  assert.ok(files.includes('results.json') && files.length > 5);
  for (const f of files) assert.ok(readFileSync(join(dir, 'runs', 'live', f)).equals(readFileSync(join(dir, 'runs', 'plain', f))), `${f} differs`);
  assert.equal(readdirSync(join(dir, 'runs')).sort(), ['live', 'plain'], 'no progress file left beside the reports');
});

test('a run in a process of its own: its dashboard serves the run under way, then the run ends and the report is in', async () => {
  const slow = join(dir, 'slow.json');
  writeFileSync(slow, JSON.stringify({ window: 10, hidden: [16], rangeTest: { numIter: 100 }, sweep: { num: 6, epochs: 2 }, validation: { epochs: 2 }, training: { epochs: 40, patience: 40 }, seeds: 2 }));
  const out = join(dir, 'proc', 'run');
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), 'demo', '--config', slow, '--out', out, '--quiet', '--live', '--dashboard-port', '0'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  let address: string | null = null;
  while (address === null && child.exitCode === null) {
    address = /^live: (http:\/\/127\.0\.0\.1:\d+\/)/m.exec(stdout)?.[1] ?? null;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(address, `the address was printed: ${stdout} ${stderr}`);
  const seen: string[] = [];
  while (child.exitCode === null) {
    try {
      const runs = (await request(`${address}api/runs`)).json().runs;
      const r = runs.find((x: any) => x.id === 'run');
      if (r?.live) seen.push(`${r.live.state} ${r.live.stage}`);
    } catch {
      // the run ended between two requests, and its dashboard with it
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.is(await exited, 0, stderr);
  assert.ok(seen.length > 0, `the dashboard answered with the run under way while the run trained (${stdout})`);
  assert.ok(seen.every((s) => s.startsWith('running') || s.startsWith('finished')), seen.join(', '));
  assert.ok(existsSync(join(out, 'results.json')));
  assert.not.ok(existsSync(join(dir, 'proc', '.run.live.json')));
  console.log(`  the run's dashboard answered ${seen.length} times while it ran: ${[...new Set(seen)].join(', ')}`);
});

test('a run that fails leaves its progress file saying why', async () => {
  const bad = join(dir, 'diverges.json');
  writeFileSync(bad, JSON.stringify({ window: 10, hidden: [8], rangeTest: { startLr: 1e6, endLr: 1e8, numIter: 30 } }));
  const r = await runCli(['demo', '--config', bad, '--out', join(dir, 'failing', 'run'), '--quiet', '--live', '--dashboard-port', '0']);
  assert.is(r.code, 1);
  assert.match(r.err, /the range test diverged/);
  const file = readLiveFile(join(dir, 'failing', '.run.live.json'));
  assert.is(file.state, 'failed');
  assert.match(file.error!, /the range test diverged/);
  assert.not.ok(existsSync(join(dir, 'failing', 'run')), 'no report');
});

test('a port already taken is said, and the run goes on writing its progress and its report', async () => {
  const other = await startDashboard({ storage: dir, port: 0 });
  try {
    const r = await runCli(['demo', '--config', config, '--out', join(dir, 'taken', 'run'), '--quiet', '--live', '--dashboard-port', String(other.port)]);
    assert.is(r.code, 0, r.err);
    assert.match(r.err, new RegExp(`lrlab: --live: the dashboard did not start: port ${other.port} on 127\\.0\\.0\\.1 is in use .*; the run's progress still goes to .*\\.run\\.live\\.json`));
    assert.ok(existsSync(join(dir, 'taken', 'run', 'results.json')));
  } finally {
    await other.close();
  }
});

test('bad flags: --dashboard-port without --live, or out of range: one line, exit 2, nothing written', async () => {
  const cases: [string[], RegExp][] = [
    [['demo', '--dashboard-port', '8081'], /^lrlab: --dashboard-port needs --live$/],
    [['demo', '--live', '--dashboard-port', '70000'], /^lrlab: --dashboard-port expects an integer in \[0, 65535\], got '70000'$/],
    [['demo', '--live', '--dashboard-port', 'x'], /^lrlab: --dashboard-port expects an integer >= 0, got 'x'$/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli([...args, '--out', join(dir, 'never', 'run'), '--quiet']);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.err.trim(), message);
    assert.is(r.err.trim().split('\n').length, 1);
  }
  assert.not.ok(existsSync(join(dir, 'never')));
  // an --out refused before any work leaves no progress file either
  mkdirSync(join(dir, 'busy', 'run'), { recursive: true });
  writeFileSync(join(dir, 'busy', 'run', 'notes.txt'), 'mine');
  const r = await runCli(['demo', '--config', config, '--out', join(dir, 'busy', 'run'), '--quiet', '--live', '--dashboard-port', '0']);
  assert.is(r.code, 2);
  assert.match(r.err, /lrlab: --out: '.*run' holds other files \(notes\.txt\)/);
  assert.equal(readdirSync(join(dir, 'busy')), ['run'], 'no .run.live.json');
});

test.run();
