/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Small DOM helpers of the dashboard page: escaping, elements, and a keyboard-operable tab list (WAI-ARIA tabs:
// one tab in the tab order, arrow keys, Home and End move between tabs).

/** Text made safe for innerHTML. */
export function esc(v: unknown): string {
  return String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A new element with attributes and text. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A number as people read it: up to 6 significant digits; the strings NaN and Infinity as they are. */
export function fmt(v: unknown): string {
  if (typeof v !== 'number') return v === null || v === undefined ? '' : String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? String(Number(v.toPrecision(6))) : v.toExponential(3);
}

/** A learning rate as the reports write it: 1e-3, 4.18e-3. */
export function fmtLr(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
}

export interface Tab {
  id: string;
  label: string;
}

/**
 * A tab list in `bar` whose panels are made by the caller (`panel-${id}`, labelled by `tab-${id}`); `onSelect` runs
 * when a tab is chosen by click, Enter/Space or the arrow keys.
 */
export function tabList(bar: HTMLElement, prefix: string, tabs: readonly Tab[], selected: string, onSelect: (id: string) => void): (id: string) => void {
  bar.setAttribute('role', 'tablist');
  bar.replaceChildren();
  const buttons = tabs.map((t) => {
    const b = h('button', { role: 'tab', id: `${prefix}tab-${t.id}`, 'aria-controls': `${prefix}panel-${t.id}`, type: 'button' }, t.label);
    b.addEventListener('click', () => select(t.id, true));
    b.addEventListener('keydown', (e) => {
      const shown = buttons.filter((b) => !b.hidden); // a hidden tab (the Pareto front of one objective) is skipped
      const i = shown.indexOf(b), n = shown.length;
      const to = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
      if (to < 0) return;
      e.preventDefault();
      const k = buttons.indexOf(shown[to]);
      select(tabs[k].id, true);
      buttons[k].focus();
    });
    bar.append(b);
    return b;
  });
  function select(id: string, notify: boolean): void {
    tabs.forEach((t, i) => {
      const on = t.id === id;
      buttons[i].setAttribute('aria-selected', String(on));
      buttons[i].tabIndex = on ? 0 : -1;
      const panel = document.getElementById(`${prefix}panel-${t.id}`);
      if (panel) panel.hidden = !on;
    });
    if (notify) onSelect(id);
  }
  select(selected, false);
  return (id) => select(id, false);
}
