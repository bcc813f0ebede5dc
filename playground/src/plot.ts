// A small SVG line chart for the playground: linear or log axes, several series, optional markers. Charts here are
// drawn by hand (not Vega) so the page stays light and works offline.
export interface Series {
  name: string;
  xs: number[];
  ys: number[];
  color: string;
  dashed?: boolean;
}

export interface Marker {
  x: number;
  label: string;
  color: string;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  logX?: boolean;
  logY?: boolean;
  xLabel: string;
  yLabel: string;
  title: string;
  markers?: Marker[];
  /** Clip the y axis here (a range test's divergence would flatten the rest). */
  yMax?: number;
}

export { fmt } from './format.js';
import { fmt } from './format.js';

const NS = 'http://www.w3.org/2000/svg';

export function svgEl(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * Tick values: powers of ten on a log axis, about five round numbers on a linear one. The ticks are counted, not
 * accumulated (`lo + i * step`), so a span of a few ulps, where `v += step` would never move v, still ends.
 */
export function ticks(lo: number, hi: number, log: boolean): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi < lo || (log && lo <= 0)) return [];
  if (log) {
    const out: number[] = [];
    for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) out.push(10 ** e);
    return out.length > 0 ? out : [lo, hi];
  }
  const span = hi - lo;
  if (span <= 1e-9 * Math.max(Math.abs(lo), Math.abs(hi))) return [lo];
  const step = 10 ** Math.floor(Math.log10(span / 5));
  const s = ([1, 2, 5, 10].find((m) => span / (m * step) <= 6) ?? 10) * step;
  const first = Math.ceil(lo / s), count = Math.floor(hi / s + 1e-9) - first + 1;
  return Array.from({ length: Math.max(0, Math.min(count, 20)) }, (_, i) => Number(((first + i) * s).toPrecision(12)));
}


/** Draws the series into a fresh <svg> and returns it. */
export function lineChart(series: Series[], o: ChartOptions): SVGSVGElement {
  const W = o.width ?? 520, H = o.height ?? 300, L = 64, R = 16, T = 44, B = 44;
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': o.title }) as SVGSVGElement;
  const xs = series.flatMap((s) => s.xs).filter((v) => Number.isFinite(v) && (!o.logX || v > 0));
  const ys = series.flatMap((s) => s.ys).filter((v) => Number.isFinite(v) && (!o.logY || v > 0) && (o.yMax === undefined || v <= o.yMax));
  if (xs.length === 0 || ys.length === 0) return svg;
  const tx = (v: number) => (o.logX ? Math.log10(v) : v), ty = (v: number) => (o.logY ? Math.log10(v) : v);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  // a range of a few ulps (a loss and its smoothed value at the first step) is drawn as a flat line, padded
  const flat = (a: number, b: number) => b - a <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1e-300);
  if (flat(x0, x1)) [x0, x1] = o.logX ? [x0 / 2, x1 * 2] : [x0 - (Math.abs(x0) || 1), x1 + (Math.abs(x1) || 1)];
  if (flat(y0, y1)) [y0, y1] = o.logY ? [y0 / 2, y1 * 2] : [y0 - (Math.abs(y0) || 1), y1 + (Math.abs(y1) || 1)];
  const px = (v: number) => L + ((tx(v) - tx(x0)) / (tx(x1) - tx(x0))) * (W - L - R);
  const py = (v: number) => H - B - ((ty(v) - ty(y0)) / (ty(y1) - ty(y0))) * (H - T - B);
  svg.append(svgEl('text', { x: W / 2, y: 16, 'text-anchor': 'middle', class: 'chart-title' }, o.title));
  for (const v of ticks(x0, x1, o.logX ?? false)) {
    svg.append(svgEl('line', { x1: px(v), x2: px(v), y1: T, y2: H - B, class: 'grid' }));
    svg.append(svgEl('text', { x: px(v), y: H - B + 16, 'text-anchor': 'middle', class: 'tick' }, fmt(v)));
  }
  for (const v of ticks(y0, y1, o.logY ?? false)) {
    svg.append(svgEl('line', { x1: L, x2: W - R, y1: py(v), y2: py(v), class: 'grid' }));
    svg.append(svgEl('text', { x: L - 6, y: py(v) + 4, 'text-anchor': 'end', class: 'tick' }, fmt(v)));
  }
  svg.append(svgEl('text', { x: (L + W - R) / 2, y: H - 8, 'text-anchor': 'middle', class: 'axis-label' }, o.xLabel));
  svg.append(svgEl('text', { x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 14 ${(T + H - B) / 2})` }, o.yLabel));
  for (const s of series) {
    const pts = s.xs.map((x, i) => [x, s.ys[i]]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logX || x > 0) && (!o.logY || y > 0));
    const d = pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(Math.min(Math.max(y, y0), y1)).toFixed(1)}`).join('');
    svg.append(svgEl('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': s.dashed ? '5 4' : 'none' }));
  }
  (o.markers ?? []).forEach((m, i) => {
    if (!(m.x >= x0 && m.x <= x1)) return;
    svg.append(svgEl('line', { x1: px(m.x), x2: px(m.x), y1: T, y2: H - B, stroke: m.color, 'stroke-width': 1.5, 'stroke-dasharray': '3 3' }));
    svg.append(svgEl('text', { x: px(m.x) + 4, y: T + 12 + 13 * i, class: 'marker-label', fill: m.color }, m.label));
    svg.append(svgEl('title', {}, m.label));
  });
  const legend = svgEl('g', { class: 'legend' });
  let lx = L; // one row above the plot, so the legend never covers a curve or a marker
  for (const s of series) {
    legend.append(svgEl('rect', { x: lx, y: 26, width: 12, height: 3, fill: s.color }));
    legend.append(svgEl('text', { x: lx + 16, y: 31, class: 'tick' }, s.name));
    lx += 28 + 6.5 * s.name.length;
  }
  svg.append(legend);
  return svg;
}
