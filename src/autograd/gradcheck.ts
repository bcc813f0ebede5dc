import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';
import { noGrad } from './engine.js';

/** Options of `gradcheck`. */
export interface GradcheckOptions {
  /** Central-difference step. Default 1e-2: float32 rounding error grows as h shrinks (about eps * |L| / h). */
  eps?: number;
  /** Relative tolerance. Default 1e-2. */
  rtol?: number;
  /** Absolute tolerance. Default 1e-3. */
  atol?: number;
  /** Seed of the random weights w in L = sum(w * f(x)). */
  seed?: number;
  /** Throw on the first mismatch (default) or return the report. */
  raiseException?: boolean;
}

/** One element whose analytic and numeric gradients differ beyond the tolerance. */
export interface GradcheckMismatch {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

/** What `gradcheck` found. */
export interface GradcheckResult {
  ok: boolean;
  /** Largest |analytic - numeric| seen. */
  maxAbsError: number;
  mismatches: GradcheckMismatch[];
}

/**
 * Compares the gradients from `backward()` with central differences, for every input that requires a gradient:
 *
 *     L(x) = sum(w * f(x))  with fixed random w,    dL/dx_i ≈ (L(x + h e_i) - L(x - h e_i)) / 2h
 *
 * and checks |analytic - numeric| <= atol + rtol |numeric|. Random w makes every output element count with a
 * different weight, so a gradient routed to the wrong element cannot pass. Inputs are restored afterwards.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const h = options.eps ?? 1e-2, rtol = options.rtol ?? 1e-2, atol = options.atol ?? 1e-3;
  if (!Array.isArray(inputs) || inputs.some((t) => !(t instanceof Tensor))) {
    throw new TypeError('gradcheck: expected inputs to be an array of Tensors');
  }
  if (!inputs.some((t) => t.requiresGrad)) {
    throw new RangeError('gradcheck: expected at least one input with requiresGrad, got none');
  }
  const probe = noGrad(() => fn(...inputs));
  const generator = new Generator(options.seed ?? 1234);
  const w = new Float32Array(probe.size);
  for (let i = 0; i < w.length; i++) w[i] = generator.uniform(0.5, 1.5) * (generator.random() < 0.5 ? -1 : 1);
  const weighted = (y: Tensor): number => {
    let s = 0;
    for (let i = 0; i < y.size; i++) s += w[i] * y.data[i];
    return s;
  };

  for (const t of inputs) t.grad = null;
  const y = fn(...inputs);
  y.backward(new Tensor(w, y.shape));

  const mismatches: GradcheckMismatch[] = [];
  let maxAbsError = 0;
  inputs.forEach((t, k) => {
    if (!t.requiresGrad) return;
    const analytic = t.grad?.data ?? new Float32Array(t.size);
    for (let i = 0; i < t.size; i++) {
      const x0 = t.data[i];
      t.data[i] = x0 + h;
      const up = noGrad(() => weighted(fn(...inputs)));
      t.data[i] = x0 - h;
      const down = noGrad(() => weighted(fn(...inputs)));
      t.data[i] = x0;
      const numeric = (up - down) / (2 * h);
      const err = Math.abs(analytic[i] - numeric);
      maxAbsError = Math.max(maxAbsError, err);
      if (!(err <= atol + rtol * Math.abs(numeric))) mismatches.push({ input: k, index: i, analytic: analytic[i], numeric });
    }
  });
  for (const t of inputs) t.grad = null;
  const ok = mismatches.length === 0;
  if (!ok && (options.raiseException ?? true)) {
    const m = mismatches[0];
    throw new Error(
      `gradcheck: input ${m.input} index ${m.index}: analytic ${m.analytic} vs numeric ${m.numeric} (atol ${atol}, rtol ${rtol}; ${mismatches.length} mismatch(es))`,
    );
  }
  return { ok, maxAbsError, mismatches };
}
