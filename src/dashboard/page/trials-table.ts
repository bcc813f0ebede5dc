/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The trials table: one row per trial (number, state, value or values, each parameter, duration), sortable by any
// column from its header button (Enter or Space on the focused header; aria-sort says the order), filtered by state
// and by one parameter's range or choice, shown a page at a time (a browser lays out a table of thousands of rows
// for most of a second on every redraw). A trial's number is a button that opens the trial's detail.
import { esc, fmt, h } from './dom.js';

/** A trial as the server sends it (src/dashboard/data.ts TrialJson). */
export interface Trial {
  number: number;
  state: string;
  value: number | string | null;
  values: (number | string)[] | null;
  params: Record<string, unknown>;
  distributions: Record<string, { type: string; choices?: unknown[] }>;
  intermediateValues: [number, number | string][];
  userAttrs: Record<string, unknown>;
  datetimeStart: string | null;
  datetimeComplete: string | null;
}

interface Column {
  key: string;
  label: string;
  text: boolean;
  get(t: Trial): unknown;
}

const STATES = ['complete', 'pruned', 'fail', 'running', 'waiting'];

const seconds = (t: Trial): number | null => (t.datetimeStart && t.datetimeComplete ? (Date.parse(t.datetimeComplete) - Date.parse(t.datetimeStart)) / 1000 : null);

/** Orders two cells: numbers by value, then text; empty cells last. */
function compare(a: unknown, b: unknown): number {
  const na = a === null || a === undefined || a === '', nb = b === null || b === undefined || b === '';
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return String(a).localeCompare(String(b));
}

export class TrialsTable {
  private trials: Trial[] = [];
  private objectives = 1;
  private sort = { key: 'number', descending: false };
  private selected: number | null = null;
  private first = 0; // index of the first row shown
  private readonly pageSize: HTMLSelectElement;
  private readonly pager: HTMLElement;
  private readonly stateSelect: HTMLSelectElement;
  private readonly paramSelect: HTMLSelectElement;
  private readonly min: HTMLInputElement;
  private readonly max: HTMLInputElement;
  private readonly choice: HTMLSelectElement;
  private readonly count: HTMLElement;
  private readonly table: HTMLTableElement;
  /** The time the last render took, in milliseconds (the page reports the first one). */
  lastRenderMs = 0;

  constructor(root: HTMLElement, private readonly onOpen: (t: Trial) => void) {
    const filters = h('div', { class: 'filters', role: 'group', 'aria-label': 'Filter the trials' });
    const labelled = (text: string, control: HTMLElement) => {
      const l = h('label', {}, text);
      l.append(control);
      return l;
    };
    this.stateSelect = h('select', { id: 'filter-state' });
    this.stateSelect.append(h('option', { value: '' }, 'any'), ...STATES.map((s) => h('option', { value: s }, s)));
    this.paramSelect = h('select', { id: 'filter-param' });
    this.min = h('input', { id: 'filter-min', type: 'number', step: 'any', size: '8' });
    this.max = h('input', { id: 'filter-max', type: 'number', step: 'any', size: '8' });
    this.choice = h('select', { id: 'filter-choice' });
    const minLabel = labelled('at least', this.min), maxLabel = labelled('at most', this.max), choiceLabel = labelled('equal to', this.choice);
    this.pageSize = h('select', { id: 'page-size' });
    this.pageSize.append(...['50', '100', '500', 'all'].map((n) => h('option', { value: n }, n)));
    this.pageSize.value = '100';
    filters.append(labelled('State', this.stateSelect), labelled('Parameter', this.paramSelect), minLabel, maxLabel, choiceLabel, labelled('Rows per page', this.pageSize));
    this.count = h('p', { id: 'trial-count', 'aria-live': 'polite' });
    this.pager = h('div', { class: 'filters', role: 'group', 'aria-label': 'Pages of the table' });
    const prev = h('button', { type: 'button', id: 'page-prev' }, 'Previous rows');
    const next = h('button', { type: 'button', id: 'page-next' }, 'Next rows');
    prev.addEventListener('click', () => this.turn(-1));
    next.addEventListener('click', () => this.turn(1));
    this.pager.append(prev, h('span', { id: 'page-range' }), next);
    this.pageSize.addEventListener('change', () => {
      this.first = 0;
      this.render();
    });
    const wrap = h('div', { class: 'table-wrap' });
    this.table = h('table', { id: 'trials-table' });
    this.table.append(h('caption', { class: 'note' }, 'Trials: sort with the column buttons; open a trial with its number.'));
    wrap.append(this.table);
    root.append(filters, this.count, this.pager, wrap);
    const showControls = () => {
      const d = this.distribution();
      const categorical = d?.type === 'categorical';
      minLabel.hidden = maxLabel.hidden = !d || categorical;
      choiceLabel.hidden = !categorical;
      if (categorical) {
        this.choice.replaceChildren(h('option', { value: '' }, 'any'), ...(d!.choices ?? []).map((c) => h('option', { value: JSON.stringify(c) }, String(c))));
      }
    };
    this.paramSelect.addEventListener('change', () => {
      this.min.value = this.max.value = '';
      showControls();
      this.render();
    });
    for (const c of [this.stateSelect, this.min, this.max, this.choice]) {
      c.addEventListener(c instanceof HTMLInputElement ? 'input' : 'change', () => {
        this.first = 0;
        this.render();
      });
    }
    this.showControls = showControls;
    showControls();
    this.table.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const sortKey = target.closest('button[data-sort]')?.getAttribute('data-sort');
      if (sortKey) {
        this.sort = { key: sortKey, descending: this.sort.key === sortKey ? !this.sort.descending : false };
        this.render();
        (document.getElementById(`sort-${sortKey}`) as HTMLElement | null)?.focus();
        return;
      }
      const row = target.closest('tr[data-trial]');
      if (row) this.open(Number(row.getAttribute('data-trial')));
    });
  }

  private showControls: () => void;

  private size(): number {
    return this.pageSize.value === 'all' ? Infinity : Number(this.pageSize.value);
  }

  private turn(by: number): void {
    const n = this.shown().length, size = this.size();
    this.first = Math.max(0, Math.min(this.first + by * size, Math.floor((n - 1) / size) * size));
    this.render();
  }

  private distribution(): Trial['distributions'][string] | undefined {
    const name = this.paramSelect.value;
    if (name === '') return undefined;
    for (let i = this.trials.length - 1; i >= 0; i--) if (name in this.trials[i].distributions) return this.trials[i].distributions[name];
    return undefined;
  }

  private open(n: number): void {
    const t = this.trials.find((x) => x.number === n);
    if (!t) return;
    this.selected = n;
    for (const tr of this.table.querySelectorAll('tr[aria-selected]')) tr.removeAttribute('aria-selected');
    this.table.querySelector(`tr[data-trial="${n}"]`)?.setAttribute('aria-selected', 'true');
    this.onOpen(t);
  }

  /** New trials (a poll that found changes): the filters, order, selection and focus stay. */
  update(trials: Trial[], objectives: number): void {
    this.trials = trials;
    this.objectives = objectives;
    const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
    const current = [...this.paramSelect.options].map((o) => o.value).slice(1);
    if (current.join('\u0000') !== names.join('\u0000')) {
      const keep = this.paramSelect.value;
      this.paramSelect.replaceChildren(h('option', { value: '' }, 'any'), ...names.map((n) => h('option', { value: n }, n)));
      this.paramSelect.value = names.includes(keep) ? keep : '';
      this.showControls();
    }
    this.render();
    if (this.selected !== null) {
      const t = trials.find((x) => x.number === this.selected);
      if (t) this.onOpen(t);
    }
  }

  private columns(): Column[] {
    const names = [...new Set(this.trials.flatMap((t) => Object.keys(t.params)))].sort();
    const values: Column[] = this.objectives === 1
      ? [{ key: 'value', label: 'value', text: false, get: (t) => t.values?.[0] ?? t.value }]
      : Array.from({ length: this.objectives }, (_, k) => ({ key: `value${k}`, label: `value ${k}`, text: false, get: (t: Trial) => t.values?.[k] ?? null }));
    return [
      { key: 'number', label: 'trial', text: false, get: (t) => t.number },
      { key: 'state', label: 'state', text: true, get: (t) => t.state },
      ...values,
      ...names.map((n) => ({ key: `param:${n}`, label: n, text: false, get: (t: Trial) => t.params[n] })),
      { key: 'duration', label: 'duration (s)', text: false, get: (t) => seconds(t) },
    ];
  }

  /** The trials that pass the filters. */
  private shown(): Trial[] {
    const state = this.stateSelect.value, name = this.paramSelect.value;
    const lo = this.min.value === '' ? -Infinity : Number(this.min.value), hi = this.max.value === '' ? Infinity : Number(this.max.value);
    const choice = this.choice.value;
    return this.trials.filter((t) => {
      if (state !== '' && t.state !== state) return false;
      if (name === '') return true;
      if (!(name in t.params)) return false;
      const v = t.params[name];
      if (this.distribution()?.type === 'categorical') return choice === '' || JSON.stringify(v) === choice;
      return typeof v === 'number' && v >= lo && v <= hi;
    });
  }

  render(): void {
    const started = performance.now();
    const focused = document.activeElement?.id ?? '';
    const columns = this.columns();
    const col = columns.find((c) => c.key === this.sort.key) ?? columns[0];
    const sign = this.sort.descending ? -1 : 1;
    // empty cells (a failed trial's value) stay last whichever the order
    const empty = (v: unknown) => v === null || v === undefined || v === '';
    const rows = this.shown().sort((a, b) => {
      const va = col.get(a), vb = col.get(b);
      if (empty(va) || empty(vb)) return compare(va, vb) || a.number - b.number;
      return sign * compare(va, vb) || a.number - b.number;
    });
    const head = columns.map((c) => {
      const sort = c.key === col.key ? (this.sort.descending ? 'descending' : 'ascending') : 'none';
      return `<th scope="col" class="${c.text ? 'text' : ''}" aria-sort="${sort}"><button type="button" id="sort-${esc(c.key)}" data-sort="${esc(c.key)}">${esc(c.label)}${sort === 'none' ? '' : sort === 'ascending' ? ' \u25b2' : ' \u25bc'}</button></th>`;
    }).join('');
    const size = this.size();
    if (this.first >= rows.length) this.first = Math.max(0, Math.floor((rows.length - 1) / size) * size) || 0;
    const page = rows.slice(this.first, this.first + size);
    const body = page.map((t) => {
      const cells = columns.slice(1).map((c) => {
        const v = c.get(t);
        return `<td class="${c.text ? 'text' : ''}${c.key === 'state' ? ` state-${esc(t.state)}` : ''}">${esc(fmt(v))}</td>`;
      }).join('');
      return `<tr data-trial="${t.number}"${t.number === this.selected ? ' aria-selected="true"' : ''}><td><button type="button" id="trial-${t.number}" aria-label="trial ${t.number}: details">${t.number}</button></td>${cells}</tr>`;
    }).join('');
    const caption = this.table.caption;
    this.table.innerHTML = `<thead><tr>${head}</tr></thead><tbody>${body}</tbody>`;
    if (caption) this.table.prepend(caption);
    this.count.textContent = `${this.trials.length} trials${rows.length === this.trials.length ? '' : `, ${rows.length} shown`}`;
    this.count.dataset.total = String(this.trials.length);
    this.count.dataset.shown = String(rows.length);
    this.pager.hidden = rows.length <= size;
    document.getElementById('page-range')!.textContent = `rows ${page.length === 0 ? 0 : this.first + 1} to ${this.first + page.length} of ${rows.length}`;
    (document.getElementById('page-prev') as HTMLButtonElement).disabled = this.first === 0;
    (document.getElementById('page-next') as HTMLButtonElement).disabled = this.first + size >= rows.length;
    if (focused !== '' && document.activeElement === document.body) document.getElementById(focused)?.focus();
    this.lastRenderMs = performance.now() - started;
    (globalThis as { dashboard?: { tableRenderMs?: number } }).dashboard!.tableRenderMs = this.lastRenderMs;
  }
}
