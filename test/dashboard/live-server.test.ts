// The dashboard's finder endpoints for a run under way: a progress file beside a run's folder lists the run with its
// progress and serves its charts so far, growing as the file is rewritten; a written report takes over from it; a
// run whose process is gone, a failed run and a corrupt progress file each say so.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import type { LiveFile } from '../../src/dashboard/live.js';
import { makeFinderReport, request } from './helpers.js';
import { recordLiveRun, type Snapshot } from './live-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-live-server-'));
const reports = join(dir, 'reports');
let d: Dashboard;
let snapshots: Snapshot[];

const test = suite('dashboard server: a finder run under way');

/** The file the run wrote right after its first `event` of `stage` reached `done` (or its last partial of the stage). */
function fileAt(stage: string, done?: number): LiveFile {
  const i = run().findIndex((s) => s.event === 'progress' && s.stage === stage && (done === undefined || s.done === done));
  return JSON.parse(run()[i + 1].text);
}
const run = () => snapshots;
const put = (name: string, file: LiveFile) => writeFileSync(join(reports, `.${name}.live.json`), JSON.stringify(file));
const plot = async (id: string, kind: string) => (await request(`${d.url}api/run/plot?id=${encodeURIComponent(id)}&kind=${kind}`)).json();
const listed = async (id: string) => (await request(`${d.url}api/runs`)).json().runs.find((r: any) => r.id === id);
/** The rows of the first layer of a chart that has data (the range test's curve, the long runs' lines). */
const rows = (spec: any): unknown[] => (spec.layer ? spec.layer[0].data.values : spec.data.values);

test.before(async () => {
  mkdirSync(reports, { recursive: true });
  snapshots = recordLiveRun(join(dir, 'recorded', 'a')).snapshots;
  await makeFinderReport(join(reports, 'done'));
  d = await startDashboard({ storage: reports, port: 0, pollMs: 50 });
});

test.after(async () => {
  await d?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a progress file beside a folder not yet written lists the run, with its stage, progress and no recommendation yet', async () => {
  put('going', fileAt('sweep', 2));
  const r = await listed('going');
  assert.ok(r, 'listed beside the written report');
  assert.is(r.live.state, 'running');
  assert.is(r.live.stopped, false, 'its process (this one) runs');
  assert.equal([r.live.stage, r.live.done, r.live.total], ['sweep', 2, 3]);
  assert.is(r.recommendation, null);
  assert.equal(r.rules.map((x: any) => x.method).sort(), ['minimum', 'slide', 'steepest', 'valley'], 'the rules are known after the range test');
  assert.ok(r.live.notes.some((n: any) => n.stage === 'range test'));
  assert.is((await listed('done')).live, null, 'a written report has no progress');
});

test('its panels are the charts so far: the whole range test with its rules, the sweep\'s first rows, and why the rest is not drawn yet', async () => {
  put('going', fileAt('sweep', 2));
  const file = fileAt('sweep', 2);
  const rt = await plot('going', 'range-test');
  assert.match(JSON.stringify(rt.spec.title), /\(so far: sweep 2\/3\)/);
  assert.is(rows(rt.spec).length, 2 * file.result.rangeTest!.lrs.length, 'raw and smoothed loss at every step');
  assert.match(JSON.stringify(rt.spec), /steepest/);
  const sweep = await plot('going', 'sweep');
  assert.is(sweep.spec.data.values.length, 2 * file.result.sweep!.rows.filter((x) => !x.diverged).length, 'training and validation loss of the lrs done');
  assert.match((await plot('going', 'validation')).reason, /the validation run has not started \(the run is at: sweep\)/);
  assert.match((await plot('going', 'long-runs')).reason, /the long runs have not started/);
});

test('the run grows as its file is rewritten: the range test step by step, then a long run epoch by epoch', async () => {
  put('growing', fileAt('range test', 2));
  assert.match((await plot('growing', 'range-test')).reason, /the range test has 2 step\(s\) so far; its curve is drawn from 3/);
  const counts: number[] = [];
  for (const step of [3, 10, 20]) {
    put('growing', fileAt('range test', step));
    counts.push(rows((await plot('growing', 'range-test')).spec).length);
  }
  assert.equal(counts, [6, 20, 40]);
  assert.not.match(JSON.stringify((await plot('growing', 'range-test')).spec), /valley/, 'no rules while the curve grows');
  put('growing', fileAt('baseline', 1));
  const one = rows((await plot('growing', 'long-runs')).spec).length;
  put('growing', fileAt('baseline', 2));
  const two = rows((await plot('growing', 'long-runs')).spec).length;
  assert.equal([one, two], [2, 4], 'training and validation loss per epoch of the first seed');
  assert.is((await plot('growing', 'metric')).spec !== undefined, true, 'R² per epoch too');
});

test('at the end: the recommendation and the comparison table, before the report is written', async () => {
  const last = JSON.parse(run()[run().length - 1].text) as LiveFile;
  put('ending', last);
  const r = await listed('ending');
  assert.is(r.live.state, 'finished');
  assert.is(r.recommendation.sentence, last.result.recommendation!.sentence);
  assert.ok(r.comparison.length > 3, 'the comparison table');
  assert.not.match(JSON.stringify((await plot('ending', 'range-test')).spec.title), /so far/);
});

test('a report written after the run started takes over; a progress file newer than the report is shown instead', async () => {
  const file = fileAt('sweep', 1);
  await makeFinderReport(join(reports, 'over'));
  put('over', { ...file, startedAt: Date.now() - 3_600_000 });
  assert.is((await listed('over')).live, null, 'the report came after: the run is over');
  utimesSync(join(reports, 'over', 'results.json'), new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
  const again = await listed('over');
  assert.is(again.live?.stage, 'sweep', 'a new run into the folder of an older report');
});

test('a run whose process is gone is said to have stopped; a failed run says why', async () => {
  const gone = spawnSync(process.execPath, ['-e', '']).pid!;
  put('stopped', { ...fileAt('sweep', 1), pid: gone });
  const r = await listed('stopped');
  assert.is(r.live.stopped, true, `process ${gone} is gone`);
  put('failed', { ...fileAt('sweep', 1), state: 'failed', error: 'the range test diverged after 2 step(s)' });
  const f = await listed('failed');
  assert.equal([f.live.state, f.live.error], ['failed', 'the range test diverged after 2 step(s)']);
});

test('a corrupt progress file: the list and the run say so (503), and a report newer than it is shown instead', async () => {
  writeFileSync(join(reports, '.corrupt.live.json'), '{"lrlabLive": 1, "pid": 12');
  const r = await listed('corrupt');
  assert.match(r.error, /dashboard: could not read the progress of the run corrupt \(\.corrupt\.live\.json\): not JSON/);
  const one = await request(`${d.url}api/run?id=corrupt`);
  assert.is(one.status, 503);
  assert.match(one.json().error, /could not read the progress of the run corrupt/);
  const p = await request(`${d.url}api/run/plot?id=corrupt&kind=sweep`);
  assert.is(p.status, 503);
  writeFileSync(join(reports, '.done.live.json'), 'not json');
  utimesSync(join(reports, '.done.live.json'), new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
  assert.is((await listed('done')).live, null, 'a leftover older than the report is not in the way');
});

test('the folder itself under way, and a run one level down, are found by their progress files', async () => {
  const solo = join(dir, 'solo');
  mkdirSync(solo);
  writeFileSync(join(dir, '.solo.live.json'), JSON.stringify(fileAt('sweep', 1)));
  mkdirSync(join(reports, 'nested'));
  writeFileSync(join(reports, 'nested', '.deep.live.json'), JSON.stringify(fileAt('sweep', 1)));
  const own = await startDashboard({ storage: solo, port: 0, pollMs: 50 });
  try {
    const runs = (await request(`${own.url}api/runs`)).json().runs;
    assert.equal(runs.map((r: any) => [r.id, r.live?.stage]), [['.', 'sweep']]);
  } finally {
    await own.close();
  }
  assert.is((await listed('nested/deep')).live.stage, 'sweep');
  assert.is((await request(`${d.url}api/run?id=${encodeURIComponent('../.solo')}`)).status, 400, 'nothing outside the folder');
});

test.run();
