// The dashboard on a study of 1,000 trials, in Chromium: time from the click on the study to its trials table,
// building the table's rows (the page's own count), fetching the trials' JSON, and a re-sort painted. Run alone:
// `node --import tsx bench/dashboard.ts` (needs Debian's chromium; says so and exits 0 without it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard } from '../src/dashboard/server.js';
import { createStudy } from '../src/tune/study.js';
import { createTrial } from '../src/tune/create-trial.js';
import { CHROMIUM, launchChromium, openPage } from '../test/helpers/chromium.js';

/** Medians over `rounds` page loads of the 1,000-trial study; null without a chromium. */
export async function dashboardSuite(log: (s: string) => void, rounds = 3): Promise<Record<string, number> | null> {
  if (CHROMIUM === undefined) {
    log('  dashboard: skipped (no chromium found; set CHROMIUM_PATH or install Debian\'s chromium)');
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-bench-dashboard-'));
  const url = `sqlite:///${join(dir, 'study.db')}`;
  const study = await createStudy({ studyName: 'thousand', storage: url, direction: 'minimize' });
  const dist = { x: { type: 'float', low: -5, high: 5, log: false, step: null }, y: { type: 'int', low: 0, high: 4, log: false, step: 1 } };
  await study.addTrials(Array.from({ length: 1000 }, (_, i) => {
    const x = ((i * 7919) % 1000) / 100 - 5, y = i % 5;
    return createTrial({ params: { x, y }, distributions: dist, value: x * x + y, intermediateValues: { 0: x * x + y + 1, 1: x * x + y } } as never);
  }));
  await study.storage.close();
  const dashboard = await startDashboard({ storage: url, port: 0, pollMs: 250 });
  const browser = await launchChromium();
  const runs: Record<string, number>[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const { p } = await openPage(browser, dashboard.url, { ready: 'dashboard' });
      const started = performance.now();
      await p.click('#list button:has-text("thousand")');
      await p.waitForFunction(() => document.getElementById('trial-count')?.dataset.total === '1000', undefined, { timeout: 60_000 });
      const clickToTable = performance.now() - started;
      const rowsMs = (await p.evaluate(() => (globalThis as any).dashboard.tableRenderMs)) as number;
      const fetchMs = await p.evaluate(async () => {
        const id = document.querySelector('#list button[aria-current="true"]')!.getAttribute('data-study');
        const t0 = performance.now();
        await (await fetch(`api/studies/${id}/trials`)).json();
        return performance.now() - t0;
      });
      const resortMs = await p.evaluate(() => new Promise<number>((resolve) => {
        const t0 = performance.now();
        (document.getElementById('sort-value') as HTMLButtonElement).click();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0))); // the frame painted
      }));
      runs.push({ clickToTable, rowsMs, fetchMs, resortMs });
      await p.close();
    }
  } finally {
    await browser.close();
    await dashboard.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (k: string) => runs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  const out = { clickToTable: median('clickToTable'), rowsMs: median('rowsMs'), fetchMs: median('fetchMs'), resortMs: median('resortMs') };
  log(`  dashboard, 1,000 trials (Chromium, median of ${rounds}): table shown ${out.clickToTable.toFixed(0)} ms after the click; its rows built in ${out.rowsMs.toFixed(0)} ms; the trials' JSON fetched in ${out.fetchMs.toFixed(0)} ms; a re-sort painted in ${out.resortMs.toFixed(0)} ms`);
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await dashboardSuite(console.log);
