import { F32, type Num, add, sub, mul, div, abs, lt, le, gt, ge, pyMax, pyMin, numberOf, dot, maxAbs } from './float32-scalars.js';

const value = numberOf;

/**
 * The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to `bounds` (default:
 * between x1 and x2); the middle of the bounds when the cubic has no minimum. torch's `_cubic_interpolate`.
 *
 *     d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2)        d2 = sqrt(d1² - g1 g2)
 *     x = x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2)      (x1 <= x2; mirrored otherwise)
 */
export function cubicInterpolate(x1: Num, f1: number, g1: F32, x2: Num, f2: number, g2: F32, bounds?: [Num, Num]): Num {
  const [lo, hi] = bounds ?? (le(x1, x2) ? [x1, x2] : [x2, x1]);
  const d1 = sub(add(g1, g2), div(3 * (f1 - f2), sub(x1, x2)));
  const d2Square = sub(mul(d1, d1), mul(g1, g2));
  if (!ge(d2Square, 0)) return div(add(lo, hi), 2);
  const d2 = new F32(Math.sqrt(value(d2Square)));
  const minPos = le(x1, x2)
    ? sub(x2, mul(sub(x2, x1), div(sub(add(g2, d2), d1), add(sub(g2, g1), mul(2, d2)))))
    : sub(x1, mul(sub(x1, x2), div(sub(add(g1, d2), d1), add(sub(g1, g2), mul(2, d2)))));
  return pyMin(pyMax(minPos, lo), hi);
}

/** The objective along the line: the loss (a Python float) and the flat gradient at x + t d. */
export type LineObjective = (t: Num) => { f: number; g: Float32Array };

/**
 * A step length t along d satisfying the strong Wolfe conditions, torch's `_strong_wolfe` (from minFunc via
 * torch7's lswolfe.lua): with f, g the loss and gradient at t = 0 and gtd = gᵀd,
 *
 *     f(t) <= f + c1 t gtd          (sufficient decrease, Armijo)
 *     |g(t)ᵀd| <= -c2 gtd          (curvature)
 *
 * First a bracket containing such a t is found by growing t (cubic steps between 1.01 t and 10 t), then the bracket
 * is zoomed by cubic interpolation, kept at least a tenth of its width from its ends. At most `maxLs` evaluations;
 * the best point seen (lowest loss in the bracket) is returned with its loss, gradient and the evaluation count.
 * Every quantity has torch's kind (float32 tensor or float64 Python float), so the same points are tried.
 */
export function strongWolfe(
  obj: LineObjective, t: Num, d: Float32Array, f: number, g: Float32Array, gtd: F32,
  c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25,
): { f: number; g: Float32Array; t: Num; evals: number } {
  const dNorm = new F32(maxAbs(d));
  // gradients are never written in place here or in LBFGS, so torch's clones of them are not needed
  let { f: fNew, g: gNew } = obj(t);
  let evals = 1;
  let gtdNew = new F32(dot(gNew, d));

  // bracket an interval containing a point satisfying the Wolfe criteria
  let tPrev: Num = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: Num[] = [], bracketF: number[] = [], bracketG: Float32Array[] = [], bracketGtd: F32[] = [];
  while (lsIter < maxLs) {
    if (gt(fNew, add(f, mul(mul(c1, t), gtd))) || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    if (le(abs(gtdNew), mul(-c2, gtd))) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (ge(gtdNew, 0)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    // interpolate
    const minStep = add(t, mul(0.01, sub(t, tPrev)));
    const maxStep = mul(t, 10);
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    // next step
    [tPrev, fPrev, gPrev, gtdPrev] = [tmp, fNew, gNew, gtdNew];
    ({ f: fNew, g: gNew } = obj(t));
    evals++;
    gtdNew = new F32(dot(gNew, d));
    lsIter++;
  }
  // reached max number of iterations?
  if (lsIter === maxLs) [bracket, bracketF, bracketG] = [[0, t], [f, fNew], [g, gNew]];

  // zoom phase: refine the bracket until a point satisfies the criteria
  let insufProgress = false;
  let [low, high] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    // line-search bracket is so small
    if (lt(mul(abs(sub(bracket[1], bracket[0])), dNorm), toleranceChange)) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    // a t too close to an end of the bracket (twice running, or outside it) is moved a tenth of the width inside
    const bMax = pyMax(bracket[0], bracket[1]), bMin = pyMin(bracket[0], bracket[1]);
    const eps = mul(0.1, sub(bMax, bMin));
    if (lt(pyMin(sub(bMax, t), sub(t, bMin)), eps)) {
      if (insufProgress || ge(t, bMax) || le(t, bMin)) {
        t = lt(abs(sub(t, bMax)), abs(sub(t, bMin))) ? sub(bMax, eps) : add(bMin, eps);
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    ({ f: fNew, g: gNew } = obj(t));
    evals++;
    gtdNew = new F32(dot(gNew, d));
    lsIter++;

    if (gt(fNew, add(f, mul(mul(c1, t), gtd))) || fNew >= bracketF[low]) {
      // Armijo condition not satisfied or not lower than lowest point
      [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (le(abs(gtdNew), mul(-c2, gtd))) {
        done = true; // Wolfe conditions satisfied
      } else if (ge(mul(gtdNew, sub(bracket[high], bracket[low])), 0)) {
        // old high becomes new low
        [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [bracket[low], bracketF[low], bracketG[low], bracketGtd[low]];
      }
      // new point becomes new low
      [bracket[low], bracketF[low], bracketG[low], bracketGtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return { f: bracketF[low], g: bracketG[low], t: bracket[low], evals };
}
