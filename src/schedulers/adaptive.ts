import { checkArg, checkOptimizer, readOptions, type AnyOptimizer, type SchedulerStateDict } from './scheduler.js';
import { describe } from '../format/number.js';

/** Options of `AdaptiveLR`; the defaults suit per-epoch use. */
export interface AdaptiveLROptions {
  /** Multiply the lr by this after a run of consistent decreases. Default 1.1. */
  increaseFactor?: number;
  /** Multiply the lr by this on a plateau or a rise. Default 0.5. */
  decreaseFactor?: number;
  /** Consecutive decreases of the smoothed loss needed before raising. Default 5. */
  increaseAfter?: number;
  /** Observations without a new best before cutting. Default 10. */
  plateauPatience?: number;
  /** Relative change that counts as a decrease or a new best. Default 1e-3. */
  threshold?: number;
  /** Cut when the smoothed loss exceeds the best by this fraction. Default 0.1. */
  riseTolerance?: number;
  /** Losses averaged into the smoothed loss. Default 5. */
  window?: number;
  /** Observations to hold after a cut. Default 5. */
  cooldown?: number;
  /** Lower bound of every group's lr. Default 1e-7. */
  minLr?: number;
  /** Upper bound of every group's lr. Default 10 × the group's initial lr. */
  maxLr?: number;
  /** For the optional second metric: 'max' (accuracy, default) or 'min'. */
  metricMode?: 'max' | 'min';
}

/** One decision of the heuristic, with its reason, for teaching and plots. */
export interface AdaptiveDecision {
  step: number;
  loss: number;
  smoothed: number;
  metric: number | null;
  action: 'increase' | 'decrease' | 'hold';
  reason: string;
  lr: number[];
}

/**
 * The adaptive heuristic: raise the lr slightly while the loss keeps falling, cut it on a plateau or a rise.
 * Call `step(loss, metric?)` after every batch or epoch. With s_t the mean of the last `window` losses:
 *
 *     decrease_t = s_t < s_{t-1} (1 - δ)                   streak = streak + 1 if decrease_t else 0
 *     best = s_t when s_t < best (1 - δ) (stale = 0), else stale = stale + 1
 *     in cooldown:                 hold
 *     s_t > best (1 + ρ):          lr = max(lr · γ_down, minLr), cooldown      (a rise)
 *     stale >= plateauPatience:    lr = max(lr · γ_down, minLr), cooldown      (a plateau)
 *     streak >= increaseAfter:     lr = min(lr · γ_up, maxLr), streak = 0     (consistent decrease)
 *
 * With a second metric (say accuracy), a decrease of the loss only counts while the metric has not worsened, and
 * a new best of the metric also resets the plateau count. Every decision is logged in `decisions` with its reason.
 */
export class AdaptiveLR {
  readonly increaseFactor: number;
  readonly decreaseFactor: number;
  readonly increaseAfter: number;
  readonly plateauPatience: number;
  readonly threshold: number;
  readonly riseTolerance: number;
  readonly window: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly maxLrs: number[];
  readonly metricMode: 'max' | 'min';
  readonly decisions: AdaptiveDecision[] = [];
  private recent: number[] = [];
  private previous: number | null = null;
  private best = Infinity;
  private bestMetric: number | null = null;
  private lastMetric: number | null = null;
  private streak = 0;
  private stale = 0;
  private cooldownLeft = 0;
  private steps = 0;

  constructor(readonly optimizer: AnyOptimizer, options: AdaptiveLROptions = {}) {
    const n = 'AdaptiveLR';
    checkOptimizer(n, optimizer);
    options = readOptions<AdaptiveLROptions>(n, options, {
      increaseFactor: 'number', decreaseFactor: 'number', increaseAfter: 'number', plateauPatience: 'number', threshold: 'number',
      riseTolerance: 'number', window: 'number', cooldown: 'number', minLr: 'number', maxLr: 'number', metricMode: 'string',
    });
    this.increaseFactor = options.increaseFactor ?? 1.1;
    this.decreaseFactor = options.decreaseFactor ?? 0.5;
    this.increaseAfter = options.increaseAfter ?? 5;
    this.plateauPatience = options.plateauPatience ?? 10;
    this.threshold = options.threshold ?? 1e-3;
    this.riseTolerance = options.riseTolerance ?? 0.1;
    this.window = options.window ?? 5;
    this.cooldown = options.cooldown ?? 5;
    this.minLr = options.minLr ?? 1e-7;
    this.metricMode = options.metricMode ?? 'max';
    checkArg(this.increaseFactor >= 1, n, 'increaseFactor', '>= 1', this.increaseFactor);
    checkArg(this.decreaseFactor > 0 && this.decreaseFactor < 1, n, 'decreaseFactor', 'in (0, 1)', this.decreaseFactor);
    for (const [k, v] of [['increaseAfter', this.increaseAfter], ['plateauPatience', this.plateauPatience], ['window', this.window]] as const) {
      checkArg(Number.isInteger(v) && v >= 1, n, k, 'a positive integer', v);
    }
    checkArg(Number.isInteger(this.cooldown) && this.cooldown >= 0, n, 'cooldown', 'a non-negative integer', this.cooldown);
    checkArg(this.threshold >= 0, n, 'threshold', '>= 0', this.threshold);
    checkArg(this.minLr >= 0, n, 'minLr', '>= 0', this.minLr);
    checkArg(this.riseTolerance >= 0, n, 'riseTolerance', '>= 0', this.riseTolerance);
    checkArg(this.metricMode === 'max' || this.metricMode === 'min', n, 'metricMode', "'max' or 'min'", this.metricMode);
    this.maxLrs = optimizer.paramGroups.map((g) => options.maxLr ?? 10 * g.lr);
    checkArg(this.maxLrs.every((m) => m >= this.minLr), n, 'maxLr', `>= minLr (${this.minLr})`, options.maxLr);
  }

  private metricBetter(a: number, b: number): boolean {
    return this.metricMode === 'max' ? a > b : a < b;
  }

  /** Observes one loss (and optionally the second metric), decides, and returns the decision. */
  step(loss: number, metric?: number): AdaptiveDecision {
    if (typeof loss !== 'number' || !Number.isFinite(loss)) {
      throw new RangeError(`AdaptiveLR.step: expected a finite loss, got ${loss} at step ${this.steps + 1}`);
    }
    if (metric !== undefined && !Number.isFinite(metric)) throw new RangeError(`AdaptiveLR.step: expected a finite metric, got ${metric}`);
    this.steps += 1;
    this.recent.push(loss);
    if (this.recent.length > this.window) this.recent.shift();
    const s = this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
    const metricWorse = metric !== undefined && this.lastMetric !== null && this.metricBetter(this.lastMetric, metric);
    const decreased = this.previous !== null && s < this.previous * (1 - this.threshold) && !metricWorse;
    this.streak = decreased ? this.streak + 1 : 0;
    let newBest = false;
    if (s < this.best * (1 - this.threshold) || this.best === Infinity) {
      this.best = s;
      newBest = true;
    }
    if (metric !== undefined && (this.bestMetric === null || this.metricBetter(metric, this.bestMetric))) {
      this.bestMetric = metric;
      newBest = true;
    }
    this.stale = newBest ? 0 : this.stale + 1;
    this.previous = s;
    if (metric !== undefined) this.lastMetric = metric;

    let action: AdaptiveDecision['action'] = 'hold';
    let reason: string;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      this.streak = 0;
      reason = `cooldown (${this.cooldownLeft} left)`;
    } else if (s > this.best * (1 + this.riseTolerance)) {
      action = 'decrease';
      reason = `rise: smoothed loss ${s.toPrecision(4)} is more than ${this.riseTolerance * 100}% above the best ${this.best.toPrecision(4)}`;
    } else if (this.stale >= this.plateauPatience) {
      action = 'decrease';
      reason = `plateau: no new best for ${this.stale} steps`;
    } else if (this.streak >= this.increaseAfter) {
      action = 'increase';
      reason = `consistent decrease: ${this.streak} falls in a row`;
    } else {
      reason = decreased ? `falling (${this.streak} in a row)` : 'no clear trend';
    }
    if (action === 'decrease') {
      this.optimizer.paramGroups.forEach((g) => (g.lr = Math.max(g.lr * this.decreaseFactor, this.minLr)));
      this.cooldownLeft = this.cooldown;
      this.stale = 0;
      this.streak = 0;
    } else if (action === 'increase') {
      this.optimizer.paramGroups.forEach((g, i) => (g.lr = Math.min(g.lr * this.increaseFactor, this.maxLrs[i])));
      this.streak = 0;
    }
    const decision: AdaptiveDecision = { step: this.steps, loss, smoothed: s, metric: metric ?? null, action, reason, lr: this.getLastLr() };
    this.decisions.push(decision);
    return decision;
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerStateDict {
    const { recent, previous, best, bestMetric, lastMetric, streak, stale, cooldownLeft, steps } = this;
    return { recent: [...recent], previous, best, bestMetric, lastMetric, streak, stale, cooldownLeft, steps, decisions: structuredClone(this.decisions) };
  }

  loadStateDict(state: SchedulerStateDict): void {
    const keys = ['recent', 'previous', 'best', 'bestMetric', 'lastMetric', 'streak', 'stale', 'cooldownLeft', 'steps', 'decisions'];
    const missing = keys.filter((k) => !(k in (state ?? {})));
    if (missing.length > 0) throw new RangeError(`AdaptiveLR.loadStateDict: expected keys ${describe(keys)}, missing ${JSON.stringify(missing)}`);
    const s = structuredClone(state) as Record<string, any>;
    Object.assign(this, { recent: s.recent, previous: s.previous, best: s.best, bestMetric: s.bestMetric, lastMetric: s.lastMetric, streak: s.streak, stale: s.stale, cooldownLeft: s.cooldownLeft, steps: s.steps });
    this.decisions.splice(0, this.decisions.length, ...s.decisions);
  }
}
