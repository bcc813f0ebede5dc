/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Draws a Vega-Lite spec from the server into an element with vega and vega-lite (loaded by the page from the
// server, as globals), as SVG, replacing the chart drawn there before; or writes why there is no chart.

interface VegaView {
  runAsync(): Promise<VegaView>;
  finalize(): void;
}
declare const vega: { View: new (runtime: unknown, options: Record<string, unknown>) => VegaView; parse(spec: unknown, config?: unknown): unknown };
declare const vegaLite: { compile(spec: unknown): { spec: unknown } };

const views = new WeakMap<HTMLElement, VegaView>();
const CONFIG = { font: 'system-ui, sans-serif', legend: { labelLimit: 400 }, mark: { tooltip: true } };

/** The chart, or the reason, for `target`; resolves when drawn. */
export async function drawChart(target: HTMLElement, answer: { spec?: object; reason?: string }, label: string): Promise<void> {
  views.get(target)?.finalize();
  views.delete(target);
  if (answer.spec === undefined) {
    target.replaceChildren();
    const p = document.createElement('p');
    p.className = 'reason';
    p.textContent = `${label}: not drawn: ${answer.reason ?? 'no data'}.`;
    target.append(p);
    target.dataset.drawn = 'reason';
    return;
  }
  const spec = { ...answer.spec, config: { ...CONFIG, ...(answer.spec as { config?: object }).config } };
  const holder = document.createElement('div');
  holder.setAttribute('role', 'img');
  holder.setAttribute('aria-label', label);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'svg', container: holder, hover: true });
  await view.runAsync();
  target.replaceChildren(holder);
  views.set(target, view);
  target.dataset.drawn = 'chart';
}
