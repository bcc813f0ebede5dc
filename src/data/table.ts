import { readTextFile } from '../io/read-text.js';
import { parse } from 'csv-parse/sync';
import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';
import { describe } from '../format/number.js';
import { checkOptionsObject } from '../format/check.js';

/** Options of `parseCsvTable` and `loadCsvTable`. */
export interface CsvTableOptions {
  /** The column to predict (its header name). */
  target: string;
  /** The input columns; default every other numeric column. */
  features?: string[];
  /** Default: detected (text labels, or at most 20 distinct whole numbers, read as classes). */
  task?: 'regression' | 'classification';
  /** Field separator; default detected among tab, `;` and `,`. */
  separator?: string;
}

/** A table of features and a target, read from CSV text, with what was detected on the way. */
export interface CsvTable {
  /** Features [n, f], as read (not standardized). */
  x: Tensor;
  /** Class indices [n] for classification, values [n, 1] for regression. */
  y: Tensor;
  features: string[];
  target: string;
  task: 'regression' | 'classification';
  /** Why the task is what it is, in words ("the target 'species' holds 3 text labels"). */
  taskReason: string;
  /** Class labels by index (classification), in sorted order. */
  classes: string[] | null;
  /** Numeric columns left out because they were not asked for, and text columns skipped. */
  skipped: string[];
  separator: string;
}

// plain decimal numbers only, as the series reader: no hex, no Infinity, no empty cell
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const F32_MAX = 3.4028234663852886e38;
const MAX_CLASSES = 20;

function detectSeparator(text: string): string {
  const lines = text.split(/\r?\n/, 5).filter((l) => l.trim() !== '');
  for (const sep of ['\t', ';', ',']) {
    const counts = lines.map((l) => l.split(sep).length);
    if (counts.length && counts[0] > 1 && counts.every((c) => c === counts[0])) return sep;
  }
  return ',';
}

/**
 * A table for a model from CSV text with a header row: the target column, and the features (the columns named,
 * or every other column whose first value is a number). The task is classification when the target holds text
 * labels or at most 20 distinct whole numbers, regression otherwise, unless `task` says. Every used cell must be a
 * plain decimal number in float32's range; an empty or other cell is an error naming its line and column.
 */
export function parseCsvTable(text: string, options: CsvTableOptions, source = 'CSV'): CsvTable {
  const o = checkOptionsObject<CsvTableOptions>('parseCsvTable', options, ['target', 'features', 'task', 'separator']);
  if (typeof text !== 'string') throw new TypeError(`parseCsvTable: expected the CSV text as a string, got ${describe(text)}`);
  if (typeof o.target !== 'string' || o.target === '') throw new TypeError(`parseCsvTable: expected target to be a column name, got ${describe(o.target)}`);
  if (o.features !== undefined && (!Array.isArray(o.features) || o.features.length === 0 || !o.features.every((f) => typeof f === 'string' && f !== ''))) {
    throw new TypeError(`parseCsvTable: expected features to be a non-empty list of column names, got ${describe(o.features)}`);
  }
  if (o.task !== undefined && o.task !== 'regression' && o.task !== 'classification') throw new RangeError(`parseCsvTable: expected task 'regression' or 'classification', got ${describe(o.task)}`);
  const body = text.replace(/^\uFEFF/, '');
  const separator = o.separator ?? detectSeparator(body);
  let rows: string[][];
  try {
    rows = parse(body, { delimiter: separator, skip_empty_lines: true, trim: true, relax_quotes: false }) as string[][];
  } catch (err) {
    throw new RangeError(`parseCsvTable: cannot read ${source} as CSV: ${(err as Error).message}`);
  }
  if (rows.length < 2) throw new RangeError(`parseCsvTable: expected a header row and at least one data row in ${source}, got ${rows.length} row(s)`);
  const [header, ...data] = rows;
  const first = data[0];
  const numeric = header.filter((_, j) => NUMBER.test(first[j] ?? ''));
  const listing = `columns ${header.map((c) => `'${c}'`).join(', ')} (numeric: ${numeric.length ? numeric.map((c) => `'${c}'`).join(', ') : 'none'})`;
  const col = (name: string, what: string) => {
    const j = header.indexOf(name);
    if (j === -1) throw new RangeError(`parseCsvTable: expected a ${what} column named '${name}' in ${source}, got ${listing}`);
    return j;
  };
  const t = col(o.target, 'target');
  let features: string[];
  const skipped: string[] = [];
  if (o.features !== undefined) {
    features = o.features;
    for (const f of features) {
      col(f, 'feature');
      if (f === o.target) throw new RangeError(`parseCsvTable: expected features other than the target '${o.target}', got it among them`);
      if (!numeric.includes(f)) throw new RangeError(`parseCsvTable: expected numeric features, got '${f}' holding '${first[header.indexOf(f)]}' at line 2 of ${source}`);
    }
    skipped.push(...header.filter((c) => c !== o.target && !features.includes(c)));
  } else {
    features = numeric.filter((c) => c !== o.target);
    skipped.push(...header.filter((c) => c !== o.target && !numeric.includes(c)));
  }
  if (features.length === 0) throw new RangeError(`parseCsvTable: expected at least one numeric feature besides the target '${o.target}' in ${source}, got ${listing}`);
  const fj = features.map((f) => header.indexOf(f));
  const n = data.length, f = features.length;
  const x = new Float32Array(n * f);
  const cell = (i: number, j: number): string => {
    const v = data[i][j];
    if (v === undefined || v === '') throw new RangeError(`parseCsvTable: expected a value in column '${header[j]}' at line ${i + 2} of ${source}, got an empty cell`);
    return v;
  };
  const number = (i: number, j: number): number => {
    const v = cell(i, j);
    if (!NUMBER.test(v)) throw new RangeError(`parseCsvTable: expected a number in column '${header[j]}' at line ${i + 2} of ${source}, got '${v}'`);
    const num = Number(v);
    if (Math.abs(num) > F32_MAX) throw new RangeError(`parseCsvTable: expected a number within float32's range (±3.4e38) in column '${header[j]}' at line ${i + 2} of ${source}, got '${v}'`);
    return num;
  };
  for (let i = 0; i < n; i++) {
    if (data[i].length !== header.length) throw new RangeError(`parseCsvTable: expected ${header.length} fields at line ${i + 2} of ${source} (as the header), got ${data[i].length}`);
    for (let k = 0; k < f; k++) x[i * f + k] = number(i, fj[k]);
  }
  const labels = data.map((_, i) => cell(i, t));
  const allNumbers = labels.every((v) => NUMBER.test(v));
  const distinct = [...new Set(labels)];
  const wholeNumbers = allNumbers && labels.every((v) => Number.isInteger(Number(v)));
  let task: 'regression' | 'classification', taskReason: string;
  if (o.task !== undefined) {
    task = o.task;
    taskReason = 'as asked';
  } else if (!allNumbers) {
    task = 'classification';
    taskReason = `the target '${o.target}' holds text labels (${distinct.length} distinct)`;
  } else if (wholeNumbers && distinct.length <= MAX_CLASSES) {
    task = 'classification';
    taskReason = `the target '${o.target}' holds ${distinct.length} distinct whole numbers (at most ${MAX_CLASSES} read as classes; --task regression to predict them as numbers)`;
  } else {
    task = 'regression';
    taskReason = `the target '${o.target}' holds ${wholeNumbers ? `${distinct.length} distinct whole numbers` : 'fractional numbers'}`;
  }
  let y: Tensor, classes: string[] | null = null;
  if (task === 'classification') {
    classes = allNumbers ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
    if (classes.length < 2) throw new RangeError(`parseCsvTable: expected at least two classes in the target '${o.target}' of ${source}, got one ('${classes[0]}')`);
    const index = new Map(classes.map((c, i) => [c, i]));
    y = new Tensor(Float32Array.from(labels, (v) => index.get(v) as number), [n]);
  } else {
    if (!allNumbers) {
      const bad = labels.findIndex((v) => !NUMBER.test(v));
      throw new RangeError(`parseCsvTable: expected a number in the target column '${o.target}' at line ${bad + 2} of ${source} for regression, got '${labels[bad]}'`);
    }
    y = new Tensor(Float32Array.from(labels.map((_, i) => number(i, t))), [n, 1]);
  }
  return { x: new Tensor(x, [n, f]), y, features, target: o.target, task, taskReason, classes, skipped, separator };
}

/** `parseCsvTable` on a file. */
export function loadCsvTable(path: string, options: CsvTableOptions): CsvTable {
  return parseCsvTable(readTextFile('loadCsvTable', path), options, `'${path}'`);
}

/** Rows of a table split for training and validation. */
export interface TableSplit {
  train: { x: Tensor; y: Tensor };
  valid: { x: Tensor; y: Tensor };
  /** The features' mean and std on the training part (what standardized them). */
  featureMean: Float32Array;
  featureStd: Float32Array;
  /** Regression: the target's mean and std on the training part (the targets are standardized too); else null. */
  targetScale: { mean: number; std: number } | null;
}

function take(t: Tensor, rows: ArrayLike<number>): Tensor {
  const w = t.size / t.shape[0];
  const out = new Float32Array(rows.length * w);
  for (let r = 0; r < rows.length; r++) out.set(t.data.subarray(rows[r] * w, rows[r] * w + w), r * w);
  return new Tensor(out, [rows.length, ...t.shape.slice(1)]);
}

/**
 * Splits a table into training and validation rows (`random`: a seeded shuffle; `temporal`: the first rows train,
 * the last validate, for rows in time order) and standardizes every feature with the training part's mean and std
 * (a constant feature keeps std 1); regression targets are standardized the same way (`targetScale` undoes it).
 */
export function splitTable(table: { x: Tensor; y: Tensor; task: 'regression' | 'classification' }, options: { split?: 'random' | 'temporal'; trainFraction?: number; seed?: number } = {}): TableSplit {
  const t = table as { x?: unknown; y?: unknown; task?: unknown } | null;
  if (t === null || typeof t !== 'object' || !(t.x instanceof Tensor) || !(t.y instanceof Tensor) || t.x.ndim !== 2 || t.y.shape[0] !== t.x.shape[0]) {
    throw new TypeError(`splitTable: expected a table { x [n, features], y [n] or [n, 1], task } (as parseCsvTable returns), got ${describe(table)}`);
  }
  if (t.task !== 'regression' && t.task !== 'classification') throw new RangeError(`splitTable: expected task 'regression' or 'classification', got ${describe(t.task)}`);
  options = checkOptionsObject('splitTable', options, ['split', 'trainFraction', 'seed']);
  const { split = 'random', trainFraction = 0.8, seed = 0 } = options;
  if (split !== 'random' && split !== 'temporal') throw new RangeError(`splitTable: expected split 'random' or 'temporal', got ${describe(split)}`);
  if (!(trainFraction > 0 && trainFraction < 1)) throw new RangeError(`splitTable: expected trainFraction in (0, 1), got ${describe(trainFraction)}`);
  const n = table.x.shape[0];
  const nTrain = Math.round(n * trainFraction);
  if (nTrain < 1 || nTrain >= n) throw new RangeError(`splitTable: expected enough rows for a training and a validation part, got ${n}`);
  const order = split === 'random' ? new Generator(seed).permutation(n) : Array.from({ length: n }, (_, i) => i);
  const trainRows = order.slice(0, nTrain), validRows = order.slice(nTrain);
  // every column of the training rows standardized alike: features always, the target for regression
  // (the features' statistics are kept in float32, as featureMean / featureStd return them; the target's in double)
  const standardize = <A extends Float32Array | Float64Array>(train: Tensor, valid: Tensor, Arr: new (n: number) => A) => {
    const w = train.size / train.shape[0];
    const mean = new Arr(w), std = new Arr(w);
    for (let k = 0; k < w; k++) {
      let m = 0;
      for (let i = 0; i < nTrain; i++) m += train.data[i * w + k];
      m /= nTrain;
      let s = 0;
      for (let i = 0; i < nTrain; i++) s += (train.data[i * w + k] - m) ** 2;
      mean[k] = m;
      std[k] = Math.sqrt(s / nTrain) || 1; // a constant column stays as it is, centred
    }
    for (const t of [train, valid]) for (let i = 0; i < t.data.length; i++) t.data[i] = (t.data[i] - mean[i % w]) / std[i % w];
    return { mean, std };
  };
  const xt = take(table.x, trainRows), xv = take(table.x, validRows);
  const yt = take(table.y, trainRows), yv = take(table.y, validRows);
  const { mean, std } = standardize(xt, xv, Float32Array);
  let targetScale: TableSplit['targetScale'] = null;
  if (table.task === 'regression') {
    const t = standardize(yt, yv, Float64Array);
    targetScale = { mean: t.mean[0], std: t.std[0] };
  }
  return { train: { x: xt, y: yt }, valid: { x: xv, y: yv }, featureMean: mean, featureStd: std, targetScale };
}
