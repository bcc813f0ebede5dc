import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { describe } from '../format/number.js';

/**
 * The computation graph behind `root` in Graphviz DOT, for teaching: boxes are tensors (leaves that require
 * gradients are shaded, with their `names` where given), ellipses are ops, edges run from inputs to outputs.
 * Render with `dot -Tsvg`.
 */
export function toDot(root: Tensor, names: Map<Tensor, string> | Record<string, Tensor> = new Map()): string {
  if (!(root instanceof Tensor)) throw new TypeError(`toDot: expected a Tensor, got ${describe(root)}`);
  const labels = names instanceof Map ? names : new Map(Object.entries(names).map(([k, t]) => [t, k] as [Tensor, string]));
  const ids = new Map<Tensor, string>();
  const lines = ['digraph G {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];'];
  const stack = [root];
  const id = (t: Tensor) => {
    let s = ids.get(t);
    if (s === undefined) ids.set(t, (s = `t${ids.size}`));
    return s;
  };
  const seen = new Set<Tensor>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const name = labels.get(t) ?? (t === root ? 'output' : '');
    const label = `${name ? `${name}\\n` : ''}${formatShape(t.shape)}`;
    const style = t.isLeaf && t.requiresGrad ? ', style=filled, fillcolor="#dbeafe"' : '';
    lines.push(`  ${id(t)} [shape=box, label="${label}"${style}];`);
    if (t.creator !== null) {
      const op = `${id(t)}_op`;
      lines.push(`  ${op} [shape=ellipse, label="${t.creator.op}"];`, `  ${op} -> ${id(t)};`);
      for (const input of t.creator.inputs) {
        lines.push(`  ${id(input)} -> ${op};`);
        stack.push(input);
      }
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
