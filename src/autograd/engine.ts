import { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { alloc, allocStorage, inReuseScope, takeAllocated } from '../tensor/pool.js';
import { registerAlias, registerOutput, releaseGraph, releaseTensor } from './release.js';
import { getBackend } from '../tensor/backends/backend.js';
import { checkFunction, checkOptionsObject, checkBoolean } from '../format/check.js';
import { describe } from '../format/number.js';

/**
 * One node of the graph: the op, its inputs, and the local chain rule. `backward` receives dL/dOutput and
 * *returns* dL/dInput for each input (null where an input needs none); the engine accumulates and checks shapes.
 */
export interface Creator {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  backward(gradOut: Float32Array): readonly (Float32Array | null)[];
  /** Buffers the op allocated for itself outside reuseBuffers (its output, what it saved): freed with the graph. */
  readonly owned?: readonly Float32Array[];
}

let gradEnabled = true;

/** Whether ops are being recorded (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording ops, like `with torch.no_grad():`. */
export function noGrad<T>(fn: () => T): T {
  checkFunction('noGrad', 'its argument', fn);
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Wraps an op's output. When recording and some input requires a gradient, the output remembers how it was made.
 * Every op ends with this call, so the forward values and the chain rule sit side by side in the op's file.
 */
export function record(
  op: string,
  data: Float32Array,
  shape: readonly number[],
  inputs: readonly Tensor[],
  backward: (gradOut: Float32Array) => readonly (Float32Array | null)[],
): Tensor {
  const out = new Tensor(data, shape);
  for (const t of inputs) if (t.data === data) registerAlias(t, out);
  const recorded = gradEnabled && inputs.some((t) => t.requiresGrad);
  registerOutput(out, inputs, recorded);
  if (recorded) {
    out.requiresGrad = true;
    // the buffers allocated since the last recorded op are this op's, and go back with its graph (see release.ts)
    out.creator = { op, inputs, backward, owned: takeAllocated() };
  }
  return out;
}

/** Tensors reachable from `root` through creators, every node after all the nodes it was made from. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // iterative depth-first search: long graphs (an LSTM over 100 steps) would overflow a recursive one
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top[0].creator?.inputs ?? [];
    if (top[1] < inputs.length) {
      const next = inputs[top[1]++];
      if (next.requiresGrad && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order;
}

/** Options of `backward`, as `torch.Tensor.backward` names them. */
export interface BackwardOptions {
  /**
   * Keep the graph for another backward through it. Default false: the graph is consumed, and outside reuseBuffers
   * its storage goes back to the backend at once (its tensors keep their values; see release.ts).
   */
  retainGraph?: boolean;
}

/**
 * Reverse-mode differentiation from `root`: seed dL/dL (ones for a one-element root, else `gradient`), then walk the
 * graph from the output back, asking each creator for its inputs' gradients and summing them where a tensor feeds
 * several ops. Leaves that require gradients receive theirs in `grad` (added to any gradient already there).
 * Then, unless `retainGraph`, the graph is consumed: a second backward through it throws, as in PyTorch.
 */
export function backward(root: Tensor, gradient?: Tensor, options: BackwardOptions = {}): void {
  if (!(root instanceof Tensor)) throw new TypeError(`backward: expected a Tensor, got ${describe(root)}`);
  checkOptionsObject('backward', options, ['retainGraph']);
  if (options.retainGraph !== undefined) checkBoolean('backward', 'retainGraph', options.retainGraph);
  if (!root.requiresGrad) {
    throw new Error('backward: expected a tensor that requires grad, got one that does not (no input had requiresGrad)');
  }
  let seed: Float32Array;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new RangeError(
        `backward: expected a one-element tensor or an explicit gradient, got shape ${formatShape(root.shape)}`,
      );
    }
    seed = alloc(1);
    seed[0] = 1;
  } else {
    if (!sameShape(gradient.shape, root.shape)) {
      throw new RangeError(
        `backward: expected a gradient of shape ${formatShape(root.shape)}, got ${formatShape(gradient.shape)}`,
      );
    }
    seed = gradient.data;
  }
  takeAllocated(); // allocated before this backward: no op's
  const grads = new Map<Tensor, Float32Array>([[root, seed]]);
  // buffers the engine allocated itself and may add into; others may be shared with a creator's closure
  const owned = new Set<Float32Array>();
  const order = topologicalOrder(root);
  for (let n = order.length - 1; n >= 0; n--) {
    const node = order[n];
    const g = grads.get(node);
    if (g === undefined) continue;
    grads.delete(node);
    if (node.creator === null) {
      accumulateLeaf(node, g);
      continue;
    }
    const { op, inputs } = node.creator;
    const inputGrads = node.creator.backward(g);
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i];
      const gi = inputGrads[i];
      if (gi === null || gi === undefined || !input.requiresGrad) continue;
      if (gi.length !== input.size) {
        throw new RangeError(
          `${op}.backward: expected a gradient of ${input.size} values for input ${i} ${formatShape(input.shape)}, got ${gi.length}`,
        );
      }
      const existing = grads.get(input);
      if (existing === undefined) {
        grads.set(input, gi);
      } else if (owned.has(existing)) {
        addInto(existing, gi);
      } else {
        const total = alloc(existing.length);
        for (let j = 0; j < total.length; j++) total[j] = existing[j] + gi[j];
        owned.add(total);
        grads.set(input, total);
      }
    }
  }
  const during = takeAllocated();
  if (seed.length === 1 && gradient === undefined) during.push(seed);
  if (options.retainGraph !== true) releaseGraph(order, during, gradient === undefined ? null : gradient.data, !inReuseScope());
}

// A leaf's gradient outlives the step (the optimizer reads it), so it is a buffer of its own (in the backend's
// storage, where the optimizer's kernel reads it in place), never a pooled one;
// kept across steps (zeroGrad({ setToNone: false })) it is reused in place.
function accumulateLeaf(leaf: Tensor, g: Float32Array): void {
  if (leaf.grad === null) {
    const own = allocStorage(g.length);
    own.set(g);
    leaf.grad = new Tensor(own, leaf.shape);
  } else {
    addInto(leaf.grad.data, g);
  }
}

// acc += g, in the backend's kernel when it has one (the same float32 sums)
function addInto(acc: Float32Array, g: Float32Array): void {
  const fast = getBackend().kernels;
  if (fast !== undefined) fast.addInto(acc, g);
  else for (let j = 0; j < acc.length; j++) acc[j] += g[j];
}

/** Sets a tensor's gradient to null, or zeroes it in place when `setToNone` is false. */
export function clearGrad(t: Tensor, setToNone: boolean): void {
  if (!(t instanceof Tensor)) throw new TypeError(`clearGrad: expected a Tensor, got ${describe(t)}`);
  if (t.grad !== null && setToNone) {
    // the dropped gradient keeps its values in an ordinary array; its storage serves the next backward
    if (!inReuseScope()) releaseTensor(t.grad);
    t.grad = null;
  } else if (t.grad !== null) {
    t.grad.data.fill(0);
  }
}
