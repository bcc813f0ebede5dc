import type { Tensor } from '../tensor/tensor.js';
import type { Creator } from './engine.js';
import { getBackend } from '../tensor/backends/backend.js';
import { formatShape } from '../tensor/shape.js';
import { giveBack, inReuseScope, releasable } from '../tensor/pool.js';

/**
 * Giving a consumed graph's storage back at once. A training loop written as in PyTorch (no reuseBuffers, default
 * `zeroGrad()`) makes new tensors at every step; on the wasm backend they live in its memory, whose blocks would
 * otherwise come back only once their views are garbage-collected, which a synchronous loop never lets happen (a
 * view stays alive until the job that made it ends). So when `backward()` has consumed a graph, as PyTorch frees a
 * graph's saved tensors, the engine gives back what the graph held:
 *
 * - what its ops allocated besides their outputs (saved activations, scratch) and every gradient passed between
 *   ops (a leaf's gradient is a copy of its own);
 * - the storage of the op outputs in the graph: each such tensor, and every tensor sharing its storage (`reshape`,
 *   `detach()`), first gets its values in an ordinary array, so tensors the program still holds (the prediction,
 *   the loss) keep their values; only their storage moves.
 *
 * What is never given back: the storage of leaves (parameters, inputs, constants), of tensors made inside
 * reuseBuffers (the pool's), and of arrays shared beyond their tensors (`toNdarray`). A Float32Array taken from
 * an op output's `data` before `backward()` and kept past it is the one thing that does not follow the move: read
 * it through its tensor, or copy it (`slice()`).
 *
 * The outputs between the built-in layers of a `Sequential`, and those an `LSTM` or `GRU` makes inside its forward
 * (the input's transpose, the projections, the packed sequences, the outputs between its layers), are the
 * exception to the move: no code outside the forward holds them (PyTorch's graph does not even lead to them), so
 * their storage goes back without a copy, at once under noGrad, else when backward() consumes their graph; reached
 * through the consumed graph's `creator.inputs`, their `data` throws (see `releaseIntermediate`).
 */

/** Tensors sharing another's storage, by the tensor whose storage they share, and the other way round. */
const aliases = new WeakMap<Tensor, Tensor[]>();
const sourceOf = new WeakMap<Tensor, Tensor>();
/** The ops' outputs made from a tensor (so the outputs a graph made but did not use are freed with it). */
const consumers = new WeakMap<Tensor, Tensor[]>();
/** Buffers that are (or were) a tensor's storage: not freed unless that tensor was moved. */
const tensorData = new WeakSet<Float32Array>();

/** Records that `view` shares the storage of `source` (so a move of the storage moves both). */
export function registerAlias(source: Tensor, view: Tensor): void {
  const list = aliases.get(source);
  if (list === undefined) aliases.set(source, [view]);
  else list.push(view);
  sourceOf.set(view, source);
}

/** Records an op's output and, when it is recorded, what it was made from (see `record`). */
export function registerOutput(out: Tensor, inputs: readonly Tensor[], recorded: boolean): void {
  tensorData.add(out.data);
  if (!recorded) return;
  for (const t of inputs) {
    // not a leaf's: a parameter lives on, and its list would grow with every step
    if (t.creator === null) continue;
    const list = consumers.get(t);
    if (list === undefined) consumers.set(t, [out]);
    else list.push(out);
  }
}

// Moved values go into shared chunks of ordinary memory, one view each: one allocation per 64 Ki floats rather than
// one per tensor (a chunk is collected once no view into it is left)
let chunk = new Float32Array(0), chunkUsed = 0;
const CHUNK = 1 << 16;

/** A copy of `d` in ordinary memory. */
function retire(d: Float32Array): Float32Array {
  if (d.length > CHUNK >> 2) return d.slice();
  if (chunkUsed + d.length > chunk.length) {
    chunk = new Float32Array(CHUNK);
    chunkUsed = 0;
  }
  const copy = chunk.subarray(chunkUsed, chunkUsed + d.length);
  chunkUsed += d.length;
  copy.set(d);
  return copy;
}

/** Every tensor sharing `t`'s storage `d`: the whole family of views, from the tensor they were made from. */
function family(t: Tensor, d: Float32Array): Tensor[] {
  let root = t;
  for (let up = sourceOf.get(root); up !== undefined && up.data === d; up = sourceOf.get(root)) root = up;
  const members: Tensor[] = [];
  const visit = (u: Tensor) => {
    if (u.data !== d) return;
    members.push(u);
    for (const view of aliases.get(u) ?? []) visit(view);
  };
  visit(root);
  return members;
}

/** Points every tensor sharing `t`'s storage `from` to `to`. */
function moveFamily(t: Tensor, from: Float32Array, to: Float32Array): void {
  for (const u of family(t, from)) u.data = to;
}

/** Outputs between two built-in layers of a Sequential: tensors no code outside its forward holds. */
const internal = new WeakSet<Tensor>();

/** Whether no tensor sharing `t`'s storage `d` can be held outside a Sequential's forward. */
const onlyInternal = (t: Tensor, d: Float32Array) => family(t, d).every((u) => internal.has(u));

// The values of a tensor whose storage went back without a copy are gone: reading them says so, rather than
// reading whatever the storage holds next
function revoke(t: Tensor, d: Float32Array): void {
  for (const u of family(t, d)) {
    const shape = formatShape(u.shape);
    Object.defineProperty(u, 'data', {
      configurable: true,
      get() {
        throw new Error(`Tensor.data: expected a tensor that keeps its values, got ${shape}, an output made inside a forward (between two layers of a Sequential, or inside an LSTM or GRU): its storage went back once it had been read and no graph needed it (pass { retainGraph: true } to backward to keep a graph's)`);
      },
    });
  }
}

/**
 * A layer's word that `h`, made inside its forward (by a Sequential's built-in layer, or inside an LSTM or GRU), has
 * been read by what made `next` (the next layer's output, or the forward's), and that no code outside the forward
 * holds `h`. Its storage then goes back without a copy of its values: here when no graph recorded `next` (under
 * noGrad, say, where nothing else would free it before the job ends), else when backward() consumes the graph.
 * Storage `h` shares with a tensor from outside (a view of the input) stays, as does the pool's (inside
 * reuseBuffers).
 */
export function releaseIntermediate(h: Tensor, next: Tensor): void {
  internal.add(h);
  const backend = getBackend(), d = h.data;
  // a graph recorded `next` (so an op of it may have saved `h`, even when nothing recorded `h` itself, made from an
  // input that needs no gradient): its backward gives `h` back
  if (h.creator !== null || next.creator !== null || next.data === d || backend.release === undefined || inReuseScope() || !releasable(d) || !onlyInternal(h, d)) return;
  if (!giveBack(d)) return;
  tensorData.delete(d);
  revoke(h, d);
}

/**
 * The creator a consumed graph's ops get: the same op and inputs (the graph can still be looked at), but a second
 * backward through it says so, as PyTorch's does; what the op saved is gone.
 */
const consumedCreators = new WeakSet<Creator>();
const isConsumed = (c: Creator) => consumedCreators.has(c);

function consumed({ op, inputs }: Creator): Creator {
  const c: Creator = {
    op,
    inputs,
    backward() {
      throw new Error(`backward: expected a graph not yet consumed, got '${op}' of a graph an earlier backward() freed (pass { retainGraph: true } to that backward to keep it)`);
    },
  };
  consumedCreators.add(c);
  return c;
}

/**
 * Consumes the graph `order` (every tensor it reached, as the engine ordered them) once its backward is done, and
 * with `release` gives its storage back: `allocatedDuring` are the buffers the backward allocated, `keep` a buffer
 * that stays (a gradient given by the caller).
 */
export function releaseGraph(order: readonly Tensor[], allocatedDuring: readonly Float32Array[], keep: Float32Array | null, release: boolean): void {
  const backend = getBackend();
  if (backend.release === undefined || !release) {
    for (const node of order) if (node.creator !== null) node.creator = consumed(node.creator);
    return;
  }
  // the graph's op outputs, and the outputs made from them that the loss did not use (an LSTM's final state, a
  // detached maximum): a backward through those would reach the consumed graph, so they are consumed with it
  const nodes = order.filter((t) => t.creator !== null);
  const seen = new Set<Tensor>(nodes);
  for (let k = 0; k < nodes.length; k++) {
    for (const c of consumers.get(nodes[k]) ?? []) {
      if (c.creator === null || isConsumed(c.creator) || seen.has(c)) continue;
      seen.add(c);
      nodes.push(c);
    }
  }
  // what their ops allocated (outputs, what they saved, constants they made, such as a zero state)
  const free = new Set<Float32Array>(allocatedDuring);
  for (const node of nodes) for (const b of node.creator!.owned ?? []) free.add(b);
  // (an intermediate output no graph recorded, read by one that did, goes back with it: see releaseIntermediate)
  const inside = (t: Tensor) => internal.has(t) && onlyInternal(t, t.data);
  // storage of other leaves stays: parameters, inputs, the caller's gradient
  const kept = new Set<Float32Array>();
  if (keep !== null) kept.add(keep);
  for (const node of order) if (node.creator === null && !free.has(node.data) && !inside(node)) kept.add(node.data);
  for (const node of nodes) for (const input of node.creator!.inputs) if (input.creator === null && !free.has(input.data) && !inside(input)) kept.add(input.data);
  const moved = new Map<Float32Array, Float32Array>();
  // the storage of a Sequential's intermediate outputs, which goes back without a copy, and one of its tensors
  const dropped = new Map<Float32Array, Tensor>();
  // every other tensor whose storage goes back keeps its values in an ordinary array
  const moveOut = (t: Tensor) => {
    const d = t.data;
    if (kept.has(d) || !releasable(d) || (t.creator === null && !free.has(d) && !inside(t)) || dropped.has(d)) return;
    free.add(d);
    let copy = moved.get(d);
    if (copy === undefined) {
      if (inside(t)) {
        dropped.set(d, t);
        return;
      }
      moved.set(d, (copy = retire(d)));
    }
    moveFamily(t, d, copy);
  };
  for (const node of nodes) {
    const creator = node.creator!;
    moveOut(node);
    for (const input of creator.inputs) if (input.creator === null) moveOut(input);
    node.creator = consumed(creator);
  }
  // a buffer that is some other tensor's storage (made under noGrad and kept, say) stays
  for (const b of free) {
    // (the backend may hand the same array out again: it is no tensor's storage any more)
    if (!kept.has(b) && releasable(b) && (!tensorData.has(b) || moved.has(b) || dropped.has(b)) && backend.release(b)) {
      tensorData.delete(b);
      const t = dropped.get(b);
      if (t !== undefined) revoke(t, b);
    }
  }
}

/** Moves a tensor's values (and its aliases') to an ordinary array and gives its storage back (a dropped gradient). */
export function releaseTensor(t: Tensor): void {
  const backend = getBackend(), d = t.data;
  if (backend.release === undefined || !releasable(d)) return;
  const copy = retire(d);
  if (!backend.release(d)) return;
  tensorData.delete(d);
  moveFamily(t, d, copy);
}
