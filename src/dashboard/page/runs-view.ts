/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// A folder of finder reports: the runs, and for the chosen one its recommendation, the range-test curve with the
// four rules, the sweep, the validation run, the long runs per epoch and the comparison table. A run rewritten in
// place (a new `lrlab find --out` into the same folder) is redrawn at the next poll, and a run under way (--live)
// at every poll from its progress file: its texts are filled in again and the panel open redrawn, the tabs and the
// focus left where they are. `#run=ID` in the address opens that run (what `lrlab find --live` prints).
import { getJson } from './api.js';
import { drawChart } from './chart.js';
import { esc, fmtLr, h, tabList, type Tab } from './dom.js';
import type { RunJson } from '../reports.js';

// The server's own type (erased from the page's script: `import type` adds nothing to what is served). A run that
// could not be read comes as { id, error } alone (see server.ts's /api/runs).
type Run = RunJson & { error?: string };

/** A run under way in a few words: 'running', 'stopped', 'failed' or 'writing its report'. */
function liveWord(live: NonNullable<Run['live']>): string {
  return live.state === 'failed' ? 'failed' : live.state === 'finished' ? 'writing its report' : live.stopped ? 'stopped' : 'running';
}

/** The progress line of a run under way. */
function liveLine(live: NonNullable<Run['live']>): string {
  const at = `${live.stage}${live.total > 0 ? ` ${live.done}/${live.total}` : ''}`;
  const when = `started ${new Date(live.startedAt).toLocaleTimeString()}, last written ${new Date(live.updatedAt).toLocaleTimeString()}`;
  if (live.state === 'failed') return `This run failed at ${at}: ${live.error ?? 'no reason recorded'} (${when}).`;
  if (live.state === 'finished') return `This run has finished; its report is being written (${when}).`;
  if (live.stopped) return `This run stopped before its end, at ${at}: its process ${live.pid} is gone (${when}).`;
  return `Running (process ${live.pid}): ${at}; ${when}.`;
}

const PANELS: Tab[] = [
  { id: 'range-test', label: 'Range test' },
  { id: 'sweep', label: 'Sweep' },
  { id: 'validation', label: 'Validation run' },
  { id: 'long-runs', label: 'Long runs' },
  { id: 'metric', label: 'Metric' },
  { id: 'summary', label: 'Comparison' },
];

export class RunsView {
  private runs: Run[] = [];
  private runId: string | null = null;
  private shownStamp = '';
  /** The run whose page is built (its texts are filled in again at each change), null when none is. */
  private builtId: string | null = null;
  /** The run the address asks for (#run=ID), opened once it appears, until another is chosen. */
  private wanted: string | null = /^#run=(.+)$/.exec(location.hash) ? decodeURIComponent(/^#run=(.+)$/.exec(location.hash)![1]) : null;
  private panel = 'range-test';
  private drawn = new Map<string, string>();
  private drawing: Promise<void> = Promise.resolve();

  constructor(private readonly list: HTMLElement, private readonly empty: HTMLElement, private readonly view: HTMLElement, private readonly folder: string) {}

  async refresh(): Promise<string | null> {
    const answer = await getJson<{ runs: Run[] }>('api/runs');
    if (!answer.ok) return answer.error;
    this.runs = answer.data.runs;
    this.drawList();
    if (this.runs.length === 0) {
      this.runId = null;
      this.view.replaceChildren(h('p', { class: 'empty', id: 'empty' }, `No finder reports in ${this.folder}: a report is a folder holding results.json, as lrlab find --out DIR and lrlab demo write (the folder itself, or folders inside it). They appear here when written.`));
      return null;
    }
    if (this.wanted !== null && this.runs.some((r) => r.id === this.wanted)) this.runId = this.wanted;
    if (this.runId === null || !this.runs.some((r) => r.id === this.runId)) this.runId = this.runs[0].id;
    const run = this.runs.find((r) => r.id === this.runId)!;
    const stamp = `${run.id}:${run.modified}:${run.live?.writes ?? ''}`;
    if (stamp !== this.shownStamp) {
      this.shownStamp = stamp;
      this.show(run);
    }
    return null;
  }

  private drawList(): void {
    this.empty.hidden = this.runs.length > 0;
    this.empty.textContent = 'none yet';
    const focused = document.activeElement?.id;
    this.list.replaceChildren(...this.runs.map((r, i) => {
      const li = h('li');
      const b = h('button', { type: 'button', id: `run-${i}`, 'aria-current': String(r.id === this.runId) }, `${r.id === '.' ? `this folder: ${r.source}` : `${r.id}: ${r.source}`}${r.live ? ` (${liveWord(r.live)})` : ''}`);
      b.addEventListener('click', () => {
        this.runId = r.id;
        this.wanted = null;
        void this.refresh();
      });
      li.append(b);
      return li;
    }));
    if (focused?.startsWith('run-')) document.getElementById(focused)?.focus();
  }

  private show(run: Run): void {
    for (const b of this.list.querySelectorAll('button')) b.setAttribute('aria-current', String(b.textContent?.startsWith(run.id === '.' ? 'this folder' : `${run.id}:`)));
    if (run.error !== undefined) {
      this.builtId = null;
      this.drawn.clear();
      this.view.replaceChildren(h('h2', { id: 'run-title' }, `Report ${run.id}`), h('p', { class: 'empty' }, run.error));
      return;
    }
    if (this.builtId !== run.id) this.build(run);
    this.fill(run);
    void this.drawPanel();
  }

  /** The run's page: its texts (filled in by `fill`), the tabs and the panels. */
  private build(run: Run): void {
    this.drawn.clear();
    this.builtId = run.id;
    const bar = h('div', { 'aria-label': 'Panels of the run' });
    const panels = PANELS.map((p) => {
      const section = h('section', { role: 'tabpanel', id: `panel-${p.id}`, 'aria-labelledby': `tab-${p.id}`, tabindex: '0' });
      section.append(h('div', { class: 'chart', id: `chart-${p.id}` }));
      return section;
    });
    panels[PANELS.length - 1].replaceChildren(h('div', { id: 'comparison-holder' }));
    this.view.replaceChildren(
      h('h2', { id: 'run-title' }), h('p', { class: 'note', id: 'run-meta' }), h('p', { class: 'live', id: 'live' }), h('ul', { class: 'note', id: 'live-notes', 'aria-label': 'Progress lines, the latest last' }),
      h('p', { class: 'recommendation', id: 'recommendation' }), h('p', { class: 'note', id: 'rules' }), h('ul', { class: 'note', id: 'warnings' }), bar, ...panels,
    );
    tabList(bar, '', PANELS, this.panel, (panel) => {
      this.panel = panel;
      void this.drawPanel();
    });
  }

  /** The run's texts, written again at each change of the run (every poll while it runs). */
  private fill(run: Run): void {
    const text = (id: string, value: string) => {
      const el = document.getElementById(id)!;
      if (el.textContent !== value) el.textContent = value;
    };
    text('run-title', `Finder run ${run.id === '.' ? '' : `${run.id}: `}${run.source}`);
    text('run-meta', `${run.description}. Task: ${run.task}, model ${run.model}, loss ${run.lossName}. ${run.live ? 'Progress written' : 'Written'} ${run.modified}.`);
    const live = document.getElementById('live')!, notes = document.getElementById('live-notes')!;
    live.hidden = notes.hidden = run.live === null;
    live.classList.toggle('error', run.live !== null && (run.live.state === 'failed' || run.live.stopped));
    text('live', run.live ? liveLine(run.live) : '');
    const lines = (run.live?.notes ?? []).slice(-6).map((n) => `${n.stage}: ${n.detail}`);
    if ([...notes.children].map((li) => li.textContent).join('\n') !== lines.join('\n')) notes.replaceChildren(...lines.map((l) => h('li', {}, l)));
    text('recommendation', run.recommendation ? run.recommendation.sentence : run.live ? 'No recommendation yet: it comes at the end of the run.' : 'No recommendation recorded.');
    const rules = run.rules.length ? run.rules.map((r) => `${r.method} ${fmtLr(r.lr)}`).join(', ') : 'not known yet';
    text('rules', `Rules: ${rules}${run.spreadDecades === null ? '' : ` (they span ${run.spreadDecades.toFixed(2)} decades)`}; sweep best ${fmtLr(run.sweepBestLr)}; trained: ${run.trained ? `${run.trained.name} ${fmtLr(run.trained.lr)}, ${run.trained.reason}` : '-'}.`);
    const warnings = document.getElementById('warnings')!;
    warnings.hidden = run.warnings.length === 0;
    warnings.replaceChildren(...run.warnings.map((w) => h('li', {}, `warning: ${w}`)));
    const summary = document.getElementById('comparison-holder')!;
    summary.innerHTML = `<table id="comparison"><caption class="note">Your current rate against the trained one${run.comparison.length === 0 && run.live ? ' (at the end of the run)' : ''}</caption><thead><tr><th scope="col" class="text">metric</th><th scope="col">baseline</th><th scope="col">trained</th><th scope="col" class="text">change</th></tr></thead><tbody>${run.comparison.map((c) => `<tr><td class="text">${esc(c.metric)}</td><td>${esc(c.baseline)}</td><td>${esc(c.optimized)}</td><td class="text">${esc(c.change)}</td></tr>`).join('')}</tbody></table>`;
  }

  private drawPanel(): Promise<void> {
    this.drawing = this.drawing.then(async () => {
      const panel = this.panel, id = this.runId, stamp = this.shownStamp;
      if (panel === 'summary' || id === null || this.drawn.get(panel) === stamp) return;
      const answer = await getJson<{ spec?: object; reason?: string }>(`api/run/plot?id=${encodeURIComponent(id)}&kind=${panel}`);
      const target = document.getElementById(`chart-${panel}`);
      if (!target || id !== this.runId) return;
      const label = PANELS.find((p) => p.id === panel)!.label;
      await drawChart(target, answer.ok ? answer.data : { reason: answer.error }, label);
      if (answer.ok) this.drawn.set(panel, stamp);
    });
    return this.drawing;
  }
}
