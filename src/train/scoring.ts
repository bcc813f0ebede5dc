import type { Tensor } from '../tensor/tensor.js';
import { accuracy, precision, recall, f1, r2, mae, mse, rmse, type Average } from './metrics.js';

/**
 * A metric `fit` and `evaluate` can log: `(yTrue, yPred) => number`, logged under its function's name. Its direction
 * (for AdaptiveLR and callbacks in mode 'auto') is read from that name as Keras does: up for accuracy-like names.
 */
export type MetricFn = (yTrue: Tensor, yPred: Tensor) => number;

/** A metric named in `metrics: [...]`: a built-in name (see `METRIC_NAMES`) or a named function. */
export type MetricSpec = string | MetricFn;

/** A metric ready to compute: its key in the logs (`accuracy`; `valAccuracy` on validation data) and direction. */
export interface ResolvedMetric {
  key: string;
  fn: (yTrue: Tensor, yPred: Tensor, threshold: number | undefined) => number;
  mode: 'min' | 'max';
}

/** Keras writes `val_accuracy`, lrlab's logs `valAccuracy`: snake_case names are read as camelCase. */
export function logKey(name: string): string {
  return name.replace(/_([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

/** The key of a metric computed on the validation data: `accuracy` -> `valAccuracy`. */
export function valKey(key: string): string {
  return 'val' + key[0].toUpperCase() + key.slice(1);
}

const averaged = (f: typeof precision, average: Average) =>
  (t: Tensor, p: Tensor, threshold: number | undefined) => f(t, p, { average, threshold });

/** The built-in metrics by log key, with the direction that improves them. */
const BUILT_IN: Record<string, { fn: ResolvedMetric['fn']; mode: 'min' | 'max' }> = {
  accuracy: { fn: (t, p, threshold) => accuracy(t, p, { threshold }), mode: 'max' },
  r2: { fn: (t, p) => r2(t, p), mode: 'max' },
  mae: { fn: (t, p) => mae(t, p), mode: 'min' },
  mse: { fn: (t, p) => mse(t, p), mode: 'min' },
  rmse: { fn: (t, p) => rmse(t, p), mode: 'min' },
};
for (const [name, f] of [['precision', precision], ['recall', recall], ['f1', f1]] as const) {
  BUILT_IN[name] = { fn: averaged(f, 'binary'), mode: 'max' };
  for (const average of ['macro', 'micro', 'weighted'] as const) BUILT_IN[logKey(`${name}_${average}`)] = { fn: averaged(f, average), mode: 'max' };
}

/** The metric names `fit`, `evaluate` and `gridSearchCV` know (snake_case spellings such as `f1_macro` also work). */
export const METRIC_NAMES: readonly string[] = Object.keys(BUILT_IN);

/**
 * The direction of a log key when a callback's mode is 'auto': the built-in metric's (`valF1Macro` is 'max',
 * `valMae` 'min'), else Keras's rule: 'max' for accuracy-like names, 'min' for everything else (losses).
 */
export function autoMode(key: string): 'min' | 'max' {
  const bare = /^val[A-Z]/.test(key) ? key[3].toLowerCase() + key.slice(4) : key;
  return BUILT_IN[bare]?.mode ?? (/acc|auc|precision|recall|f1|r2/i.test(key) ? 'max' : 'min');
}

/** Resolves one entry of `metrics` for `fn` (the caller, for errors). */
export function resolveMetric(fn: string, spec: MetricSpec): ResolvedMetric {
  if (typeof spec === 'function') {
    if (spec.name === '') throw new TypeError(`${fn}: expected a named metric function (its name is its log key), got an anonymous function`);
    // the plain functions (accuracy, f1, ...) keep their built-in direction; others are read by name as Keras does
    return { key: spec.name, fn: (t, p) => spec(t, p), mode: autoMode(spec.name) };
  }
  if (typeof spec !== 'string') throw new TypeError(`${fn}: expected a metric name or function, got ${spec === null ? 'null' : typeof spec}`);
  const key = logKey(spec), known = BUILT_IN[key];
  if (known === undefined) throw new RangeError(`${fn}: expected a metric among ${METRIC_NAMES.join(', ')}, got ${JSON.stringify(spec)}`);
  return { key, ...known };
}

/** Resolves a `metrics` list, refusing two metrics with one key. */
export function resolveMetrics(fn: string, specs: readonly MetricSpec[] | undefined): ResolvedMetric[] {
  if (specs === undefined) return [];
  if (!Array.isArray(specs)) throw new TypeError(`${fn}: expected metrics to be an array, got ${typeof specs}`);
  const out = specs.map((s) => resolveMetric(fn, s));
  const keys = out.map((m) => m.key);
  const twice = keys.find((k, i) => keys.indexOf(k) !== i);
  if (twice !== undefined) throw new RangeError(`${fn}: expected each metric once, got ${JSON.stringify(twice)} twice`);
  return out;
}

/**
 * A score where higher is better, as scikit-learn's scoring strings: any metric name that improves upwards
 * (`accuracy`, `f1_macro`, `r2`, ...), or the negated errors `neg_mse` / `neg_mean_squared_error`, `neg_mae` /
 * `neg_mean_absolute_error`, `neg_rmse` / `neg_root_mean_squared_error`; or a function `(yTrue, yPred) => number`
 * (scikit-learn's `make_scorer` of a metric, higher better).
 */
export type Scoring = string | ((yTrue: Tensor, yPred: Tensor) => number);

const NEGATED: Record<string, string> = {
  neg_mse: 'mse', neg_mean_squared_error: 'mse', neg_mae: 'mae', neg_mean_absolute_error: 'mae', neg_rmse: 'rmse', neg_root_mean_squared_error: 'rmse',
};

/** Resolves `scoring` to a function of (yTrue, yPred), higher better. */
export function resolveScoring(fn: string, scoring: Scoring, threshold?: number): (yTrue: Tensor, yPred: Tensor) => number {
  if (typeof scoring === 'function') return scoring;
  if (typeof scoring !== 'string') throw new TypeError(`${fn}: expected scoring to be a name or a function, got ${scoring === null ? 'null' : typeof scoring}`);
  const negated = NEGATED[scoring];
  if (negated !== undefined) return (t, p) => -BUILT_IN[negated].fn(t, p, threshold);
  const known = BUILT_IN[logKey(scoring)];
  if (known === undefined || known.mode !== 'max') {
    const names = [...METRIC_NAMES.filter((k) => BUILT_IN[k].mode === 'max'), ...Object.keys(NEGATED)];
    throw new RangeError(`${fn}: expected scoring among ${names.join(', ')} or a function, got ${JSON.stringify(scoring)}`);
  }
  return (t, p) => known.fn(t, p, threshold);
}
