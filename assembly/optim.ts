// The optimizers' update rules as WebAssembly SIMD kernels, four parameters per step. Each line mirrors one line
// of the readable TypeScript rule in src/optim/ (the reference), rounding where it rounds, so both give the same
// bits: a float32 add, multiply, divide or square root equals JavaScript's double operation followed by
// Math.fround (double rounding from 53 to 24 bits is innocuous for these), and where the reference computes
// `fround(a + b * c)` in one double expression (PyTorch's fused multiply-add in `add_(x, alpha=...)`) the kernel
// does the same in two f64x2 halves (fma32; addcmul32 where the product's two factors both vary per lane).
//
// Every buffer is a byte offset into the memory, holding n floats rounded up to a multiple of 4: the last lanes
// are padding the kernels may overwrite.
//
// Subnormal numbers: a state that decays (a moment of a unit whose gradient is 0) passes through float32's subnormal
// range, and x86 processors run float32 SIMD arithmetic on subnormals through a microcode assist about 25 times
// slower (a few percent of subnormal lanes made Adam 3-5 times slower). Double precision has no subnormals there,
// so a group of four lanes whose decaying state holds a tiny value (below 2^-90, not 0) takes the rule one lane at
// a time in double, rounded to float32 after each operation exactly as the reference does: the same bits, without
// the assists. (Only the decaying state is checked, which is where subnormals come from in training; Adagrad's sum
// only grows.) The check runs once per block of BLOCK bytes, over the whole block's state, before the update: a
// block with no tiny value (the usual case) then runs in a loop with no check per group (which cost about a third of
// Adam's time) and no call (the lane fallback's call kept the loop's constants out of registers).

/** Bytes per block of the check for tiny state (256 floats of each array: a block's state is still in L1 when the update reads it). */
const BLOCK: usize = 1024;
/** The bits of 2^-90 less one: a float x is tiny (0 < |x| < 2^-90) when its magnitude's bits less one, unsigned, are below this (0 wraps around). */
const TINY_BITS_LESS_ONE: i32 = (37 << 23) - 1;

/** The magnitude's bits less one per lane, unsigned order (0 and -0 wrap to the largest; NaN stays above the tiny range). */
// @ts-ignore: decorator
@inline
function magnitudeLessOne(x: v128): v128 {
  return i32x4.sub(v128.and(x, i32x4.splat(0x7fffffff)), i32x4.splat(1));
}

/** Lanes of x that are tiny but not 0 (0 < |x| < 2^-90): a product with them (an lr, a beta) may reach the subnormal range. */
// @ts-ignore: decorator
@inline
function tiny(x: v128): v128 {
  return i32x4.lt_u(magnitudeLessOne(x), i32x4.splat(TINY_BITS_LESS_ONE));
}

/** The tiny lanes of the group of four at byte i of the arrays at a, b and c (0: none). */
// @ts-ignore: decorator
@inline
function smallGroup(a: usize, b: usize, c: usize, i: usize): v128 {
  let small = tiny(v128.load(a + i));
  if (b != 0) small = v128.or(small, tiny(v128.load(b + i)));
  if (c != 0) small = v128.or(small, tiny(v128.load(c + i)));
  return small;
}

/** Whether any float in bytes [from, to) of the arrays at a, b and c (0: none) is tiny, in one pass with a running minimum. */
// @ts-ignore: decorator
@inline
function anyTiny(a: usize, b: usize, c: usize, from: usize, to: usize): bool {
  let low = i32x4.splat(-1);
  for (let i = from; i < to; i += 16) {
    low = i32x4.min_u(low, magnitudeLessOne(v128.load(a + i)));
    if (b != 0) low = i32x4.min_u(low, magnitudeLessOne(v128.load(b + i)));
    if (c != 0) low = i32x4.min_u(low, magnitudeLessOne(v128.load(c + i)));
  }
  return v128.any_true(i32x4.lt_u(low, i32x4.splat(TINY_BITS_LESS_ONE)));
}

/** fround(a + b * c) per lane, computed in double as the reference does (b * c is exact in double); b is a constant given as f64x2. */
// @ts-ignore: decorator
@inline
function fma32(a: v128, b: v128, c: v128): v128 {
  const lo = f64x2.add(f64x2.promote_low_f32x4(a), f64x2.mul(b, f64x2.promote_low_f32x4(c)));
  const ah = v128.shuffle<f32>(a, a, 2, 3, 0, 1), ch = v128.shuffle<f32>(c, c, 2, 3, 0, 1);
  const hi = f64x2.add(f64x2.promote_low_f32x4(ah), f64x2.mul(b, f64x2.promote_low_f32x4(ch)));
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/**
 * Stores fround(x + b * c) per lane over the four floats x at byte address `at`, as fma32 does, reading and writing
 * x two lanes at a time (fewer shuffles: the double conversions bound these kernels).
 */
// @ts-ignore: decorator
@inline
function fma32At(at: usize, b: v128, c: v128): void {
  const ch = v128.shuffle<f32>(c, c, 2, 3, 0, 1);
  v128.store64_lane(at, f32x4.demote_f64x2_zero(f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(at)), f64x2.mul(b, f64x2.promote_low_f32x4(c)))), 0);
  v128.store64_lane(at + 8, f32x4.demote_f64x2_zero(f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(at + 8)), f64x2.mul(b, f64x2.promote_low_f32x4(ch)))), 0);
}

/** fround(a + b * c) per lane, computed in double as the reference does (b * c is exact in double); b and c both vary per lane (torch's addcmul). */
// @ts-ignore: decorator
@inline
function addcmul32(a: v128, b: v128, c: v128): v128 {
  const lo = f64x2.add(f64x2.promote_low_f32x4(a), f64x2.mul(f64x2.promote_low_f32x4(b), f64x2.promote_low_f32x4(c)));
  const ah = v128.shuffle<f32>(a, a, 2, 3, 0, 1), bh = v128.shuffle<f32>(b, b, 2, 3, 0, 1), ch = v128.shuffle<f32>(c, c, 2, 3, 0, 1);
  const hi = f64x2.add(f64x2.promote_low_f32x4(ah), f64x2.mul(f64x2.promote_low_f32x4(bh), f64x2.promote_low_f32x4(ch)));
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** A float32 constant as the f64x2 that fma32 takes. */
// @ts-ignore: decorator
@inline
function wide(x: f32): v128 {
  return f64x2.splat(<f64>x);
}

/** The gradient as the rules read it: negated with maximize, then L2 weight decay g = fround(g + λθ). */
// @ts-ignore: decorator
@inline
function gradient(grad: usize, θ: v128, maximize: i32, λ: f32): v128 {
  let g = v128.load(grad);
  if (maximize) g = f32x4.neg(g);
  if (λ != 0) g = fma32(g, wide(λ), θ);
  return g;
}

/** SGD (src/optim/sgd.ts): b = g first, else fround(bμ + (1 - τ)g); g = fround(g + μb) or b; θ = fround(θ - ηg). */
export function sgd(θp: usize, gp: usize, bp: usize, n: i32, η: f32, λ: f32, μ: f32, oneMinusτ: f32, first: i32, nesterov: i32, maximize: i32): void {
  const mη = wide(-η), vμ = f32x4.splat(μ), wμ = wide(μ), vτ = wide(oneMinusτ), dampened = oneMinusτ != 1;
  // the options most runs use (no weight decay, dampening, Nesterov or maximize; past the first step): loops of their
  // own, with no test of an option inside (V8 keeps such tests in the loop, and the loop ran at half the speed)
  // (without a momentum buffer `first` means nothing: SGD passes it true at every step)
  const plainGradient = λ == 0 && maximize == 0, plainMomentum = plainGradient && !dampened && first == 0 && nesterov == 0;
  const end = <usize>n * 4;
  for (let block: usize = 0; block < end; block += BLOCK) {
    const stop = min(block + BLOCK, end);
    if (plainGradient && bp == 0) {
      // (the options as constants: the inlined rule keeps none of their tests)
      for (let i = block; i < stop; i += 16) sgdGroup(θp + i, gp + i, 0, mη, 0, vμ, wμ, vτ, false, 1, 0, 0);
      continue;
    }
    if (bp == 0 || !anyTiny(bp, 0, 0, block, stop)) {
      if (plainMomentum) {
        for (let i = block; i < stop; i += 16) sgdGroup(θp + i, gp + i, bp + i, mη, 0, vμ, wμ, vτ, false, 0, 0, 0);
        continue;
      }
      // the usual case: a loop with no check and no call, whose constants stay in registers
      for (let i = block; i < stop; i += 16) sgdGroup(θp + i, gp + i, bp != 0 ? bp + i : 0, mη, λ, vμ, wμ, vτ, dampened, first, nesterov, maximize);
      continue;
    }
    for (let i = block; i < stop; i += 16) {
      if (v128.any_true(smallGroup(bp, 0, 0, i))) {
        for (let at = i; at < i + 16; at += 4) sgdLane(θp + at, gp + at, bp + at, η, λ, μ, oneMinusτ, first, nesterov, maximize);
      } else {
        sgdGroup(θp + i, gp + i, bp + i, mη, λ, vμ, wμ, vτ, dampened, first, nesterov, maximize);
      }
    }
  }
}

/** SGD's rule for the four parameters at θp (byte addresses; bp 0 without momentum), with the constants as vectors. */
// @ts-ignore: decorator
@inline
function sgdGroup(θp: usize, gp: usize, bp: usize, mη: v128, λ: f32, vμ: v128, wμ: v128, vτ: v128, dampened: bool, first: i32, nesterov: i32, maximize: i32): void {
  let g = gradient(gp, v128.load(θp), maximize, λ);
  if (bp != 0) {
    // without dampening the reference's fround(bμ + 1·g) is the float32 sum (a sum of two floats rounded to 53 bits
    // and then to 24 rounds as once)
    const bμ = f32x4.mul(v128.load(bp), vμ);
    const b = first ? g : dampened ? fma32(bμ, vτ, g) : f32x4.add(bμ, g);
    v128.store(bp, b);
    g = nesterov ? fma32(g, wμ, b) : b;
  }
  // θ - ηg in double, rounded once, is θ + (-η)g
  fma32At(θp, mη, g);
}

/** One lane's gradient as the rules read it, in double: negated with maximize, then g = fround(g + λθ). */
// @ts-ignore: decorator
@inline
function gradientLane(gp: usize, θ: f64, maximize: i32, λ: f32): f64 {
  let g = <f64>load<f32>(gp);
  if (maximize) g = -g;
  if (λ != 0) g = <f64><f32>(g + <f64>λ * θ);
  return g;
}

/** One lane's running average of squares, in double: fround(fround(v·rate) + fround(fround(oneMinus·g)·g)). */
// @ts-ignore: decorator
@inline
function squareAverageLane(vp: usize, rate: f32, oneMinus: f32, g: f64): f64 {
  return <f64><f32>(<f64><f32>(<f64>load<f32>(vp) * <f64>rate) + <f64><f32>(<f64><f32>(<f64>oneMinus * g) * g));
}

/** SGD's rule for one parameter in double, rounded to float32 after each operation (the reference's loop). */
function sgdLane(θp: usize, gp: usize, bp: usize, η: f32, λ: f32, μ: f32, oneMinusτ: f32, first: i32, nesterov: i32, maximize: i32): void {
  const θ = <f64>load<f32>(θp);
  let g = gradientLane(gp, θ, maximize, λ);
  if (bp != 0) {
    const b = first ? g : <f64><f32>(<f64><f32>(<f64>load<f32>(bp) * <f64>μ) + <f64>oneMinusτ * g);
    store<f32>(bp, <f32>b);
    g = nesterov ? <f64><f32>(g + <f64>μ * b) : b;
  }
  store<f32>(θp, <f32>(θ - <f64>η * g));
}

/**
 * Adam and AdamW (src/optim/adam.ts, adamw.ts): θ = fround(θ·decay) first (AdamW; decay 1 skips it), then
 * m = fround(fround(m β1) + (1 - β1) g), v = fround(v β2) + fround(fround((1 - β2) g) g), v̂max = max(v̂max, v),
 * θ = θ + (stepSize m) / (sqrt(v) / bc2Sqrt + ε).
 */
export function adam(θp: usize, gp: usize, mp: usize, vp: usize, vMaxp: usize, n: i32, b1: f32, b2: f32, c1: f32, c2: f32, ε: f32, λ: f32, stepSize: f32, bc2Sqrt: f32, decay: f32, maximize: i32): void {
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vc1 = wide(c1), vc2 = f32x4.splat(c2);
  const vε = f32x4.splat(ε), vStep = f32x4.splat(stepSize), vbc2 = f32x4.splat(bc2Sqrt), vDecay = f32x4.splat(decay);
  const plain = λ == 0 && maximize == 0 && vMaxp == 0;
  const end = <usize>n * 4;
  for (let block: usize = 0; block < end; block += BLOCK) {
    const stop = min(block + BLOCK, end);
    if (!anyTiny(mp, vp, 0, block, stop)) {
      // the usual case: a loop with no check and no call, whose constants stay in registers; with the options most
      // runs use (no weight decay as L2, amsgrad or maximize) given as constants, so that the inlined rule keeps none
      // of their tests (V8 keeps such tests inside the loop)
      if (plain && decay == 1) for (let i = block; i < stop; i += 16) adamGroup(θp + i, gp + i, mp + i, vp + i, 0, vb1, vb2, vc1, vc2, vε, 0, vStep, vbc2, false, vDecay, 0);
      else if (plain) for (let i = block; i < stop; i += 16) adamGroup(θp + i, gp + i, mp + i, vp + i, 0, vb1, vb2, vc1, vc2, vε, 0, vStep, vbc2, true, vDecay, 0);
      else for (let i = block; i < stop; i += 16) adamGroup(θp + i, gp + i, mp + i, vp + i, vMaxp != 0 ? vMaxp + i : 0, vb1, vb2, vc1, vc2, vε, λ, vStep, vbc2, decay != 1, vDecay, maximize);
      continue;
    }
    for (let i = block; i < stop; i += 16) {
      if (v128.any_true(smallGroup(mp, vp, 0, i))) {
        for (let at = i; at < i + 16; at += 4) adamLane(θp + at, gp + at, mp + at, vp + at, vMaxp != 0 ? vMaxp + at : 0, b1, b2, c1, c2, ε, λ, stepSize, bc2Sqrt, decay, maximize);
      } else {
        adamGroup(θp + i, gp + i, mp + i, vp + i, vMaxp != 0 ? vMaxp + i : 0, vb1, vb2, vc1, vc2, vε, λ, vStep, vbc2, decay != 1, vDecay, maximize);
      }
    }
  }
}

/** Adam's rule for the four parameters at θp (byte addresses), with the constants as vectors. */
// @ts-ignore: decorator
@inline
function adamGroup(θp: usize, gp: usize, mp: usize, vp: usize, vMaxp: usize, vb1: v128, vb2: v128, vc1: v128, vc2: v128, vε: v128, λ: f32, vStep: v128, vbc2: v128, decayed: bool, vDecay: v128, maximize: i32): void {
  let θ = v128.load(θp);
  if (decayed) θ = f32x4.mul(θ, vDecay);
  const g = gradient(gp, θ, maximize, λ);
  const m = fma32(f32x4.mul(v128.load(mp), vb1), vc1, g);
  const v = f32x4.add(f32x4.mul(v128.load(vp), vb2), f32x4.mul(f32x4.mul(vc2, g), g));
  v128.store(mp, m);
  v128.store(vp, v);
  let vi = v;
  if (vMaxp != 0) {
    vi = f32x4.max(v128.load(vMaxp), v);
    v128.store(vMaxp, vi);
  }
  const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), vbc2), vε);
  v128.store(θp, f32x4.add(θ, f32x4.div(f32x4.mul(vStep, m), denom)));
}

/** Adam's rule for one parameter in double, rounded to float32 after each operation (the reference's loop). */
function adamLane(θp: usize, gp: usize, mp: usize, vp: usize, vMaxp: usize, b1: f32, b2: f32, c1: f32, c2: f32, ε: f32, λ: f32, stepSize: f32, bc2Sqrt: f32, decay: f32, maximize: i32): void {
  let θ = <f64>load<f32>(θp);
  if (decay != 1) θ = <f64><f32>(θ * <f64>decay);
  const g = gradientLane(gp, θ, maximize, λ);
  const m = <f64><f32>(<f64><f32>(<f64>load<f32>(mp) * <f64>b1) + <f64>c1 * g);
  const v = squareAverageLane(vp, b2, c2, g);
  store<f32>(mp, <f32>m);
  store<f32>(vp, <f32>v);
  let vi = v;
  if (vMaxp != 0) {
    vi = max(<f64>load<f32>(vMaxp), v);
    store<f32>(vMaxp, <f32>vi);
  }
  const denom = <f64><f32>(<f64><f32>(<f64><f32>sqrt(vi) / <f64>bc2Sqrt) + <f64>ε);
  store<f32>(θp, <f32>(θ + <f64><f32>(<f64><f32>(<f64>stepSize * m) / denom)));
}

/**
 * RMSprop (src/optim/rmsprop.ts): v = fround(vα) + fround(fround((1 - α)g) g); centered: ḡ = fround(ḡα + (1 - α)g),
 * d = sqrt(v - ḡ²); d = d + ε; momentum: b = bμ + g/d, θ = fround(θ - ηb); else θ = θ + (-ηg)/d.
 */
export function rmsprop(θp: usize, gp: usize, vp: usize, gBarp: usize, bp: usize, n: i32, η: f32, α: f32, oneMinusα: f32, ε: f32, λ: f32, μ: f32, maximize: i32): void {
  const vα = f32x4.splat(α), v1α = f32x4.splat(oneMinusα), w1α = wide(oneMinusα), vε = f32x4.splat(ε), vμ = f32x4.splat(μ), vmη = f32x4.splat(-η), wmη = wide(-η);
  const momentum = bp != 0 && μ > 0, plain = gBarp == 0 && !momentum && λ == 0 && maximize == 0;
  const end = <usize>n * 4;
  for (let block: usize = 0; block < end; block += BLOCK) {
    const stop = min(block + BLOCK, end);
    if (!anyTiny(vp, gBarp, bp, block, stop)) {
      // (the default options as constants, as in adam)
      if (plain) for (let i = block; i < stop; i += 16) rmspropGroup(θp + i, gp + i, vp + i, 0, 0, vα, v1α, w1α, vε, vμ, vmη, wmη, 0, 0);
      else for (let i = block; i < stop; i += 16) rmspropGroup(θp + i, gp + i, vp + i, gBarp != 0 ? gBarp + i : 0, momentum ? bp + i : 0, vα, v1α, w1α, vε, vμ, vmη, wmη, λ, maximize);
      continue;
    }
    for (let i = block; i < stop; i += 16) {
      if (v128.any_true(smallGroup(vp, gBarp, bp, i))) {
        for (let at = i; at < i + 16; at += 4) rmspropLane(θp + at, gp + at, vp + at, gBarp != 0 ? gBarp + at : 0, bp != 0 ? bp + at : 0, η, α, oneMinusα, ε, λ, μ, maximize);
      } else {
        rmspropGroup(θp + i, gp + i, vp + i, gBarp != 0 ? gBarp + i : 0, momentum ? bp + i : 0, vα, v1α, w1α, vε, vμ, vmη, wmη, λ, maximize);
      }
    }
  }
}

/** RMSprop's rule for the four parameters at θp (byte addresses; gBarp 0 when not centered, bp 0 without momentum). */
// @ts-ignore: decorator
@inline
function rmspropGroup(θp: usize, gp: usize, vp: usize, gBarp: usize, bp: usize, vα: v128, v1α: v128, w1α: v128, vε: v128, vμ: v128, vmη: v128, wmη: v128, λ: f32, maximize: i32): void {
  const θ = v128.load(θp);
  const g = gradient(gp, θ, maximize, λ);
  const v = f32x4.add(f32x4.mul(v128.load(vp), vα), f32x4.mul(f32x4.mul(v1α, g), g));
  v128.store(vp, v);
  let d: v128;
  if (gBarp != 0) {
    const gBar = fma32(f32x4.mul(v128.load(gBarp), vα), w1α, g);
    v128.store(gBarp, gBar);
    d = f32x4.sqrt(f32x4.sub(v, f32x4.mul(gBar, gBar)));
  } else {
    d = f32x4.sqrt(v);
  }
  d = f32x4.add(d, vε);
  if (bp != 0) {
    const b = f32x4.add(f32x4.mul(v128.load(bp), vμ), f32x4.div(g, d));
    v128.store(bp, b);
    fma32At(θp, wmη, b);
  } else {
    v128.store(θp, f32x4.add(θ, f32x4.div(f32x4.mul(vmη, g), d)));
  }
}

/** RMSprop's rule for one parameter in double, rounded to float32 after each operation (the reference's loop). */
function rmspropLane(θp: usize, gp: usize, vp: usize, gBarp: usize, bp: usize, η: f32, α: f32, oneMinusα: f32, ε: f32, λ: f32, μ: f32, maximize: i32): void {
  const θ = <f64>load<f32>(θp);
  const g = gradientLane(gp, θ, maximize, λ);
  const v = squareAverageLane(vp, α, oneMinusα, g);
  store<f32>(vp, <f32>v);
  let d: f64;
  if (gBarp != 0) {
    const gBar = <f64><f32>(<f64><f32>(<f64>load<f32>(gBarp) * <f64>α) + <f64>oneMinusα * g);
    store<f32>(gBarp, <f32>gBar);
    d = <f64><f32>sqrt(<f64><f32>(v - <f64><f32>(gBar * gBar)));
  } else {
    d = <f64><f32>sqrt(v);
  }
  d = <f64><f32>(d + <f64>ε);
  if (bp != 0 && μ > 0) {
    const b = <f64><f32>(<f64><f32>(<f64>load<f32>(bp) * <f64>μ) + <f64><f32>(g / d));
    store<f32>(bp, <f32>b);
    store<f32>(θp, <f32>(θ - <f64>η * b));
  } else {
    store<f32>(θp, <f32>(θ + <f64><f32>(<f64><f32>(-<f64>η * g) / d)));
  }
}

/** Adagrad (src/optim/adagrad.ts): G = G + g², θ = θ + (η_t g) / (sqrt(G) + ε), η_t already negative. */
export function adagrad(θp: usize, gp: usize, Gp: usize, n: i32, ηt: f32, λ: f32, ε: f32, maximize: i32): void {
  const vη = f32x4.splat(ηt), vε = f32x4.splat(ε), end = <usize>n * 4;
  // (the default options as constants, as in adam)
  if (λ == 0 && maximize == 0) for (let i: usize = 0; i < end; i += 16) adagradGroup(θp + i, gp + i, Gp + i, vη, vε, 0, 0);
  else for (let i: usize = 0; i < end; i += 16) adagradGroup(θp + i, gp + i, Gp + i, vη, vε, λ, maximize);
}

/** Adagrad's rule for the four parameters at θp (byte addresses). */
// @ts-ignore: decorator
@inline
function adagradGroup(θp: usize, gp: usize, Gp: usize, vη: v128, vε: v128, λ: f32, maximize: i32): void {
  const θ = v128.load(θp);
  const g = gradient(gp, θ, maximize, λ);
  const G = f32x4.add(v128.load(Gp), f32x4.mul(g, g));
  v128.store(Gp, G);
  const std = f32x4.add(f32x4.sqrt(G), vε);
  v128.store(θp, f32x4.add(θ, f32x4.div(f32x4.mul(vη, g), std)));
}

/** Adadelta (src/optim/adadelta.ts): v, then Δ = sqrt(u + ε) / sqrt(v + ε) · g, u, θ = fround(θ - ηΔ). */
export function adadelta(θp: usize, gp: usize, vp: usize, up: usize, n: i32, η: f32, ρ: f32, oneMinusρ: f32, ε: f32, λ: f32, maximize: i32): void {
  const vρ = f32x4.splat(ρ), v1ρ = f32x4.splat(oneMinusρ), vε = f32x4.splat(ε), wmη = wide(-η);
  const end = <usize>n * 4;
  for (let block: usize = 0; block < end; block += BLOCK) {
    const stop = min(block + BLOCK, end);
    if (!anyTiny(vp, up, 0, block, stop)) {
      // (the default options as constants, as in adam)
      if (λ == 0 && maximize == 0) for (let i = block; i < stop; i += 16) adadeltaGroup(θp + i, gp + i, vp + i, up + i, vρ, v1ρ, vε, wmη, 0, 0);
      else for (let i = block; i < stop; i += 16) adadeltaGroup(θp + i, gp + i, vp + i, up + i, vρ, v1ρ, vε, wmη, λ, maximize);
      continue;
    }
    for (let i = block; i < stop; i += 16) {
      if (v128.any_true(smallGroup(vp, up, 0, i))) {
        for (let at = i; at < i + 16; at += 4) adadeltaLane(θp + at, gp + at, vp + at, up + at, η, ρ, oneMinusρ, ε, λ, maximize);
      } else {
        adadeltaGroup(θp + i, gp + i, vp + i, up + i, vρ, v1ρ, vε, wmη, λ, maximize);
      }
    }
  }
}

/** Adadelta's rule for the four parameters at θp (byte addresses), with the constants as vectors. */
// @ts-ignore: decorator
@inline
function adadeltaGroup(θp: usize, gp: usize, vp: usize, up: usize, vρ: v128, v1ρ: v128, vε: v128, wmη: v128, λ: f32, maximize: i32): void {
  const g = gradient(gp, v128.load(θp), maximize, λ);
  const v = f32x4.add(f32x4.mul(v128.load(vp), vρ), f32x4.mul(f32x4.mul(v1ρ, g), g));
  v128.store(vp, v);
  const std = f32x4.sqrt(f32x4.add(v, vε));
  const u = v128.load(up);
  const Δ = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(u, vε)), std), g);
  v128.store(up, f32x4.add(f32x4.mul(u, vρ), f32x4.mul(f32x4.mul(v1ρ, Δ), Δ)));
  fma32At(θp, wmη, Δ);
}

/** Adadelta's rule for one parameter in double, rounded to float32 after each operation (the reference's loop). */
function adadeltaLane(θp: usize, gp: usize, vp: usize, up: usize, η: f32, ρ: f32, oneMinusρ: f32, ε: f32, λ: f32, maximize: i32): void {
  const θ = <f64>load<f32>(θp);
  const g = gradientLane(gp, θ, maximize, λ);
  const v = squareAverageLane(vp, ρ, oneMinusρ, g);
  store<f32>(vp, <f32>v);
  const std = <f64><f32>sqrt(<f64><f32>(v + <f64>ε));
  const u = <f64>load<f32>(up);
  const Δ = <f64><f32>(<f64><f32>(<f64><f32>sqrt(<f64><f32>(u + <f64>ε)) / std) * g);
  store<f32>(up, <f32>(<f64><f32>(u * <f64>ρ) + <f64><f32>(<f64><f32>(<f64>oneMinusρ * Δ) * Δ)));
  store<f32>(θp, <f32>(θ - <f64>η * Δ));
}

/**
 * NAdam (src/optim/nadam.ts): m = fround(fround(m β1) + (1 - β1) g), v = fround(fround(v β2) + fround((1 - β2) g) g)
 * (torch's addcmul, one rounding), d = sqrt(v) / bc2Sqrt + ε, θ = θ + (stepG g) / d, then θ = θ + (stepM m) / d.
 */
export function nadam(θp: usize, gp: usize, mp: usize, vp: usize, n: i32, b1: f32, b2: f32, c1: f32, c2: f32, ε: f32, λ: f32, stepG: f32, stepM: f32, bc2Sqrt: f32): void {
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vc1 = wide(c1), vc2 = f32x4.splat(c2);
  const vε = f32x4.splat(ε), vStepG = f32x4.splat(stepG), vStepM = f32x4.splat(stepM), vbc2 = f32x4.splat(bc2Sqrt);
  const end = <usize>n * 4;
  for (let block: usize = 0; block < end; block += BLOCK) {
    const stop = min(block + BLOCK, end);
    if (!anyTiny(mp, vp, 0, block, stop)) {
      for (let i = block; i < stop; i += 16) nadamGroup(θp + i, gp + i, mp + i, vp + i, vb1, vb2, vc1, vc2, vε, λ, vStepG, vStepM, vbc2);
      continue;
    }
    for (let i = block; i < stop; i += 16) {
      if (v128.any_true(smallGroup(mp, vp, 0, i))) {
        for (let at = i; at < i + 16; at += 4) nadamLane(θp + at, gp + at, mp + at, vp + at, b1, b2, c1, c2, ε, λ, stepG, stepM, bc2Sqrt);
      } else {
        nadamGroup(θp + i, gp + i, mp + i, vp + i, vb1, vb2, vc1, vc2, vε, λ, vStepG, vStepM, vbc2);
      }
    }
  }
}

/** Adam's moments for four parameters, m = b1 m + c1 g and v = b2 v + c2 g g, stored at mp and vp; returns m. */
// @ts-ignore: decorator
@inline
function moments(mp: usize, vp: usize, g: v128, vb1: v128, vc1: v128, vb2: v128, vc2: v128): v128 {
  const m = fma32(f32x4.mul(v128.load(mp), vb1), vc1, g);
  v128.store(mp, m);
  v128.store(vp, addcmul32(f32x4.mul(v128.load(vp), vb2), f32x4.mul(vc2, g), g));
  return m;
}

/** NAdam's rule for the four parameters at θp (byte addresses), with the constants as vectors. */
// @ts-ignore: decorator
@inline
function nadamGroup(θp: usize, gp: usize, mp: usize, vp: usize, vb1: v128, vb2: v128, vc1: v128, vc2: v128, vε: v128, λ: f32, vStepG: v128, vStepM: v128, vbc2: v128): void {
  const θ = v128.load(θp);
  const g = gradient(gp, θ, 0, λ);
  const m = moments(mp, vp, g, vb1, vc1, vb2, vc2), v = v128.load(vp);
  const d = f32x4.add(f32x4.div(f32x4.sqrt(v), vbc2), vε);
  const θg = f32x4.add(θ, f32x4.div(f32x4.mul(vStepG, g), d));
  v128.store(θp, f32x4.add(θg, f32x4.div(f32x4.mul(vStepM, m), d)));
}

/** NAdam's rule for one parameter in double, rounded to float32 after each operation (the reference's loop). */
function nadamLane(θp: usize, gp: usize, mp: usize, vp: usize, b1: f32, b2: f32, c1: f32, c2: f32, ε: f32, λ: f32, stepG: f32, stepM: f32, bc2Sqrt: f32): void {
  const θ = <f64>load<f32>(θp);
  const g = gradientLane(gp, θ, 0, λ);
  const m = <f64><f32>(<f64><f32>(<f64>load<f32>(mp) * <f64>b1) + <f64>c1 * g);
  const v = <f64><f32>(<f64><f32>(<f64>load<f32>(vp) * <f64>b2) + <f64><f32>(<f64>c2 * g) * g);
  store<f32>(mp, <f32>m);
  store<f32>(vp, <f32>v);
  const d = <f64><f32>(<f64><f32>(<f64><f32>sqrt(v) / <f64>bc2Sqrt) + <f64>ε);
  const θg = <f64><f32>(θ + <f64><f32>(<f64><f32>(<f64>stepG * g) / d));
  store<f32>(θp, <f32>(θg + <f64><f32>(<f64><f32>(<f64>stepM * m) / d)));
}

/**
 * RAdam (src/optim/radam.ts): m and v as NAdam's, m̂ = m / bc1; rectified: l = (1 / (sqrt(v) + ε)) bc2Sqrt (torch's
 * number / tensor, a reciprocal times the number), θ = θ - ((m̂ η) l) r_t; else θ = θ - m̂ η.
 */
export function radam(θp: usize, gp: usize, mp: usize, vp: usize, n: i32, b1: f32, b2: f32, c1: f32, c2: f32, ε: f32, λ: f32, η: f32, bc1: f32, bc2Sqrt: f32, rt: f32, rectified: i32): void {
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vc1 = wide(c1), vc2 = f32x4.splat(c2), vε = f32x4.splat(ε);
  const vη = f32x4.splat(η), vbc1 = f32x4.splat(bc1), vbc2 = f32x4.splat(bc2Sqrt), vrt = f32x4.splat(rt);
  const end = <usize>n * 4;
  for (let block: usize = 0; block < end; block += BLOCK) {
    const stop = min(block + BLOCK, end);
    if (!anyTiny(mp, vp, 0, block, stop)) {
      for (let i = block; i < stop; i += 16) radamGroup(θp + i, gp + i, mp + i, vp + i, vb1, vb2, vc1, vc2, vε, λ, vη, vbc1, vbc2, vrt, rectified);
      continue;
    }
    for (let i = block; i < stop; i += 16) {
      if (v128.any_true(smallGroup(mp, vp, 0, i))) {
        for (let at = i; at < i + 16; at += 4) radamLane(θp + at, gp + at, mp + at, vp + at, b1, b2, c1, c2, ε, λ, η, bc1, bc2Sqrt, rt, rectified);
      } else {
        radamGroup(θp + i, gp + i, mp + i, vp + i, vb1, vb2, vc1, vc2, vε, λ, vη, vbc1, vbc2, vrt, rectified);
      }
    }
  }
}

/** RAdam's rule for the four parameters at θp (byte addresses), with the constants as vectors. */
// @ts-ignore: decorator
@inline
function radamGroup(θp: usize, gp: usize, mp: usize, vp: usize, vb1: v128, vb2: v128, vc1: v128, vc2: v128, vε: v128, λ: f32, vη: v128, vbc1: v128, vbc2: v128, vrt: v128, rectified: i32): void {
  const θ = v128.load(θp);
  const g = gradient(gp, θ, 0, λ);
  const m = moments(mp, vp, g, vb1, vc1, vb2, vc2), v = v128.load(vp);
  const mHatη = f32x4.mul(f32x4.div(m, vbc1), vη);
  if (!rectified) {
    v128.store(θp, f32x4.sub(θ, mHatη));
    return;
  }
  const l = f32x4.mul(f32x4.div(f32x4.splat(1), f32x4.add(f32x4.sqrt(v), vε)), vbc2);
  v128.store(θp, f32x4.sub(θ, f32x4.mul(f32x4.mul(mHatη, l), vrt)));
}

/** RAdam's rule for one parameter in double, rounded to float32 after each operation (the reference's loop). */
function radamLane(θp: usize, gp: usize, mp: usize, vp: usize, b1: f32, b2: f32, c1: f32, c2: f32, ε: f32, λ: f32, η: f32, bc1: f32, bc2Sqrt: f32, rt: f32, rectified: i32): void {
  const θ = <f64>load<f32>(θp);
  const g = gradientLane(gp, θ, 0, λ);
  const m = <f64><f32>(<f64><f32>(<f64>load<f32>(mp) * <f64>b1) + <f64>c1 * g);
  const v = <f64><f32>(<f64><f32>(<f64>load<f32>(vp) * <f64>b2) + <f64><f32>(<f64>c2 * g) * g);
  store<f32>(mp, <f32>m);
  store<f32>(vp, <f32>v);
  const mHatη = <f64><f32>(<f64><f32>(m / <f64>bc1) * <f64>η);
  if (!rectified) {
    store<f32>(θp, <f32>(θ - mHatη));
    return;
  }
  const l = <f64><f32>(<f64><f32>(1 / <f64><f32>(<f64><f32>sqrt(v) + <f64>ε)) * <f64>bc2Sqrt);
  store<f32>(θp, <f32>(θ - <f64><f32>(<f64><f32>(mHatη * l) * <f64>rt)));
}

/**
 * Adamax (src/optim/adamax.ts): m = fround(fround(m β1) + (1 - β1) g), u = max(u β2, |g| + ε),
 * θ = θ + (stepSize m) / u.
 */
export function adamax(θp: usize, gp: usize, mp: usize, up: usize, n: i32, b1: f32, b2: f32, c1: f32, ε: f32, λ: f32, stepSize: f32, maximize: i32): void {
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vc1 = wide(c1), vε = f32x4.splat(ε), vStep = f32x4.splat(stepSize);
  const end = <usize>n * 4;
  for (let block: usize = 0; block < end; block += BLOCK) {
    const stop = min(block + BLOCK, end);
    if (!anyTiny(mp, up, 0, block, stop)) {
      for (let i = block; i < stop; i += 16) adamaxGroup(θp + i, gp + i, mp + i, up + i, vb1, vb2, vc1, vε, λ, vStep, maximize);
      continue;
    }
    for (let i = block; i < stop; i += 16) {
      if (v128.any_true(smallGroup(mp, up, 0, i))) {
        for (let at = i; at < i + 16; at += 4) adamaxLane(θp + at, gp + at, mp + at, up + at, b1, b2, c1, ε, λ, stepSize, maximize);
      } else {
        adamaxGroup(θp + i, gp + i, mp + i, up + i, vb1, vb2, vc1, vε, λ, vStep, maximize);
      }
    }
  }
}

/** Adamax's rule for the four parameters at θp (byte addresses), with the constants as vectors. */
// @ts-ignore: decorator
@inline
function adamaxGroup(θp: usize, gp: usize, mp: usize, up: usize, vb1: v128, vb2: v128, vc1: v128, vε: v128, λ: f32, vStep: v128, maximize: i32): void {
  const θ = v128.load(θp);
  const g = gradient(gp, θ, maximize, λ);
  const m = fma32(f32x4.mul(v128.load(mp), vb1), vc1, g);
  const u = f32x4.max(f32x4.mul(v128.load(up), vb2), f32x4.add(f32x4.abs(g), vε));
  v128.store(mp, m);
  v128.store(up, u);
  v128.store(θp, f32x4.add(θ, f32x4.div(f32x4.mul(vStep, m), u)));
}

/** Adamax's rule for one parameter in double, rounded to float32 after each operation (the reference's loop). */
function adamaxLane(θp: usize, gp: usize, mp: usize, up: usize, b1: f32, b2: f32, c1: f32, ε: f32, λ: f32, stepSize: f32, maximize: i32): void {
  const θ = <f64>load<f32>(θp);
  const g = gradientLane(gp, θ, maximize, λ);
  const m = <f64><f32>(<f64><f32>(<f64>load<f32>(mp) * <f64>b1) + <f64>c1 * g);
  const u = max(<f64><f32>(<f64>load<f32>(up) * <f64>b2), <f64><f32>(abs(g) + <f64>ε));
  store<f32>(mp, <f32>m);
  store<f32>(up, <f32>u);
  store<f32>(θp, <f32>(θ + <f64><f32>(<f64><f32>(<f64>stepSize * m) / u)));
}
