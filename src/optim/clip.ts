import type { Tensor } from '../tensor/tensor.js';

/**
 * Scales all gradients together so that their total norm is at most `maxNorm`, as
 * `torch.nn.utils.clip_grad_norm_`: g = g · min(1, maxNorm / (‖g‖ + 1e-6)). Returns the norm before clipping.
 * `normType` may be any p >= 1 or Infinity. A non-finite norm throws (the gradients are left unchanged).
 */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType = 2): number {
  if (!(maxNorm >= 0)) throw new RangeError(`clipGradNorm: expected maxNorm >= 0, got ${maxNorm}`);
  if (!(normType >= 1)) throw new RangeError(`clipGradNorm: expected normType >= 1 or Infinity, got ${normType}`);
  const grads = params.filter((p) => p.grad !== null).map((p) => p.grad!.data);
  let total = 0;
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]);
      total = normType === Infinity ? Math.max(total, a) : total + a ** normType;
    }
  }
  const norm = Math.fround(normType === Infinity ? total : total ** (1 / normType));
  if (!Number.isFinite(norm)) {
    throw new RangeError(`clipGradNorm: expected a finite total gradient norm, got ${norm}; gradients left unchanged`);
  }
  const coef = Math.fround(maxNorm / (norm + 1e-6));
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;
  return norm;
}

/** Clamps every gradient element to [-clip, clip], as `torch.nn.utils.clip_grad_value_`. */
export function clipGradValue(params: Tensor[], clip: number): void {
  if (!(clip >= 0)) throw new RangeError(`clipGradValue: expected clip >= 0, got ${clip}`);
  for (const p of params) {
    if (p.grad === null) continue;
    const g = p.grad.data;
    for (let i = 0; i < g.length; i++) g[i] = Math.min(clip, Math.max(-clip, g[i]));
  }
}
