import { checkOptionsObject, checkBoolean, checkRecord } from '../format/check.js';
import { NonFiniteInputError } from '../tensor/finite.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { zeros } from '../tensor/creation.js';
import { alloc } from '../tensor/pool.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { add, mul, sub } from '../autograd/ops/arithmetic.js';
import { linear } from '../autograd/ops/linear.js';
import { tanh, sigmoid } from '../autograd/ops/unary.js';
import { reshape, transpose } from '../autograd/ops/view.js';
import { slice, concat, stack } from '../autograd/ops/index-ops.js';
import { expectTensor } from '../autograd/ops/broadcast.js';
import { lstmSequence } from '../autograd/ops/lstm.js';
import { gruSequence } from '../autograd/ops/gru.js';
import { Module } from './module.js';
import { Dropout } from './layers.js';
import { releaseIntermediate } from '../autograd/release.js';
import { uniform } from './init.js';

/** Options of `LSTM` and `GRU`, as `torch.nn.LSTM` names them. */
export interface RNNOptions {
  /** Stacked layers. Default 1. */
  numLayers?: number;
  /** Learned biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Input and output as [batch, seq, feature] instead of [seq, batch, feature]. Default false. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode. In [0, 1); default 0. */
  dropout?: number;
  /** A second direction reading the sequence backwards; outputs concatenated. Default false. */
  bidirectional?: boolean;
  /**
   * 'fused' (default): one op per layer and direction with a hand-written backward; 'composed': the same
   * equations from lrlab's elementary ops (slower; the reference the fused op is tested against).
   */
  implementation?: 'fused' | 'composed';
  /**
   * The fused cell's σ and tanh as float32 approximations (exp as Cephes' expf), each within 2e-7 of the exact
   * value, absolute, where the backend's recurrent kernels have them (wasm): faster, no longer the bits of the
   * exact functions. Default false. (PyTorch has no such option; its CPU kernels use their own float32 functions.)
   */
  approximateActivations?: boolean;
  /** Generator for the initial weights and the dropout masks. Default: the global one. */
  generator?: Generator;
}

/** An LSTM's state: [h, c], each [numLayers * directions, batch, hidden]. */
export type LSTMState = [Tensor, Tensor];

type Kind = 'LSTM' | 'GRU';

/**
 * What LSTM and GRU share: PyTorch's parameters and their layout, input checks, the layer and direction loop.
 * Parameters per layer l and direction (suffix `_reverse` for the backward one), registered in PyTorch's order:
 * `weight_ih_l{l}` [gates * H, in], `weight_hh_l{l}` [gates * H, H], `bias_ih_l{l}`, `bias_hh_l{l}` [gates * H];
 * all drawn from U(-1/sqrt(H), 1/sqrt(H)) as PyTorch does (through lrlab's generator).
 */
abstract class RNNBase<S> extends Module<[Tensor, S?], [Tensor, S]> {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly implementation: 'fused' | 'composed';
  readonly approximateActivations: boolean;
  protected readonly weights: { wIh: Tensor; wHh: Tensor; bIh: Tensor | null; bHh: Tensor | null }[] = [];
  private readonly drop: Dropout | null;

  constructor(private readonly kind: Kind, gates: number, readonly inputSize: number, readonly hiddenSize: number, options: RNNOptions) {
    super();
    checkOptionsObject(kind, options, ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'implementation', 'approximateActivations', 'generator']);
    for (const [name, v] of [['bias', options.bias], ['batchFirst', options.batchFirst], ['bidirectional', options.bidirectional], ['approximateActivations', options.approximateActivations]] as const) if (v !== undefined) checkBoolean(kind, name, v);
    if (options.generator !== undefined) checkRecord(kind, 'generator to be a Generator', options.generator, ['uniform']);
    for (const [name, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', options.numLayers ?? 1]] as const) {
      if (typeof v !== 'number') throw new TypeError(`${kind}: expected ${name} to be a number, got ${typeof v}`);
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${kind}: expected ${name} to be a positive integer, got ${v}`);
    }
    const dropout = options.dropout ?? 0;
    if (typeof dropout !== 'number') throw new TypeError(`${kind}: expected dropout to be a number, got ${typeof dropout}`);
    if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`${kind}: expected dropout in [0, 1), got ${dropout}`);
    const implementation = options.implementation ?? 'fused';
    if (implementation !== 'fused' && implementation !== 'composed') {
      throw new RangeError(`${kind}: expected implementation 'fused' or 'composed', got '${String(implementation)}'`);
    }
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = dropout;
    this.bidirectional = options.bidirectional ?? false;
    this.implementation = implementation;
    this.approximateActivations = options.approximateActivations ?? false;
    const generator = options.generator ?? defaultGenerator;
    const bound = 1 / Math.sqrt(hiddenSize), G = gates * hiddenSize, D = this.directions;
    const param = (name: string, shape: number[]) => this.registerParameter(name, uniform(zeros(shape), -bound, bound, { generator }));
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`, inL = l === 0 ? inputSize : hiddenSize * D;
        const wIh = param(`weight_ih${sfx}`, [G, inL]), wHh = param(`weight_hh${sfx}`, [G, hiddenSize]);
        const bIh = this.bias ? param(`bias_ih${sfx}`, [G]) : null, bHh = this.bias ? param(`bias_hh${sfx}`, [G]) : null;
        this.weights.push({ wIh, wHh, bIh, bHh });
      }
    }
    this.drop = dropout > 0 && this.numLayers > 1 ? this.registerModule('dropoutLayer', new Dropout(dropout, { generator })) : null;
  }

  /** 2 when bidirectional, else 1. */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Checks the input and a state tensor; returns the input as [T, B, F] and the batch size. */
  protected checkInput(input: Tensor): { x: Tensor; T: number; B: number } {
    expectTensor(`${this.kind}.forward`, input);
    const want = this.batchFirst ? `[batch, seq, ${this.inputSize}]` : `[seq, batch, ${this.inputSize}]`;
    if (input.ndim !== 3 || input.shape[2] !== this.inputSize) {
      throw new RangeError(`${this.kind}.forward: expected input of shape ${want}, got ${formatShape(input.shape)}`);
    }
    if (input.shape[0] === 0 || input.shape[1] === 0) {
      throw new RangeError(`${this.kind}.forward: expected a non-empty sequence and batch, got ${formatShape(input.shape)}`);
    }
    const bad = input.data.findIndex((v) => !Number.isFinite(v));
    if (bad !== -1) {
      const [, d1, F] = input.shape, at = [Math.floor(bad / (d1 * F)), Math.floor(bad / F) % d1, bad % F];
      throw new NonFiniteInputError(`${this.kind}.forward: expected finite inputs, got ${input.data[bad]} at ${formatShape(at)}`);
    }
    const x = this.batchFirst ? transpose(input, 0, 1) : input;
    return { x, T: x.shape[0], B: x.shape[1] };
  }

  protected checkState(name: string, s: unknown, B: number): Tensor {
    const want = [this.numLayers * this.directions, B, this.hiddenSize];
    if (!(s instanceof Tensor)) throw new TypeError(`${this.kind}.forward: expected ${name} to be a Tensor, got ${typeof s}`);
    if (s.ndim !== 3 || s.shape.some((v, i) => v !== want[i])) {
      throw new RangeError(`${this.kind}.forward: expected ${name} of shape ${formatShape(want)}, got ${formatShape(s.shape)}`);
    }
    return s;
  }

  /** Row k of a state [L*D, B, H] as [B, H], or zeros without a state. */
  protected stateRow(s: Tensor | null, k: number, B: number): Tensor {
    // alloc, not zeros: the zero state is the step's own, and its storage goes back with the graph (release.ts)
    return s === null ? this.inside(new Tensor(alloc(B * this.hiddenSize), [B, this.hiddenSize])) : this.inside(reshape(this.inside(slice(s, 0, k, k + 1)), [B, this.hiddenSize]));
  }

  /**
   * Tensors the running forward made that no code outside it can hold (the input's transpose, projections, the
   * sequence ops' packed outputs, the outputs between layers): once the forward is done their storage goes back
   * without a copy of their values, at once under noGrad, else when backward() consumes the graph (see release.ts).
   */
  private madeInside = new Set<Tensor>();

  /** Notes that `t` was made inside the running forward and is held by nothing outside it. */
  protected inside(t: Tensor): Tensor {
    this.madeInside.add(t);
    return t;
  }

  /** Runs the layers; `step` runs one direction of one layer on [T, B, in] and returns its [T, B, H] output. */
  protected runLayers(x: Tensor, step: (layerInput: Tensor, k: number, reverse: boolean) => Tensor): Tensor {
    this.madeInside = new Set(this.batchFirst ? [x] : []);
    let layerInput = x;
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < this.directions; d++) outs.push(step(layerInput, l * this.directions + d, d === 1));
      if (layerInput !== x) this.inside(layerInput);
      layerInput = outs.length === 1 ? outs[0] : concat(outs.map((o) => this.inside(o)), 2);
      if (this.drop !== null && l < this.numLayers - 1) layerInput = this.drop.forward(this.inside(layerInput));
    }
    const output = this.batchFirst ? transpose(layerInput, 0, 1) : layerInput;
    if (output !== layerInput && layerInput !== x) this.inside(layerInput);
    const made = this.madeInside;
    this.madeInside = new Set();
    for (const t of made) releaseIntermediate(t, output);
    return output;
  }

  /** The final states of every layer and direction as one [L * D, B, H] tensor (the slices go back once copied). */
  protected finalState(ts: Tensor[]): Tensor {
    if (ts.length === 1) return ts[0];
    const all = concat(ts, 0);
    for (const t of ts) releaseIntermediate(t, all);
    return all;
  }

  /** x_t W_ihᵀ + b_ih for every step in one matmul: [T * B, gates * H]. */
  protected project(layerInput: Tensor, k: number): Tensor {
    const [T, B, F] = layerInput.shape;
    const { wIh, bIh } = this.weights[k];
    return this.inside(linear(this.inside(reshape(layerInput, [T * B, F])), wIh, bIh));
  }
}

/**
 * A multi-layer long short-term memory RNN, `torch.nn.LSTM` with its names, layouts and results. For each step,
 * with gates in PyTorch's order i, f, g, o stacked in `weight_ih` [4H, in] and `weight_hh` [4H, H]:
 *
 *     i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
 *     g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
 *     c' = f ⊙ c + i ⊙ g                       h' = o ⊙ tanh(c')
 *
 * `forward(input, [h0, c0]?)` returns `[output, [hN, cN]]`: output [seq, batch, D * H] (or batch first), hN and cN
 * [numLayers * D, batch, H]. A PyTorch state dict exported as JSON loads with `loadStateDict` as it is. Matches
 * torch.nn.LSTM (outputs, states, every gradient) on the committed fixtures.
 */
export class LSTM extends RNNBase<LSTMState> {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('LSTM', 4, inputSize, hiddenSize, options);
  }

  forward(input: Tensor, state?: LSTMState): [Tensor, LSTMState] {
    const { x, T, B } = this.checkInput(input);
    let h0: Tensor | null = null, c0: Tensor | null = null;
    if (state !== undefined) {
      if (!Array.isArray(state) || state.length !== 2) {
        throw new TypeError(`LSTM.forward: expected state to be [h0, c0], got ${Array.isArray(state) ? `an array of ${state.length}` : typeof state}`);
      }
      h0 = this.checkState('h0', state[0], B);
      c0 = this.checkState('c0', state[1], B);
    }
    const hN: Tensor[] = [], cN: Tensor[] = [];
    const output = this.runLayers(x, (layerInput, k, reverse) => {
      const { wHh, bHh } = this.weights[k];
      const xProj = this.project(layerInput, k), h = this.stateRow(h0, k, B), c = this.stateRow(c0, k, B);
      if (this.implementation === 'composed') {
        const r = lstmComposed(xProj, wHh, bHh, h, c, T, reverse);
        hN.push(r.h); cN.push(r.c);
        return r.output;
      }
      const packed = this.inside(lstmSequence(xProj, wHh, bHh, h, c, { reverse, approximate: this.approximateActivations }));
      const last = reverse ? 0 : T - 1;
      hN.push(slice(packed, 0, last, last + 1));
      cN.push(slice(packed, 0, T, T + 1));
      return slice(packed, 0, 0, T);
    });
    return [output, [this.finalState(hN), this.finalState(cN)]];
  }
}

/**
 * A multi-layer gated recurrent unit RNN, `torch.nn.GRU` with its names, layouts and results. Gates in PyTorch's
 * order r, z, n stacked in `weight_ih` [3H, in] and `weight_hh` [3H, H]:
 *
 *     r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *     n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))                h' = (1 - z) ⊙ n + z ⊙ h
 *
 * `forward(input, h0?)` returns `[output, hN]`, shaped as for `LSTM`. Matches torch.nn.GRU on the committed
 * fixtures.
 */
export class GRU extends RNNBase<Tensor> {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('GRU', 3, inputSize, hiddenSize, options);
  }

  forward(input: Tensor, state?: Tensor): [Tensor, Tensor] {
    const { x, T, B } = this.checkInput(input);
    const h0 = state === undefined ? null : this.checkState('h0', state, B);
    const hN: Tensor[] = [];
    const output = this.runLayers(x, (layerInput, k, reverse) => {
      const { wHh, bHh } = this.weights[k];
      const xProj = this.project(layerInput, k), h = this.stateRow(h0, k, B);
      const out = this.implementation === 'composed'
        ? gruComposed(xProj, wHh, bHh, h, T, reverse)
        : gruSequence(xProj, wHh, bHh, h, { reverse, approximate: this.approximateActivations });
      const last = reverse ? 0 : T - 1;
      hN.push(slice(out, 0, last, last + 1));
      return out;
    });
    return [output, this.finalState(hN)];
  }
}

/** The LSTM recurrence from elementary ops (each step: linear, slices, σ, tanh, ⊙), for one direction. */
function lstmComposed(xProj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, c0: Tensor, T: number, reverse: boolean) {
  const [B, H] = h0.shape;
  const steps: Tensor[] = new Array(T);
  let h = h0, c = c0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const gates = add(slice(xProj, 0, t * B, (t + 1) * B), linear(h, wHh, bHh));
    const i = sigmoid(slice(gates, 1, 0, H)), f = sigmoid(slice(gates, 1, H, 2 * H));
    const g = tanh(slice(gates, 1, 2 * H, 3 * H)), o = sigmoid(slice(gates, 1, 3 * H, 4 * H));
    c = add(mul(f, c), mul(i, g));
    h = mul(o, tanh(c));
    steps[t] = h;
  }
  return { output: stack(steps, 0), h: reshape(h, [1, B, H]), c: reshape(c, [1, B, H]) };
}

/** The GRU recurrence from elementary ops, for one direction. */
function gruComposed(xProj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, T: number, reverse: boolean): Tensor {
  const H = h0.shape[1], B = h0.shape[0];
  const steps: Tensor[] = new Array(T);
  let h = h0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const xt = slice(xProj, 0, t * B, (t + 1) * B), a = linear(h, wHh, bHh);
    const r = sigmoid(add(slice(xt, 1, 0, H), slice(a, 1, 0, H)));
    const z = sigmoid(add(slice(xt, 1, H, 2 * H), slice(a, 1, H, 2 * H)));
    const n = tanh(add(slice(xt, 1, 2 * H, 3 * H), mul(r, slice(a, 1, 2 * H, 3 * H))));
    h = add(mul(sub(1, z), n), mul(z, h));
    steps[t] = h;
  }
  return stack(steps, 0);
}

/**
 * The output at the last time step of a recurrent layer's output: [batch, features] from [seq, batch, features]
 * (the default, as `LSTM` and `GRU` default to, and PyTorch's `batch_first=False`; `output[-1]`) or, with
 * `batchFirst: true`, from [batch, seq, features] (`output[:, -1, :]`). Give the layer's own `batchFirst`: the
 * shape cannot tell the layouts apart when the sequence and the batch have the same length.
 */
export function lastTimeStep(output: Tensor, options: { batchFirst?: boolean } = {}): Tensor {
  checkOptionsObject('lastTimeStep', options, ['batchFirst']);
  if (options.batchFirst !== undefined) checkBoolean('lastTimeStep', 'batchFirst', options.batchFirst);
  const batchFirst = options.batchFirst ?? false;
  expectTensor('lastTimeStep', output);
  if (output.ndim !== 3 || output.shape[0] === 0 || output.shape[1] === 0) {
    throw new RangeError(`lastTimeStep: expected output of shape ${batchFirst ? '[batch, seq, features]' : '[seq, batch, features]'}, got ${formatShape(output.shape)}`);
  }
  const [a, b, F] = output.shape;
  if (!batchFirst) return reshape(slice(output, 0, a - 1, a), [b, F]);
  return reshape(slice(output, 1, b - 1, b), [a, F]);
}
