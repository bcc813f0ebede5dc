/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// A folder of finder reports: the runs, and for the chosen one its recommendation, the range-test curve with the
// four rules, the sweep, the validation run, the long runs per epoch and the comparison table. A run rewritten in
// place (a new `lrlab find --out` into the same folder) is redrawn at the next poll.
import { getJson } from './api.js';
import { drawChart } from './chart.js';
import { esc, fmtLr, h, tabList, type Tab } from './dom.js';

interface Run {
  id: string;
  error?: string;
  source: string;
  description: string;
  task: string;
  model: string;
  lossName: string;
  modified: string;
  recommendation: { lr: number; confidence: string; sentence: string } | null;
  trained: { name: string; lr: number; reason: string } | null;
  rules: { method: string; lr: number | null }[];
  spreadDecades: number | null;
  sweepBestLr: number | null;
  candidates: { name: string; lr: number; valLoss: number | null }[];
  comparison: { metric: string; baseline: string; optimized: string; change: string }[];
  warnings: string[];
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
    if (this.runId === null || !this.runs.some((r) => r.id === this.runId)) this.runId = this.runs[0].id;
    const run = this.runs.find((r) => r.id === this.runId)!;
    const stamp = `${run.id}:${run.modified}`;
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
      const b = h('button', { type: 'button', id: `run-${i}`, 'aria-current': String(r.id === this.runId) }, r.id === '.' ? `this folder: ${r.source}` : `${r.id}: ${r.source}`);
      b.addEventListener('click', () => {
        this.runId = r.id;
        void this.refresh();
      });
      li.append(b);
      return li;
    }));
    if (focused?.startsWith('run-')) document.getElementById(focused)?.focus();
  }

  private show(run: Run): void {
    this.drawn.clear();
    for (const b of this.list.querySelectorAll('button')) b.setAttribute('aria-current', String(b.textContent?.startsWith(run.id === '.' ? 'this folder' : `${run.id}:`)));
    if (run.error !== undefined) {
      this.view.replaceChildren(h('h2', { id: 'run-title' }, `Report ${run.id}`), h('p', { class: 'empty' }, run.error));
      return;
    }
    const title = h('h2', { id: 'run-title' }, `Finder run ${run.id === '.' ? '' : `${run.id}: `}${run.source}`);
    const meta = h('p', { class: 'note' }, `${run.description}. Task: ${run.task}, model ${run.model}, loss ${run.lossName}. Written ${run.modified}.`);
    const rec = h('p', { class: 'recommendation', id: 'recommendation' }, run.recommendation ? run.recommendation.sentence : 'No recommendation recorded.');
    const rules = h('p', { class: 'note', id: 'rules' }, `Rules: ${run.rules.map((r) => `${r.method} ${fmtLr(r.lr)}`).join(', ')}${run.spreadDecades === null ? '' : ` (they span ${run.spreadDecades.toFixed(2)} decades)`}; sweep best ${fmtLr(run.sweepBestLr)}; trained: ${run.trained ? `${run.trained.name} ${fmtLr(run.trained.lr)}, ${run.trained.reason}` : '-'}.`);
    const warnings = run.warnings.length ? h('ul', { class: 'note' }) : null;
    warnings?.append(...run.warnings.map((w) => h('li', {}, `warning: ${w}`)));
    const bar = h('div', { 'aria-label': 'Panels of the run' });
    const panels = PANELS.map((p) => {
      const section = h('section', { role: 'tabpanel', id: `panel-${p.id}`, 'aria-labelledby': `tab-${p.id}`, tabindex: '0' });
      section.append(h('div', { class: 'chart', id: `chart-${p.id}` }));
      return section;
    });
    const summary = document.createElement('div');
    summary.innerHTML = `<table id="comparison"><caption class="note">Your current rate against the trained one</caption><thead><tr><th scope="col" class="text">metric</th><th scope="col">baseline</th><th scope="col">trained</th><th scope="col" class="text">change</th></tr></thead><tbody>${run.comparison.map((c) => `<tr><td class="text">${esc(c.metric)}</td><td>${esc(c.baseline)}</td><td>${esc(c.optimized)}</td><td class="text">${esc(c.change)}</td></tr>`).join('')}</tbody></table>`;
    panels[PANELS.length - 1].replaceChildren(summary);
    this.view.replaceChildren(title, meta, rec, rules, ...(warnings ? [warnings] : []), bar, ...panels);
    tabList(bar, '', PANELS, this.panel, (panel) => {
      this.panel = panel;
      void this.drawPanel();
    });
    void this.drawPanel();
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
