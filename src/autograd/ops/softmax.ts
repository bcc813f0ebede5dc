import type { Tensor } from '../../tensor/tensor.js';
import { sub, div } from './arithmetic.js';
import { exp, log } from './unary.js';
import { sum, max } from './reduce.js';
import { add } from './arithmetic.js';
import { expectTensor } from './broadcast.js';

/**
 * softmax(x)_i = e^(x_i - m) / sum_j e^(x_j - m) along `dim`, with m = max_j x_j so that no exponent overflows.
 * Composed from primitives; m is detached because the result does not depend on it.
 */
export function softmax(a: Tensor, dim = -1): Tensor {
  const x = expectTensor('softmax', a);
  const e = exp(sub(x, max(x, dim, true).detach()));
  return div(e, sum(e, dim, true));
}

/** log softmax(x) = (x - m) - log(sum_j e^(x_j - m)) along `dim`: stable for large logits. */
export function logSoftmax(a: Tensor, dim = -1): Tensor {
  const x = expectTensor('logSoftmax', a);
  const shifted = sub(x, max(x, dim, true).detach());
  return sub(shifted, log(sum(exp(shifted), dim, true)));
}

/** log(sum(e^x)) along `dim`, stable: m + log(sum e^(x - m)). */
export function logSumExp(a: Tensor, dim = -1, keepdim = false): Tensor {
  const x = expectTensor('logSumExp', a);
  const m = max(x, dim, true).detach();
  const lse = add(log(sum(exp(sub(x, m)), dim, true)), m);
  return keepdim ? lse : sum(lse, dim, false);
}
