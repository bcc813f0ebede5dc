/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// A storage's studies: the list, and for the chosen study its trials table, a trial's detail and the chart panels
// (history, intermediate values, importances, slice, contour, parallel coordinates, and the Pareto front when the
// study has several objectives). Each poll asks for the trials `since` the revision shown; only a change redraws.
import { getJson } from './api.js';
import { drawChart } from './chart.js';
import { esc, fmt, h, tabList, type Tab } from './dom.js';
import { TrialsTable, type Trial } from './trials-table.js';

interface Study {
  studyId: number;
  studyName: string;
  directions: string[];
  nTrials: number;
  best: { number: number; value: number | string | null } | null;
  datetimeStart: string | null;
}

const PANELS: Tab[] = [
  { id: 'trials', label: 'Trials' },
  { id: 'history', label: 'History' },
  { id: 'intermediate', label: 'Intermediate values' },
  { id: 'importances', label: 'Importances' },
  { id: 'slice', label: 'Slice' },
  { id: 'contour', label: 'Contour' },
  { id: 'parallel', label: 'Parallel coordinates' },
  { id: 'pareto', label: 'Pareto front' },
];

export class StudiesView {
  private studies: Study[] = [];
  private studyId: number | null = null;
  private revision = '';
  private panel = 'trials';
  private objective = 0;
  private directions: string[] = ['minimize'];
  private trials: Trial[] = [];
  private table: TrialsTable | null = null;
  private drawn = new Map<string, string>(); // panel -> revision:objective drawn
  private seen = new Map<number, number>(); // study -> trials last received: the list of studies is read less often
  private drawing: Promise<void> = Promise.resolve();
  /** Milliseconds from choosing a study to its trials table drawn (the first time). */
  firstTableMs: number | null = null;
  private chosenAt = 0;

  constructor(private readonly list: HTMLElement, private readonly empty: HTMLElement, private readonly view: HTMLElement, private readonly source: string) {}

  /** One poll: the studies, then the chosen study's trials if they changed. Returns the error to show, or null. */
  async refresh(): Promise<string | null> {
    const answer = await getJson<{ studies: Study[] }>('api/studies');
    if (!answer.ok) {
      if (this.studies.length === 0) this.showEmpty(answer.error);
      return answer.error;
    }
    this.studies = answer.data.studies;
    this.drawList();
    if (this.studies.length === 0) {
      this.studyId = null;
      this.showEmpty(null);
      return null;
    }
    if (this.studyId === null || !this.studies.some((s) => s.studyId === this.studyId)) this.choose(this.studies[0].studyId);
    return this.refreshTrials();
  }

  private showEmpty(error: string | null): void {
    this.view.replaceChildren(h('p', { class: 'empty', id: 'empty' }, error === null
      ? `No studies in ${this.source} yet. They appear here as workers create them (lrlab tune --storage ...).`
      : `The studies cannot be shown: ${error}. The page tries again by itself.`));
  }

  private drawList(): void {
    this.empty.hidden = this.studies.length > 0;
    this.empty.textContent = 'none yet';
    const items = this.studies.map((s) => {
      const li = h('li');
      const n = Math.max(s.nTrials, this.seen.get(s.studyId) ?? 0);
      const b = h('button', { type: 'button', id: `study-${s.studyId}`, 'data-study': String(s.studyId), 'aria-current': String(s.studyId === this.studyId) }, `${s.studyName} (${n} trials)`);
      b.addEventListener('click', () => {
        this.choose(s.studyId);
        void this.refreshTrials();
      });
      li.append(b);
      return li;
    });
    const focused = document.activeElement?.id;
    this.list.replaceChildren(...items);
    if (focused?.startsWith('study-')) document.getElementById(focused)?.focus();
  }

  /** Shows study `id`: its frame now, its trials at the next refreshTrials. */
  private choose(id: number): void {
    this.studyId = id;
    this.revision = '';
    this.objective = 0;
    this.drawn.clear();
    this.chosenAt = performance.now();
    this.firstTableMs = null;
    for (const b of this.list.querySelectorAll('button[data-study]')) b.setAttribute('aria-current', String(Number(b.getAttribute('data-study')) === id));
    const s = this.studies.find((x) => x.studyId === id)!;
    const title = h('h2', { id: 'study-title' }, `Study ${s.studyName}`);
    const meta = h('p', { id: 'study-meta', class: 'note' });
    const objectiveBar = h('div', { id: 'objective-bar', class: 'filters' });
    const bar = h('div', { 'aria-label': 'Panels of the study' });
    const panels = PANELS.map((p) => {
      const section = h('section', { role: 'tabpanel', id: `panel-${p.id}`, 'aria-labelledby': `tab-${p.id}`, tabindex: '0' });
      if (p.id !== 'trials') section.append(h('div', { class: 'chart', id: `chart-${p.id}` }));
      return section;
    });
    this.view.replaceChildren(title, meta, objectiveBar, bar, ...panels);
    const detail = h('section', { class: 'detail', id: 'trial-detail', 'aria-live': 'polite', hidden: '' });
    this.table = new TrialsTable(panels[0], (t) => this.showTrial(detail, t));
    panels[0].append(detail);
    if (!PANELS.some((p) => p.id === this.panel)) this.panel = 'trials';
    tabList(bar, '', PANELS, this.panel, (panel) => {
      this.panel = panel;
      void this.drawPanel();
    });
  }

  private async refreshTrials(): Promise<string | null> {
    const id = this.studyId;
    if (id === null) return null;
    const answer = await getJson<{ revision: string; unchanged?: boolean; directions?: string[]; trials?: Trial[] }>(`api/studies/${id}/trials?since=${this.revision}`);
    if (id !== this.studyId) return null; // another study was chosen meanwhile
    if (!answer.ok) return answer.error;
    if (answer.data.unchanged) return null;
    this.revision = answer.data.revision;
    this.trials = answer.data.trials ?? [];
    this.seen.set(id, this.trials.length);
    const s = this.studies.find((x) => x.studyId === id);
    const button = document.getElementById(`study-${id}`);
    if (s && button) button.textContent = `${s.studyName} (${Math.max(s.nTrials, this.trials.length)} trials)`;
    this.directions = answer.data.directions ?? ['minimize'];
    this.drawMeta();
    this.table!.update(this.trials, this.directions.length);
    if (this.firstTableMs === null) this.firstTableMs = performance.now() - this.chosenAt;
    await this.drawPanel();
    return null;
  }

  private drawMeta(): void {
    const s = this.studies.find((x) => x.studyId === this.studyId);
    const counts = ['complete', 'pruned', 'fail', 'running', 'waiting'].map((st) => [st, this.trials.filter((t) => t.state === st).length] as const).filter(([, n]) => n > 0);
    const best = s?.best ? `; best: trial ${s.best.number}, value ${fmt(s.best.value)}` : '';
    const meta = document.getElementById('study-meta');
    if (meta) meta.textContent = `${this.trials.length} trials (${counts.map(([st, n]) => `${n} ${st}`).join(', ') || 'none yet'}); ${this.directions.length === 1 ? `direction: ${this.directions[0]}` : `${this.directions.length} objectives: ${this.directions.join(', ')}`}${best}`;
    // several objectives: the single-objective panels plot one at a time, and the Pareto tab shows
    document.getElementById('tab-pareto')!.hidden = this.directions.length < 2;
    const bar = document.getElementById('objective-bar')!;
    if (this.directions.length > 1 && bar.childElementCount === 0) {
      const select = h('select', { id: 'objective' });
      select.append(...this.directions.map((d, k) => h('option', { value: String(k) }, `objective ${k} (${d})`)));
      select.addEventListener('change', () => {
        this.objective = Number(select.value);
        void this.drawPanel();
      });
      const label = h('label', {}, 'Objective plotted');
      label.append(select);
      bar.append(label);
    }
  }

  /** Draws the shown chart panel if the trials or the objective changed since it was drawn. */
  private drawPanel(): Promise<void> {
    this.drawing = this.drawing.then(async () => {
      const panel = this.panel, id = this.studyId;
      if (panel === 'trials' || id === null || this.revision === '') return;
      const stamp = `${this.revision}:${this.objective}`;
      if (this.drawn.get(panel) === stamp) return;
      const answer = await getJson<{ spec?: object; reason?: string }>(`api/studies/${id}/plots/${panel}?objective=${this.objective}&revision=${this.revision}`);
      const target = document.getElementById(`chart-${panel}`);
      if (!target || id !== this.studyId) return;
      if (!answer.ok) {
        await drawChart(target, { reason: answer.error }, PANELS.find((p) => p.id === panel)!.label);
        return;
      }
      await drawChart(target, answer.data, PANELS.find((p) => p.id === panel)!.label);
      this.drawn.set(panel, stamp);
    });
    return this.drawing;
  }

  private showTrial(detail: HTMLElement, t: Trial): void {
    detail.hidden = false;
    const row = (k: string, v: unknown, cls = '') => `<dt>${esc(k)}</dt><dd${cls ? ` class="${cls}"` : ''}>${esc(typeof v === 'string' ? v : JSON.stringify(v, null, 1))}</dd>`;
    const reason = t.userAttrs.failReason;
    const attrs = Object.entries(t.userAttrs).filter(([k]) => k !== 'failReason');
    detail.innerHTML = `<h3 id="trial-detail-title">Trial ${t.number}: ${esc(t.state)}</h3>
<dl>${row(this.directions.length > 1 ? 'values' : 'value', this.directions.length > 1 ? t.values : fmt(t.values?.[0] ?? t.value))}${reason === undefined ? '' : row('failure reason', String(reason), 'fail-reason')}
${row('started', t.datetimeStart ?? '-')}${row('ended', t.datetimeComplete ?? '-')}${row('intermediate values', t.intermediateValues.length === 0 ? 'none' : t.intermediateValues.map(([s, v]) => `${s}: ${fmt(v)}`).join(', '))}</dl>
<h4>Parameters</h4><dl>${Object.entries(t.params).map(([k, v]) => row(k, typeof v === 'number' ? fmt(v) : v)).join('') || '<dt>none</dt><dd></dd>'}</dl>
<h4>User attributes</h4><dl>${attrs.map(([k, v]) => row(k, v)).join('') || '<dt>none</dt><dd></dd>'}</dl>`;
  }
}
