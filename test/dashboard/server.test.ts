// The dashboard's server without a browser: its endpoints give what the storage holds, it listens on 127.0.0.1
// only, answers nothing but GET, reads nothing outside a reports folder, and says so when a storage cannot be
// reached, holds no study, or a folder holds no report.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, cpSync, writeFileSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { getStorage } from '../../src/tune/storage/index.js';
import { makeFinderReport, makeStudy, request } from './helpers.js';
import { freshPostgresDatabase } from '../helpers/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-dashboard-'));
const url = `sqlite:///${join(dir, 'study.db')}`;
const reports = join(dir, 'reports');
let studies: Dashboard, runs: Dashboard;

const test = suite('dashboard server: endpoints, binding and refusals');

test.before(async () => {
  await makeStudy(url, 'first', 14, 1);
  await makeStudy(url, 'second', 3, 2);
  mkdirSync(join(reports, 'nested'), { recursive: true });
  await makeFinderReport(join(reports, 'run-a'));
  cpSync(join(reports, 'run-a'), join(reports, 'nested', 'run-b'), { recursive: true });
  studies = await startDashboard({ storage: url, port: 0, pollMs: 50 });
  runs = await startDashboard({ storage: reports, port: 0, pollMs: 50 });
});

test.after(async () => {
  await studies?.close();
  await runs?.close();
});

test('the studies endpoint lists every study of the storage with its trial count and best trial', async () => {
  const storage = await getStorage(url);
  const stored = await storage.getAllStudySummaries();
  await storage.close();
  const r = await request(`${studies.url}api/studies`);
  assert.is(r.status, 200);
  const got = r.json().studies;
  assert.equal(got.map((s: any) => [s.studyId, s.studyName, s.nTrials, s.directions]), stored.map((s) => [s.studyId, s.studyName, s.nTrials, ['minimize']]));
  assert.equal(got.map((s: any) => s.best?.number ?? null), stored.map((s) => s.bestTrial?.number ?? null));
  assert.equal(got.map((s: any) => s.best?.value ?? null), stored.map((s) => s.bestTrial?.value ?? null));
});

test('the trials endpoint gives each stored trial: state, value, parameters, intermediate values, user attributes', async () => {
  const storage = await getStorage(url);
  const [first] = await storage.getAllStudySummaries();
  const stored = await storage.getAllTrials(first.studyId);
  await storage.close();
  const body = (await request(`${studies.url}api/studies/${first.studyId}/trials`)).json();
  assert.is(body.trials.length, stored.length);
  for (const [i, t] of stored.entries()) {
    const j = body.trials[i];
    assert.equal([j.number, j.state, j.value, j.params, j.userAttrs], [t.number, t.state, t.value, t.params, t.userAttrs], `trial ${t.number}`);
    assert.equal(j.intermediateValues, [...t.intermediateValues].sort((a, b) => a[0] - b[0]), `trial ${t.number}`);
    assert.is(j.datetimeStart, t.datetimeStart?.toISOString() ?? null);
  }
  const states = new Set(stored.map((t) => t.state));
  assert.ok(states.has('complete') && (states.has('pruned') || states.has('fail')), `the study has finished and stopped trials: ${[...states]}`);
  const failed = body.trials.find((t: any) => t.state === 'fail');
  if (failed) assert.is(failed.userAttrs.failReason, 'x below -4 diverges');
});

test('a poll since the current revision is told "unchanged", and a new trial changes the revision', async () => {
  const first = (await request(`${studies.url}api/studies/1/trials`)).json();
  const again = (await request(`${studies.url}api/studies/1/trials?since=${first.revision}`)).json();
  assert.equal(again, { revision: first.revision, unchanged: true });
  await makeStudy(url, 'first', 1, 3);
  await new Promise((r) => setTimeout(r, 120)); // the server reuses a read for pollMs / 2
  const after = (await request(`${studies.url}api/studies/1/trials?since=${first.revision}`)).json();
  assert.is.not(after.revision, first.revision);
  assert.is(after.trials.length, first.trials.length + 1);
});

test('every study panel is a Vega-Lite spec drawn from the stored trials, or says why not', async () => {
  for (const kind of ['history', 'intermediate', 'importances', 'slice', 'contour', 'parallel']) {
    const body = (await request(`${studies.url}api/studies/1/plots/${kind}`)).json();
    assert.type(body.spec, 'object', `${kind}: ${body.reason}`);
  }
  const history = (await request(`${studies.url}api/studies/1/plots/history`)).json().spec;
  const trials = (await request(`${studies.url}api/studies/1/trials`)).json().trials;
  assert.equal(history.data.values.map((v: any) => v.trial), trials.filter((t: any) => t.state === 'complete').map((t: any) => t.number));
  const pareto = (await request(`${studies.url}api/studies/1/plots/pareto`)).json();
  assert.match(pareto.reason, /one objective/);
  assert.is((await request(`${studies.url}api/studies/1/plots/bogus`)).status, 404);
  assert.is((await request(`${studies.url}api/studies/999/trials`)).status, 404);
});

test('importances are computed again at most every 10 s in a growing study, their title saying from how many trials', async () => {
  const before = (await request(`${studies.url}api/studies/1/plots/importances`)).json();
  const history = (await request(`${studies.url}api/studies/1/plots/history`)).json().spec.data.values.length;
  const complete = (await request(`${studies.url}api/studies/1/trials`)).json().trials.filter((t: any) => t.state === 'complete').length;
  assert.is(before.spec.title, `Hyperparameter importances (fANOVA over ${complete} complete trials)`);
  await makeStudy(url, 'first', 3, 4);
  await new Promise((r) => setTimeout(r, 120));
  const after = (await request(`${studies.url}api/studies/1/trials`)).json();
  assert.ok(after.trials.filter((t: any) => t.state === 'complete').length > complete || after.trials.length > history, 'the study grew');
  assert.is.not(after.revision, before.revision);
  assert.equal((await request(`${studies.url}api/studies/1/plots/importances`)).json().spec, before.spec, 'the importances are reused');
});

test('a study of two objectives: each trial\'s values, and a Pareto front panel', async () => {
  const { createStudy } = await import('../../src/tune/study.js');
  const study = await createStudy({ studyName: 'two', storage: url, directions: ['minimize', 'maximize'] });
  await study.optimize((t) => {
    const x = t.suggestFloat('x', 0, 1);
    return [x, Math.sqrt(x)];
  }, { nTrials: 6 });
  await study.storage.close();
  // the list of studies is reused for 2 s: asked until the new study shows
  let listed: any;
  for (let i = 0; i < 60 && listed === undefined; i++) {
    listed = (await request(`${studies.url}api/studies`)).json().studies.find((s: any) => s.studyName === 'two');
    if (listed === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(listed.directions, ['minimize', 'maximize']);
  assert.is(listed.best, null, 'no single best trial');
  const body = (await request(`${studies.url}api/studies/${listed.studyId}/trials`)).json();
  for (const t of body.trials) assert.equal(t.values, [t.params.x, Math.sqrt(t.params.x)]);
  const pareto = (await request(`${studies.url}api/studies/${listed.studyId}/plots/pareto`)).json();
  // x against sqrt(x), the first minimized and the second maximized: no trial dominates another
  assert.ok(pareto.spec.data.values.every((r: any) => r.kind === 'Best Trial'), JSON.stringify(pareto.spec.data.values));
  const second = (await request(`${studies.url}api/studies/${listed.studyId}/plots/history?objective=1`)).json();
  assert.equal(second.spec.data.values.map((r: any) => r.value), body.trials.map((t: any) => t.values[1]));
});

test('the server listens on 127.0.0.1 only: not on another address of this machine, not on ::1', async () => {
  const addr = studies.port;
  const tryConnect = (host: string) => new Promise<string>((resolve) => {
    const s = connect({ host, port: addr });
    s.once('connect', () => { s.destroy(); resolve('connected'); });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  assert.is(await tryConnect('127.0.0.1'), 'connected');
  assert.is.not(await tryConnect('::1'), 'connected');
  const others = Object.values(networkInterfaces()).flat().filter((i) => i && !i.internal && i.family === 'IPv4').map((i) => i!.address);
  if (others.length === 0) console.log('  no non-loopback IPv4 address here: only 127.0.0.1 and ::1 were tried');
  for (const host of others) assert.is.not(await tryConnect(host), 'connected', host);
});

test('nothing but GET is answered: other methods are 405 and leave the storage as it was', async () => {
  const before = (await request(`${studies.url}api/studies`)).json();
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'HEAD']) {
    const r = await request(`${studies.url}api/studies`, method);
    assert.is(r.status, 405, method);
  }
  assert.equal((await request(`${studies.url}api/studies`)).json(), before);
});

test('a request naming another host (a DNS-rebinding page) is refused', async () => {
  // fetch may not set Host: node:http may
  const asHost = (host: string) => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: studies.port, path: '/api/studies', headers: { host } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.once('error', reject);
    req.end();
  });
  const r = await asHost('evil.example:80');
  assert.is(r.status, 403);
  assert.match(r.text, /expected the host 127\.0\.0\.1/);
  assert.is((await asHost(`localhost:${studies.port}`)).status, 200);
});

test('the page, its scripts, its style and vega are served; nothing else of the disk is', async () => {
  assert.match((await request(studies.url)).text, /<title>lrlab dashboard<\/title>/);
  for (const path of ['app/app.js', 'app/trials-table.js', 'app/study-view.js', 'app/runs-view.js', 'style.css', 'vendor/vega.min.js', 'vendor/vega-lite.min.js']) {
    assert.is((await request(`${studies.url}${path}`)).status, 200, path);
  }
  for (const path of ['app/..%2f..%2f..%2fpackage.json', 'vendor/..%2fpackage.json', 'app/server.js', '..%2f..%2fpackage.json', 'app/html.js']) {
    assert.is((await request(`${studies.url}${path}`)).status, 404, path);
  }
});

test('a reports folder lists each report (the folder itself or two levels down) with its recommendation', async () => {
  const body = (await request(`${runs.url}api/runs`)).json();
  assert.equal(body.runs.map((r: any) => r.id), ['nested/run-b', 'run-a']);
  const results = JSON.parse(readFileSync(join(reports, 'run-a', 'results.json'), 'utf8'));
  const run = (await request(`${runs.url}api/run?id=run-a`)).json();
  assert.is(run.recommendation.sentence, results.recommendation.sentence);
  assert.equal(run.rules.map((r: any) => r.method), Object.keys(results.suggestion.suggestions));
  assert.is(run.candidates.length, results.validation.candidates.length);
  for (const kind of ['range-test', 'sweep', 'validation', 'long-runs']) {
    const plot = (await request(`${runs.url}api/run/plot?id=run-a&kind=${kind}`)).json();
    assert.type(plot.spec, 'object', `${kind}: ${plot.reason}`);
  }
  const rangeTest = (await request(`${runs.url}api/run/plot?id=run-a&kind=range-test`)).text;
  for (const rule of Object.keys(results.suggestion.suggestions)) assert.ok(rangeTest.includes(rule), `the range test marks the ${rule} rule`);
});

test('a report name reaching outside the folder is refused before any file is read', async () => {
  const outside = join(dir, 'outside');
  cpSync(join(reports, 'run-a'), outside, { recursive: true });
  symlinkSync(outside, join(reports, 'link'));
  for (const id of ['../outside', '..', '/etc', `${outside}`, 'nested/../../outside', 'run-a/../..', 'a\\..\\b', 'link']) {
    for (const path of [`api/run?id=${encodeURIComponent(id)}`, `api/run/plot?id=${encodeURIComponent(id)}&kind=sweep`]) {
      const r = await request(`${runs.url}${path}`);
      assert.ok(r.status === 400 || r.status === 404, `${path}: ${r.status}`);
      if (id.includes('..') || id.startsWith('/')) assert.match(r.json().error, /inside the reports folder/, path);
    }
  }
  const listed = (await request(`${runs.url}api/runs`)).json().runs.map((r: any) => r.id);
  assert.is((await request(`${runs.url}api/run?id=link`)).status, 400, 'a link inside the folder to a report outside it');
  assert.ok(listed.includes('link'), 'the link is listed, and refused when read');
  rmSync(join(reports, 'link'));
});

test.run();

const bad = suite('dashboard server: bad input gets a page that says so');

bad('an unreachable database: the server starts, and the studies endpoint says it cannot reach it (no password shown)', async () => {
  const d = await startDashboard({ storage: 'postgresql://lrlab:s3cret-pw@127.0.0.1:1/nothing', port: 0 });
  try {
    const r = await request(`${d.url}api/studies`);
    assert.is(r.status, 503);
    assert.match(r.json().error, /cannot reach the storage postgresql:\/\/lrlab:\*\*\*@127\.0\.0\.1:1\/nothing/);
    assert.not.match(r.text, /s3cret/);
    assert.is((await request(d.url)).status, 200, 'the page itself is served');
  } finally {
    await d.close();
  }
});

bad('a SQLite file that does not exist is said, and not created', async () => {
  const missing = join(dir, 'missing.db');
  const d = await startDashboard({ storage: `sqlite:///${missing}`, port: 0 });
  try {
    const r = await request(`${d.url}api/studies`);
    assert.is(r.status, 503);
    assert.match(r.json().error, /no SQLite database at/);
    assert.not.ok(existsSync(missing));
  } finally {
    await d.close();
  }
});

bad('an empty database lists no studies', async () => {
  const empty = `sqlite:///${join(dir, 'empty.db')}`;
  await (await getStorage(empty)).close();
  const d = await startDashboard({ storage: empty, port: 0 });
  try {
    assert.equal((await request(`${d.url}api/studies`)).json(), { studies: [] });
  } finally {
    await d.close();
  }
});

bad('a folder with no reports lists no runs; a results.json that is not a finder\'s is said', async () => {
  const none = join(dir, 'no-reports');
  mkdirSync(join(none, 'other'), { recursive: true });
  writeFileSync(join(none, 'other', 'notes.txt'), 'hello');
  const d = await startDashboard({ storage: none, port: 0 });
  try {
    assert.equal((await request(`${d.url}api/runs`)).json().runs, []);
    writeFileSync(join(none, 'other', 'results.json'), '{"hello": 1}');
    const listed = (await request(`${d.url}api/runs`)).json().runs;
    assert.is(listed.length, 1);
    assert.match(listed[0].error, /not a finder's results/);
  } finally {
    await d.close();
  }
});

bad('bad options are refused with a message naming startDashboard', async () => {
  const cases: [unknown, RegExp][] = [
    [undefined, /startDashboard: expected options with storage/],
    [{}, /startDashboard: expected storage to be a study storage URL/],
    [{ storage: url, port: -1 }, /expected port an integer in \[0, 65535\], got -1/],
    [{ storage: url, port: 1.5 }, /expected port an integer/],
    [{ storage: url, port: '80' }, /expected port an integer/],
    [{ storage: url, pollMs: NaN }, /expected pollMs a number of milliseconds/],
    [{ storage: url, pollMs: Infinity }, /expected pollMs/],
    [{ storage: url, bogus: 1 }, /startDashboard: unknown option 'bogus'/],
    [{ storage: join(dir, 'nowhere') }, /which does not exist/],
    [{ storage: join(reports, 'run-a', 'results.json') }, /got the file '[^']*results\.json'$/],
    [{ storage: join(dir, 'study.db') }, /got the file '.*study\.db' \(a SQLite database: give sqlite:\/\/\/.*study\.db\)/],
    [{ storage: 'sqlite:/x.db' }, /startDashboard: storage: expected 'sqlite:\/\/\/path/],
  ];
  for (const [options, message] of cases) {
    let error: Error | null = null;
    try {
      await startDashboard(options as never);
    } catch (e) {
      error = e as Error;
    }
    assert.ok(error, `no error for ${JSON.stringify(options)}`);
    assert.match(error!.message, message);
  }
  const taken = await startDashboard({ storage: url, port: 0 });
  let inUse: Error | null = null;
  try {
    await startDashboard({ storage: url, port: taken.port });
  } catch (e) {
    inUse = e as Error;
  } finally {
    await taken.close();
  }
  assert.match(inUse!.message, new RegExp(`port ${taken.port} on 127\\.0\\.0\\.1 is in use`));
});

bad.after(() => rmSync(dir, { recursive: true, force: true }));

bad.run();

const pgSuite = suite('dashboard server: a study on PostgreSQL');

pgSuite('two workers\' trials in a PostgreSQL study are listed as the storage holds them', async () => {
  const db = await freshPostgresDatabase();
  if ('skip' in db) {
    console.log(`  skipped: ${db.skip}`);
    return;
  }
  await Promise.all([makeStudy(db.url, 'shared', 4, 1), makeStudy(db.url, 'shared', 4, 2)]);
  const d = await startDashboard({ storage: db.url, port: 0 });
  try {
    const listed = (await request(`${d.url}api/studies`)).json().studies;
    assert.equal(listed.map((s: any) => [s.studyName, s.nTrials]), [['shared', 8]]);
    const trials = (await request(`${d.url}api/studies/${listed[0].studyId}/trials`)).json().trials;
    assert.equal(trials.map((t: any) => t.number), [0, 1, 2, 3, 4, 5, 6, 7]);
    const storage = await getStorage(db.url);
    const stored = await storage.getAllTrials(listed[0].studyId);
    await storage.close();
    assert.equal(trials.map((t: any) => [t.state, t.value, t.params]), stored.map((t) => [t.state, t.value, t.params]));
  } finally {
    await d.close();
  }
});

pgSuite.run();
