// Panel 4: the autograd graph of a small expression, read from lrlab's `toDot`, laid out in layers, with the
// gradient that flows back to each leaf after `backward()`.
import { tensor, toDot, type Tensor } from '../../src/index.js';
import { svgEl, fmt } from './plot.js';
import { EXPRESSIONS } from './expressions.js';

interface Graph {
  nodes: Map<string, { label: string; shape: string; filled: boolean }>;
  edges: [string, string][];
}

/** Reads the nodes and edges of the DOT text `toDot` writes. */
export function parseDot(dot: string): Graph {
  const nodes = new Map<string, { label: string; shape: string; filled: boolean }>();
  const edges: [string, string][] = [];
  for (const line of dot.split('\n')) {
    const edge = /^\s*(\w+) -> (\w+);/.exec(line);
    if (edge) { edges.push([edge[1], edge[2]]); continue; }
    const node = /^\s*(\w+) \[shape=(\w+), label="([^"]*)"(.*)\];/.exec(line);
    if (node && node[1] !== 'node') nodes.set(node[1], { shape: node[2], label: node[3].replace(/\\n/g, ' '), filled: node[4].includes('filled') });
  }
  return { nodes, edges };
}


export function mountGraph(root: HTMLElement): void {
  root.innerHTML = `
    <div class="controls"><label>Expression <select id="gr-expr">${Object.keys(EXPRESSIONS).map((k) => `<option>${k}</option>`).join('')}</select></label></div>
    <div id="gr-svg"></div><div id="gr-grads"></div>
    <p class="note">Boxes are tensors (shaded: leaves that require gradients), ellipses are ops. backward() walks the graph from the output in reverse topological order; each op returns its inputs' gradients and the engine adds them up.</p>`;
  const $ = (id: string) => root.querySelector<HTMLElement>(`#${id}`)!;

  function render(): void {
    const name = root.querySelector<HTMLSelectElement>('#gr-expr')!.value;
    const v = {
      w: tensor([[0.5, -1.0, 2.0]], { requiresGrad: true }),
      x: tensor([[1.0], [0.5], [0.25]]),
      b: tensor([[0.1]], { requiresGrad: true }),
    };
    const out = EXPRESSIONS[name](v);
    out.backward();
    const g = parseDot(toDot(out, { w: v.w, x: v.x, b: v.b }));
    // layers: longest distance from a source, so edges run left to right as in `rankdir=LR`
    const depth = new Map<string, number>();
    const incoming = (id: string) => g.edges.filter(([, to]) => to === id).map(([from]) => from);
    const depthOf = (id: string): number => {
      if (!depth.has(id)) depth.set(id, Math.max(-1, ...incoming(id).map(depthOf)) + 1);
      return depth.get(id)!;
    };
    for (const id of g.nodes.keys()) depthOf(id);
    const columns = new Map<number, string[]>();
    for (const [id, d] of depth) columns.set(d, [...(columns.get(d) ?? []), id]);
    const W = 150 * (Math.max(...depth.values()) + 1) + 40, H = 70 * Math.max(...[...columns.values()].map((c) => c.length)) + 30;
    const pos = new Map<string, [number, number]>();
    for (const [d, ids] of columns) ids.forEach((id, i) => pos.set(id, [20 + d * 150 + 55, 30 + i * 70 + 20]));
    const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', style: `max-width: ${W}px`, role: 'img', 'aria-label': `Autograd graph of ${name}` });
    for (const [from, to] of g.edges) {
      const [x1, y1] = pos.get(from)!, [x2, y2] = pos.get(to)!;
      svg.append(svgEl('line', { x1: x1 + 55, y1, x2: x2 - 55, y2, stroke: '#6b7280', 'marker-end': 'url(#arrow)' }));
    }
    const defs = svgEl('defs', {});
    const marker = svgEl('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' });
    marker.append(svgEl('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#6b7280' }));
    defs.append(marker);
    svg.append(defs);
    for (const [id, n] of g.nodes) {
      const [x, y] = pos.get(id)!;
      svg.append(n.shape === 'ellipse'
        ? svgEl('ellipse', { cx: x, cy: y, rx: 52, ry: 18, fill: '#fef3c7', stroke: '#92400e' })
        : svgEl('rect', { x: x - 55, y: y - 18, width: 110, height: 36, rx: 4, fill: n.filled ? '#dbeafe' : '#fff', stroke: '#1e3a8a' }));
      svg.append(svgEl('text', { x, y: y + 4, 'text-anchor': 'middle', class: 'tick' }, n.label));
    }
    // a leaf the expression does not use gets no gradient (null, as PyTorch's .grad stays None): say so
    const grads = (['w', 'b'] as const).map((k) => {
      const g = v[k].grad;
      return g === null ? `<li>∂output/∂${k}: none, ${k} is not in this expression (its .grad stays null, as in PyTorch)</li>` : `<li>∂output/∂${k} = [${Array.from(g.data).map(fmt).join(', ')}]</li>`;
    });
    // the graph, the output and the gradients change together, so they always belong to the same expression
    $('gr-svg').replaceChildren(svg);
    $('gr-grads').innerHTML = `<p>output = <output id="gr-output">${fmt(out.item())}</output></p><ul>${grads.join('')}</ul>`;
  }
  root.querySelector('#gr-expr')!.addEventListener('change', render);
  render();
}
