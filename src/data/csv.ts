import { readFileSync } from 'node:fs';

/** Options of `parseCsvSeries` and `loadCsvSeries`. */
export interface CsvSeriesOptions {
  /** Column name (matched against the header) or 0-based index. Default 0. */
  column?: string | number;
  /** Whether the first row is a header. Default: detected (true when the chosen column's first cell is not a number). */
  header?: boolean;
  /** Field separator. Default ','. */
  separator?: string;
  /** Fewer values than this is an error (e.g. window + 1). Default 2. */
  minLength?: number;
}

/** Splits one CSV line, honouring double-quoted fields ("a,b" and "" escapes). */
function splitLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (line.startsWith(sep, i)) { out.push(cur); cur = ''; i += sep.length - 1; }
    else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/**
 * One numeric column of CSV text as a series. Missing cells, non-numbers and too-short series are errors naming
 * the line; a missing column lists the columns there are.
 */
export function parseCsvSeries(text: string, options: CsvSeriesOptions = {}, source = 'CSV'): Float32Array {
  const sep = options.separator ?? ',';
  const lines = text.split(/\r?\n/).map((l, i) => ({ l, n: i + 1 })).filter(({ l }) => l.trim() !== '');
  if (lines.length === 0) throw new RangeError(`parseCsvSeries: expected rows in ${source}, got an empty file`);
  const first = splitLine(lines[0].l, sep);
  let col: number;
  const column = options.column ?? 0;
  if (typeof column === 'string') {
    col = first.indexOf(column);
    if (col === -1) throw new RangeError(`parseCsvSeries: expected a column named '${column}' in ${source}, got columns ${JSON.stringify(first)}`);
  } else {
    if (!Number.isInteger(column) || column < 0 || column >= first.length) {
      throw new RangeError(`parseCsvSeries: expected a column index in [0, ${first.length}) for ${source}, got ${column}`);
    }
    col = column;
  }
  const header = options.header ?? (typeof column === 'string' || !Number.isFinite(Number(first[col])) || first[col] === '');
  const rows = header ? lines.slice(1) : lines;
  const values = new Float32Array(rows.length);
  rows.forEach(({ l, n }, i) => {
    const cells = splitLine(l, sep);
    const cell = cells[col];
    if (cell === undefined || cell === '') throw new RangeError(`parseCsvSeries: expected a value in column ${typeof column === 'string' ? `'${column}'` : col} at line ${n} of ${source}, got an empty cell`);
    const v = Number(cell);
    if (!Number.isFinite(v)) throw new RangeError(`parseCsvSeries: expected a number at line ${n} of ${source}, got '${cell}'`);
    values[i] = v;
  });
  const min = options.minLength ?? 2;
  if (values.length < min) throw new RangeError(`parseCsvSeries: expected at least ${min} values in ${source}, got ${values.length}`);
  return values;
}

/** `parseCsvSeries` on a file. */
export function loadCsvSeries(path: string, options: CsvSeriesOptions = {}): Float32Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`loadCsvSeries: cannot read '${path}': ${(err as Error).message}`);
  }
  return parseCsvSeries(text, options, `'${path}'`);
}
