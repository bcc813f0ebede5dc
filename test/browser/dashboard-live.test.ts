// A finder run followed live in Chromium (playwright-core, Debian's chromium): the page, opened on `#run=NAME` as
// `lrlab find --live` prints it, shows the run under way from its progress file and grows as the file is rewritten
// (the range test step by step, the sweep, a long run epoch by epoch, then the recommendation), without a reload and
// with the keyboard focus left where it was; then the report takes over. A stopped run and a corrupt progress file
// each say so. The progress files are the ones a real run wrote (recorded first), put in place one by one so that
// each state is seen. Screenshots go to test/.output/dashboard/live-*.png. Without a chromium the suite skips.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import type { LiveFile } from '../../src/dashboard/live.js';
import { writeReport } from '../../src/report/report.js';
import { makeFinderReport } from '../dashboard/helpers.js';
import { recordLiveRun } from '../dashboard/live-helpers.js';
import { CHROMIUM, chromiumTest, launchChromium, openPage } from '../helpers/chromium.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const shots = join(repo, 'test/.output/dashboard');
const dir = mkdtempSync(join(tmpdir(), 'lrlab-dashboard-live-browser-'));
const reports = join(dir, 'reports');

const test = suite('dashboard: a finder run followed live in Chromium');
let browser: import('playwright-core').Browser | null = null;
let dashboard: Dashboard | null = null;

test.before(async () => {
  if (CHROMIUM === undefined) return;
  browser = await launchChromium();
  mkdirSync(shots, { recursive: true });
});

test.after(async () => {
  await browser?.close();
  await dashboard?.close();
  rmSync(dir, { recursive: true, force: true });
});

const skip = chromiumTest(test);

skip('a run under way is shown and grows without a reload, then its report takes over', async () => {
  const recorded = recordLiveRun(join(dir, 'recorded', 'now'));
  const files = recorded.snapshots.map((s) => s.text);
  /** The file the run wrote right after its progress reached `done` in `stage` (the partial that follows it). */
  const at = (stage: string, done: number) => {
    const i = recorded.snapshots.findIndex((s) => s.event === 'progress' && s.stage === stage && s.done === done);
    return files[i + 1];
  };
  const put = (text: string) => writeFileSync(join(reports, '.now.live.json'), text);
  mkdirSync(reports, { recursive: true });
  await makeFinderReport(join(reports, 'earlier'));
  put(at('range test', 5));
  dashboard = await startDashboard({ storage: reports, port: 0, pollMs: 250 });

  const { p, errors } = await openPage(browser!, `${dashboard.url}#run=now`, { ready: 'dashboard' });
  await p.evaluate(() => ((globalThis as any).loadedOnce = true)); // gone if the page reloads
  const text = (id: string) => p.$eval(`#${id}`, (el) => el.textContent ?? '');
  const until = (id: string, pattern: RegExp) => p.waitForFunction(([i, s]) => new RegExp(s).test(document.getElementById(i)?.textContent ?? ''), [id, pattern.source] as const, { timeout: 30_000 });

  // the range test, step by step: the run the address names is open, its progress said
  await until('live', /Running \(process \d+\): range test 5\/30/);
  assert.match(await text('run-title'), /^Finder run now: a test series/);
  assert.match(await p.$eval('#list button[aria-current="true"]', (b) => b.textContent ?? ''), /^now: a test series \(running\)$/);
  assert.match(await text('recommendation'), /No recommendation yet/);
  await until('chart-range-test', /so far: range test 5\/30/);
  put(at('range test', 20));
  await until('chart-range-test', /so far: range test 20\/30/);
  assert.not.match(await text('chart-range-test'), /valley/, 'no rules while the curve grows');
  await p.screenshot({ path: join(shots, 'live-range-test.png'), fullPage: true });

  // the sweep, chosen from the keyboard; the focus stays on its tab while the run moves on
  put(at('sweep', 1));
  await until('live', /sweep 1\/3/);
  assert.match(await text('rules'), /steepest .*valley .*minimum .*slide/, 'the four rules, once the range test is whole');
  await p.focus('#tab-range-test');
  await p.keyboard.press('ArrowRight');
  await until('chart-sweep', /so far: sweep 1\/3/);
  put(at('sweep', 2));
  await until('chart-sweep', /so far: sweep 2\/3/);
  assert.is(await p.evaluate(() => document.activeElement?.id), 'tab-sweep', 'the focus stays on the tab');
  await p.screenshot({ path: join(shots, 'live-sweep.png'), fullPage: true });

  // a long run, epoch by epoch
  put(at('baseline', 1));
  await p.click('#tab-long-runs');
  await until('chart-long-runs', /so far: baseline 1\/6/);
  const marks = () => p.$eval('#chart-long-runs', (el) => el.querySelectorAll('svg path').length);
  put(at('baseline', 3));
  await until('chart-long-runs', /so far: baseline 3\/6/);
  assert.ok(await marks() > 0, 'the long runs are drawn');
  await p.click('#tab-validation');
  await until('chart-validation', /Validation run/);
  await p.screenshot({ path: join(shots, 'live-validation.png'), fullPage: true });
  await p.click('#tab-long-runs');
  await p.screenshot({ path: join(shots, 'live-long-runs.png'), fullPage: true });

  // the end: the recommendation and the comparison, then the report
  put(files[files.length - 1]);
  await until('recommendation', new RegExp(recorded.result.recommendation.sentence.slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await until('live', /finished; its report is being written/);
  await p.click('#tab-summary');
  assert.ok(await p.$$eval('#comparison tbody tr', (trs) => trs.length) > 3, 'the comparison table');
  await p.screenshot({ path: join(shots, 'live-finished.png'), fullPage: true });
  await writeReport(join(reports, 'now'), recorded.result);
  rmSync(join(reports, '.now.live.json'));
  await p.waitForFunction(() => (document.getElementById('live') as HTMLElement).hidden && /Written/.test(document.getElementById('run-meta')?.textContent ?? ''), undefined, { timeout: 30_000 });
  assert.match(await p.$eval('#list button[aria-current="true"]', (b) => b.textContent ?? ''), /^now: a test series$/);
  assert.ok(await p.evaluate(() => (globalThis as any).loadedOnce === true), 'the page was not reloaded');
  assert.equal(errors, []);
  await p.close();
});

skip('a run whose process is gone says it stopped; a corrupt progress file says so', async () => {
  const gone = spawnSync(process.execPath, ['-e', '']).pid!;
  const file = JSON.parse(recordLiveRun(join(dir, 'recorded', 'stopped')).snapshots.find((s) => s.file.stage === 'sweep')!.text) as LiveFile;
  writeFileSync(join(reports, '.stopped.live.json'), JSON.stringify({ ...file, pid: gone }));
  writeFileSync(join(reports, '.broken.live.json'), '{"lrlabLive": 1, "pid"');
  const { p, errors } = await openPage(browser!, `${dashboard!.url}#run=stopped`, { consoleErrors: false });
  await p.waitForFunction(() => /stopped before its end/.test(document.getElementById('live')?.textContent ?? ''), undefined, { timeout: 30_000 });
  assert.match(await p.$eval('#live', (el) => el.textContent ?? ''), new RegExp(`its process ${gone} is gone`));
  assert.ok(await p.$eval('#live', (el) => el.classList.contains('error')), 'shown as an error');
  assert.match(await p.$eval('#list', (el) => el.textContent ?? ''), /stopped: a test series \(stopped\)/);
  await p.screenshot({ path: join(shots, 'live-stopped.png'), fullPage: true });
  await p.click('#list button:has-text("broken")');
  await p.waitForFunction(() => /could not read the progress of the run broken/.test(document.getElementById('view')?.textContent ?? ''), undefined, { timeout: 30_000 });
  assert.match(await p.$eval('#view', (el) => el.textContent ?? ''), /\.broken\.live\.json\): not JSON/);
  await p.screenshot({ path: join(shots, 'live-corrupt.png'), fullPage: true });
  assert.equal(errors, []);
  await p.close();
});

test.run();
