import { checkOptionsObject } from '../format/check.js';
import { describe } from '../format/number.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { reshape } from '../autograd/ops/view.js';
import { expectTensor } from '../autograd/ops/broadcast.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { Module } from './module.js';
import { Linear, Dropout } from './layers.js';
import { LSTM, lastTimeStep } from './recurrent.js';

/** Options of `LSTMForecaster`. */
export interface LSTMForecasterOptions {
  /** Generator for the initial weights and the dropout masks. Default: the global one. */
  generator?: Generator;
  /** The LSTM's implementation, 'fused' (default) or 'composed' (see `RNNOptions`). */
  implementation?: 'fused' | 'composed';
}

/**
 * A sequence-to-value forecaster: a batch-first `LSTM`, its last time step, dropout, and a `Linear` head giving
 * `horizon` values. The shape of the tuned LSTM forecaster: dropout acts between stacked LSTM layers (when there
 * are several) and before the head. Takes windows [batch, window, inputSize], or [batch, window] when inputSize
 * is 1, and returns [batch, horizon], so it sits in `Sequential`, `fit` and `evaluate` like any tensor-to-tensor
 * model. Parameter names: `lstm.weight_ih_l0`, ..., `head.weight`, `head.bias`.
 */
export class LSTMForecaster extends Module {
  readonly lstm: LSTM;
  readonly head: Linear;
  private readonly drop: Dropout;

  constructor(readonly inputSize: number, readonly hiddenSize: number, readonly numLayers = 1, readonly dropout = 0, readonly horizon = 1, options: LSTMForecasterOptions = {}) {
    super();
    checkOptionsObject('LSTMForecaster', options, ['generator', 'implementation']);
    if (typeof horizon !== 'number') throw new TypeError(`LSTMForecaster: expected horizon to be a positive integer, got ${describe(horizon)}`);
    if (!Number.isInteger(horizon) || horizon <= 0) throw new RangeError(`LSTMForecaster: expected horizon to be a positive integer, got ${horizon}`);
    const generator = options.generator ?? defaultGenerator;
    // PyTorch warns for dropout on a single layer (it would never act); here it still acts before the head
    this.lstm = this.registerModule('lstm', new LSTM(inputSize, hiddenSize, { numLayers, dropout: numLayers > 1 ? dropout : 0, batchFirst: true, generator, implementation: options.implementation }));
    this.drop = this.registerModule('dropout', new Dropout(dropout, { generator }));
    this.head = this.registerModule('head', new Linear(hiddenSize, horizon, { generator }));
  }

  forward(x: Tensor): Tensor {
    expectTensor('LSTMForecaster.forward', x);
    let seq = x;
    if (x.ndim === 2 && this.inputSize === 1) seq = reshape(x, [x.shape[0], x.shape[1], 1]);
    else if (x.ndim !== 3 || x.shape[2] !== this.inputSize) {
      throw new RangeError(`LSTMForecaster.forward: expected windows of shape [batch, window, ${this.inputSize}]${this.inputSize === 1 ? ' or [batch, window]' : ''}, got ${formatShape(x.shape)}`);
    }
    const [output] = this.lstm.forward(seq);
    return this.head.forward(this.drop.forward(lastTimeStep(output, { batchFirst: true })));
  }
}
