// LBFGS against PyTorch 1.13 (every backend): with and without the strong Wolfe line search, on objectives whose
// float32 losses and gradients are computed exactly as the fixture script computes them, so every closure call,
// every step length and every stop condition can be compared; then as a user runs it, with autograd; the line search
// itself, the state dict and the options.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LBFGS, SGD, NonFiniteStepError, Tensor, tensor, zeros, toJSONValue, fromJSONValue } from '../../src/index.js';
import { strongWolfe, cubicInterpolate } from '../../src/optim/strong-wolfe.js';
import { F32, dot, sumAbs } from '../../src/optim/float32-scalars.js';
import { assertClose, fixture, type Tolerance } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';
import { quadratic } from './helpers.js';

interface LBFGSCase {
  objective: 'rosenbrock' | 'regression' | 'regression-autograd';
  options: Record<string, any>;
  data: { x: number[][]; y: number[] } | null;
  initial: number[][];
  shapes: number[][];
  steps: { loss: number; params: { data: number[] }[]; funcEvals: number; nIter: number }[];
  state: Record<string, any>;
}

const f = Math.fround;

/** f = (1 - x)^2 + 100 (y - x^2)^2 and its gradient, one float32 rounding per operation as the fixture script. */
function rosenbrock([p]: Tensor[]): number {
  const x = p.data[0], y = p.data[1];
  const a = f(1 - x), b = f(y - f(x * x));
  p.grad = tensor([f(f(-2 * a) - f(400 * f(x * b))), f(200 * b)]);
  return f(f(a * a) + f(100 * f(b * b)));
}

/** f = mean((w·x_i + b - y_i)^2), w [3] and b [1], sums in order, one float32 rounding per operation. */
function regression(X: number[][], Y: number[]) {
  return ([w, b]: Tensor[]): number => {
    let loss = 0, gb = 0;
    const gw = [0, 0, 0];
    for (let i = 0; i < Y.length; i++) {
      let r = f(f(w.data[0] * X[i][0]) + f(w.data[1] * X[i][1]));
      r = f(r + f(w.data[2] * X[i][2]));
      r = f(f(r + b.data[0]) - Y[i]);
      loss = f(loss + f(r * r));
      for (let j = 0; j < 3; j++) gw[j] = f(gw[j] + f(r * X[i][j]));
      gb = f(gb + r);
    }
    const c = f(2 / Y.length);
    w.grad = tensor(gw.map((g) => f(c * g)));
    b.grad = tensor([f(c * gb)]);
    return f(loss / Y.length);
  };
}

function closureFor(c: LBFGSCase, params: Tensor[], opt: LBFGS): () => Tensor | number {
  if (c.objective === 'rosenbrock') return () => rosenbrock(params);
  const { x, y } = c.data!;
  if (c.objective === 'regression') {
    const fn = regression(x.map((r) => r.map(f)), y.map(f));
    return () => fn(params);
  }
  const X = tensor(x), Y = tensor(y);
  const [w, b] = params;
  return () => {
    opt.zeroGrad();
    const loss = X.matmul(w).add(b).sub(Y).pow(2).mean();
    loss.backward();
    return loss;
  };
}

const { lbfgs: cases } = fixture<{ lbfgs: LBFGSCase[] }>('optimizers-classic.json');

const parity = suite('LBFGS matches PyTorch step by step');
for (const backend of availableBackends()) for (const c of cases) {
  const exact = c.objective !== 'regression-autograd';
  parity(`${backendLabel(backend)}: LBFGS on ${c.objective} ${JSON.stringify(c.options)}: ${exact ? 'every loss, parameter, count and the state bit for bit' : 'losses and parameters to float32 precision, and every count'}`, () => withBackend(backend, () => {
    const params = c.initial.map((v, k) => tensor(v, { shape: c.shapes[k], requiresGrad: true }));
    const opt = new LBFGS(params, c.options);
    const closure = closureFor(c, params, opt);
    // The hand-written objectives give torch's losses and gradients to the bit, so LBFGS's own arithmetic is all
    // that is compared: exactly. With autograd, lrlab's matmul and mean round the loss and gradient an ulp or so
    // away from torch's (another summation order); L-BFGS carries that along, but on this well-conditioned problem
    // the parameters stay within 7e-6 relative, and every step makes as many closure calls and iterations as torch.
    const tol: Tolerance = exact ? { atol: 0, rtol: 0 } : { atol: 1e-6, rtol: 1e-5 };
    c.steps.forEach((expected, i) => {
      const loss = opt.step(closure);
      assertClose(loss, expected.loss, tol, `step ${i + 1} loss`);
      params.forEach((p, k) => assertClose(p, expected.params[k].data, tol, `step ${i + 1} param ${k}`));
      const s = opt.stateDict().state[0] as any;
      assert.equal([s.funcEvals, s.nIter], [expected.funcEvals, expected.nIter], `step ${i + 1}: closure calls and iterations`);
    });
    if (!exact) return;
    const state = opt.stateDict().state[0] as any;
    assert.equal(Object.keys(state).sort(), Object.keys(c.state).sort(), 'the state holds torch\'s entries');
    for (const [name, value] of Object.entries(c.state)) {
      if (name === 'al') assert.equal(state.al.map((v: number | null) => v ?? null), value, 'al');
      else if (Array.isArray(value) && Array.isArray(value[0])) value.forEach((v: number[], i: number) => assertClose(state[name][i], v, tol, `${name}[${i}]`));
      else assertClose(state[name], value, tol, name);
    }
  }));
}
parity.run();

// ---------------------------------------------------------------------------------------------------------------
const hand = suite('LBFGS: first steps by hand');

hand('on f = (θ - 3)^2: a gradient step of length 1/|g| first, then the secant pair finds the minimum', () => {
  const θ = zeros([1], { requiresGrad: true });
  const opt = new LBFGS([θ], { maxIter: 1 });
  const closure = () => {
    opt.zeroGrad();
    const loss = θ.sub(3).pow(2).sum();
    loss.backward();
    return loss;
  };
  // step 1: g = -6, d = -g = 6, t = min(1, 1/|g|) lr = 1/6: θ = 0 + 6/6 = 1 (maxIter 1: no second call)
  assert.is(opt.step(closure), 9);
  assertClose(θ, [1]);
  // step 2: g = -4; s = t d = 1, y = -4 - (-6) = 2, ρ = 1/(yᵀs) = 1/2, γ = yᵀs/yᵀy = 1/2
  // q = -g = 4; a = ρ sᵀq = 2; q = q - a y = 0; r = γ q = 0; b = ρ yᵀr = 0; r = r + (a - b) s = 2; θ = 1 + 1 * 2
  assert.is(opt.step(closure), 4);
  assertClose(θ, [3]);
  const s = opt.stateDict().state[0] as any;
  assert.equal([s.funcEvals, s.nIter, s.ro, s.hDiag, Array.from(s.d)], [2, 2, [0.5], 0.5, [2]]);
});

hand('with the strong Wolfe line search one step solves a quadratic: the first trial t = 1/|g| is refined by the cubic', () => {
  const θ = zeros([1], { requiresGrad: true });
  const opt = new LBFGS([θ], { lineSearchFn: 'strong_wolfe' });
  let calls = 0;
  opt.step(() => {
    calls++;
    opt.zeroGrad();
    const loss = θ.sub(3).pow(2).sum();
    loss.backward();
    return loss;
  });
  // iteration 1: g = -6, d = 6, t = 1/6, gᵀd = -36. The trial t = 1/6 gives θ = 1, f = 4, g = -4, g(t)ᵀd = -24:
  // Armijo holds (4 <= 9 - 1e-4 · 36 / 6) and so does the curvature condition (|-24| <= 0.9 · 36), so t is kept.
  // iteration 2: the secant direction d = 2 (as above), trial t = lr = 1: θ = 3, f = 0, g = 0, accepted at once;
  // the gradient is then 0 (below toleranceGrad), which ends the step: three closure calls in all
  assertClose(θ, [3]);
  assert.is(calls, 3);
});

hand.run();

// ---------------------------------------------------------------------------------------------------------------
const search = suite('LBFGS: the strong Wolfe line search');

search('cubicInterpolate: the minimum of the cubic through two points with slopes; the middle when there is none', () => {
  // f = (x - 1)^2 + (x - 1)^3 / 10 is a cubic with a local minimum at x = 1: from (0, f(0), f'(0)) and (2, f(2), f'(2))
  const fx = (x: number) => (x - 1) ** 2 + (x - 1) ** 3 / 10, gx = (x: number) => 2 * (x - 1) + (3 * (x - 1) ** 2) / 10;
  const t = cubicInterpolate(0, fx(0), new F32(gx(0)), 2, fx(2), new F32(gx(2)));
  assertClose(t instanceof F32 ? t.v : t, 1, { atol: 1e-6 });
  // clamped to the bounds given
  const c = cubicInterpolate(0, fx(0), new F32(gx(0)), 2, fx(2), new F32(gx(2)), [1.5, 3]);
  assert.is(c, 1.5);
  // d1² - g1 g2 < 0 (a cubic without a real minimum between): the middle of the bounds
  // (0, 0, slope 4) and (1, 3, slope 4): d1 = 4 + 4 - 3 (0 - 3) / (0 - 1) = -1, d1² - g1 g2 = 1 - 16 < 0
  assert.is(cubicInterpolate(0, 0, new F32(4), 1, 3, new F32(4)), 0.5);
});

search('strongWolfe returns a step satisfying both conditions on a 1-D quartic', () => {
  // f(x) = x^4 - 3x from x = 0 along d = 1: f'(0) = -3
  const fx = (x: number) => x ** 4 - 3 * x, gx = (x: number) => 4 * x ** 3 - 3;
  const d = Float32Array.of(1);
  let evals = 0;
  const found = strongWolfe((t) => {
    evals++;
    const x = t instanceof F32 ? t.v : t;
    return { f: Math.fround(fx(x)), g: Float32Array.of(gx(x)) };
  }, 1, d, 0, Float32Array.of(-3), new F32(-3));
  const t = found.t instanceof F32 ? found.t.v : found.t;
  assert.ok(found.f <= 0 + 1e-4 * t * -3, `Armijo: f(${t}) = ${found.f}`);
  assert.ok(Math.abs(dot(found.g, d)) <= 0.9 * 3, `curvature: g(${t}) = ${found.g[0]}`);
  assert.is(found.evals, evals);
});

search.run();

// ---------------------------------------------------------------------------------------------------------------
const behaviour = suite('LBFGS: behaviour, state dict and options');

/** Rosenbrock with autograd over two parameters, the closure as a PyTorch user writes it. */
function rosenbrockModel() {
  const x = tensor([-1.2], { requiresGrad: true }), y = tensor([1], { requiresGrad: true });
  const loss = () => tensor([1]).sub(x).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100)).sum();
  return { x, y, loss };
}

behaviour('with the line search it solves Rosenbrock from (-1.2, 1) in a few steps, with autograd', () => {
  const { x, y, loss } = rosenbrockModel();
  const opt = new LBFGS([x, y], { lineSearchFn: 'strong_wolfe' });
  const closure = () => {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    return l;
  };
  const first = opt.step(closure);
  assertClose(first, 24.2, { rtol: 1e-6 });
  for (let i = 0; i < 4; i++) opt.step(closure);
  assertClose([x.data[0], y.data[0]], [1, 1], { atol: 1e-4 });
});

behaviour('lineSearchFn: torch\'s \'strong_wolfe\' and \'strongWolfe\' run the same search', () => {
  const run = (lineSearchFn: 'strong_wolfe' | 'strongWolfe') => {
    const { x, y, loss } = rosenbrockModel();
    const opt = new LBFGS([x, y], { lineSearchFn, maxIter: 5 });
    opt.step(() => {
      opt.zeroGrad();
      const l = loss();
      l.backward();
      return l;
    });
    return [x.data[0], y.data[0], (opt.stateDict().state[0] as any).funcEvals];
  };
  assert.equal(run('strongWolfe'), run('strong_wolfe'));
});

behaviour('decreases a convex quadratic to near its minimum without a line search', () => {
  const θ = zeros([4], { requiresGrad: true });
  const opt = new LBFGS([θ], { lr: 0.5 });
  const start = quadratic(θ).item();
  for (let i = 0; i < 5; i++) {
    opt.step(() => {
      opt.zeroGrad();
      const l = quadratic(θ);
      l.backward();
      return l;
    });
  }
  assert.ok(quadratic(θ).item() < start * 1e-6, `loss ${quadratic(θ).item()}`);
});

behaviour('a state dict saved mid-run (through JSON) continues bit for bit; its names are torch\'s in camelCase', () => {
  const run = (lineSearchFn: 'strong_wolfe' | null, save: boolean) => {
    const { x, y, loss } = rosenbrockModel();
    let opt = new LBFGS([x, y], { maxIter: 3, historySize: 2, lineSearchFn });
    const closure = () => {
      opt.zeroGrad();
      const l = loss();
      l.backward();
      return l;
    };
    const losses = [opt.step(closure), opt.step(closure)];
    if (save) {
      const saved = JSON.parse(JSON.stringify(toJSONValue(opt.stateDict())));
      assert.equal(Object.keys(saved.state[0]).sort(), ['al', 'd', 'funcEvals', 'hDiag', 'nIter', 'oldDirs', 'oldStps', 'prevFlatGrad', 'prevLoss', 'ro', 't']);
      assert.equal(saved.paramGroups[0], { lr: 1, maxIter: 3, maxEval: 3, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 2, lineSearchFn, params: [0, 1] });
      opt = new LBFGS([x, y]);
      opt.loadStateDict(fromJSONValue(saved) as any);
    }
    for (let i = 0; i < 3; i++) losses.push(opt.step(closure));
    return [...losses, x.data[0], y.data[0]];
  };
  assert.equal(run(null, true), run(null, false));
  assert.equal(run('strong_wolfe', true), run('strong_wolfe', false));
});

behaviour('loadStateDict checks the state and changes nothing when it fails', () => {
  const { x, y, loss } = rosenbrockModel();
  const opt = new LBFGS([x, y], { maxIter: 4 });
  opt.step(() => {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    return l;
  });
  const good = opt.stateDict();
  const before = JSON.stringify(toJSONValue(good));
  const withState = (s: object) => ({ ...good, state: { 0: { ...good.state[0], ...s } as any } });
  assert.throws(() => opt.loadStateDict(withState({ d: [1, 2, 3] })), /LBFGS.loadStateDict: expected 'd' to have 2 values \(all parameters\), got 3/);
  assert.throws(() => opt.loadStateDict(withState({ nIter: -1 })), /expected 'nIter' to be a non-negative integer, got -1/);
  assert.throws(() => opt.loadStateDict(withState({ expAvg: [0, 0] })), /expected the state to hold funcEvals, .*got expAvg; is this state from another optimizer\?/);
  const ro = (good.state[0] as any).ro as number[];
  assert.ok(ro.length > 0);
  assert.throws(() => opt.loadStateDict(withState({ ro: [...ro, 1] })), new RegExp(`expected oldDirs, oldStps and ro to be as long as each other, got ${ro.length}, ${ro.length}, ${ro.length + 1}`));
  assert.throws(() => opt.loadStateDict({ ...good, state: { 1: good.state[0] } }), /expected state for parameter 0 only \(LBFGS keeps one state\), got state for 1/);
  assert.throws(() => opt.loadStateDict({ ...good, paramGroups: [{ ...good.paramGroups[0], historySize: 0 }] }), /LBFGS: historySize must be an integer >= 1, got 0/);
  assert.throws(() => opt.loadStateDict(new SGD([x, y], { lr: 0.1 }).stateDict()), /is this state from another optimizer\?/);
  assert.is(JSON.stringify(toJSONValue(opt.stateDict())), before);
});

behaviour('options: torch\'s defaults (maxEval = maxIter * 5 / 4), one param group, and checked values', () => {
  const p = () => [tensor([1], { requiresGrad: true })];
  assert.equal(new LBFGS(p()).defaults, { lr: 1, maxIter: 20, maxEval: 25, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null });
  assert.is(new LBFGS(p(), { maxIter: 10 }).defaults.maxEval, 12);
  assert.is(new LBFGS(p(), { maxIter: 10, maxEval: 40 }).defaults.maxEval, 40);
  assert.throws(() => new LBFGS([{ params: p() }, { params: p() }]), /LBFGS: expected one param group \(LBFGS doesn't support per-parameter options or parameter groups\), got a second/);
  assert.throws(() => new LBFGS(p(), { lineSearchFn: 'wolfe' as any }), /LBFGS: lineSearchFn must be 'strong_wolfe' \(or 'strongWolfe'\) or null, got "wolfe"/);
  assert.throws(() => new LBFGS(p(), { lineSearchFn: 1 as any }), (e: Error) => e instanceof TypeError && /LBFGS: expected lineSearchFn to be 'strong_wolfe' or null, got 1/.test(e.message));
  assert.throws(() => new LBFGS(p(), { maxIter: 2.5 }), /LBFGS: maxIter must be an integer >= 1, got 2.5/);
  assert.throws(() => new LBFGS(p(), { toleranceGrad: -1 }), /LBFGS: toleranceGrad must be >= 0, got -1/);
  assert.throws(() => new LBFGS(p(), { max_iter: 5 } as any), /LBFGS: unknown option 'max_iter' \(known: lr, maxIter, maxEval, /);
});

behaviour('step needs a closure; a non-finite loss or gradient throws with the parameters as before the step', () => {
  const θ = tensor([1, 2], { requiresGrad: true });
  const opt = new LBFGS([θ], { maxIter: 5 });
  assert.throws(() => (opt as any).step(), (e: Error) => e instanceof TypeError && /LBFGS.step: expected a closure that zeroes the gradients, computes the loss, calls backward and returns it, got undefined/.test(e.message));
  let calls = 0;
  const closure = () => {
    opt.zeroGrad();
    const l = θ.pow(2).sum();
    l.backward();
    return ++calls === 3 ? NaN : l;
  };
  assert.throws(() => opt.step(closure), (e: Error) => e instanceof NonFiniteStepError && /LBFGS.step: expected the closure to return a finite loss, got NaN at closure call 3 of the step; parameters and state are as before the step/.test(e.message));
  assert.equal(Array.from(θ.data), [1, 2]);
  assert.equal(opt.stateDict().state, {});
  const bad = () => {
    opt.zeroGrad();
    θ.grad = tensor([Infinity, 0]);
    return 1;
  };
  assert.throws(() => opt.step(bad), /LBFGS.step: expected finite gradients, got Infinity at index 0 of the flattened gradient/);
});

behaviour.run();

// ---------------------------------------------------------------------------------------------------------------
const reductions = suite('LBFGS: the float32 reductions it shares with torch');

reductions('dot and ‖x‖₁ equal torch\'s bit for bit on every length below 32', () => {
  const { reductions: rows } = fixture<{ reductions: { x: number[]; y: number[]; dot: number; sumAbs: number }[] }>('optimizers-classic.json');
  for (const r of rows) {
    const x = Float32Array.from(r.x), y = Float32Array.from(r.y);
    assert.is(dot(x, y), r.dot, `dot of length ${x.length}`);
    assert.is(sumAbs(x), r.sumAbs, `sumAbs of length ${x.length}`);
  }
});

reductions.run();
