import { readTextFile } from '../io/read-text.js';
import { describe } from '../format/number.js';

/** Options of `parseCsvSeries` and `loadCsvSeries`. */
export interface CsvSeriesOptions {
  /** Column name (matched against the header) or 0-based index. Default: the first numeric column. */
  column?: string | number;
  /** Whether the first row is a header. Default: detected (a cell that is text above a number in the next row). */
  header?: boolean;
  /** Field separator, one or more characters. Default: detected among tab, `;` and `,` (in that order). */
  separator?: string;
  /** Fewer values than this is an error (e.g. window + 1). Default 2. */
  minLength?: number;
}

/** One column of a CSV file, with what was detected on the way. */
export interface CsvColumn {
  values: Float32Array;
  /** The column used: its header name, or its index when there is no header. */
  column: string | number;
  /** Every column's name (or index as text when there is no header). */
  columns: string[];
  /** The columns whose first value is a number. */
  numericColumns: string[];
  separator: string;
  header: boolean;
}

// plain decimal numbers only: no hex (0x10), no Infinity, no empty cell, no spaces inside
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const isNumber = (s: string | undefined) => s !== undefined && NUMBER.test(s);

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

/** The first of tab, `;` and `,` that splits the first lines into the same number (> 1) of fields; else `,`. */
function detectSeparator(lines: string[]): string {
  for (const sep of ['\t', ';', ',']) {
    const counts = lines.slice(0, 5).map((l) => splitLine(l, sep).length);
    if (counts[0] > 1 && counts.every((c) => c === counts[0])) return sep;
  }
  return ',';
}

function checkOptions(fn: string, options: unknown): CsvSeriesOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${fn}: expected an options object, got ${describe(options)}`);
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['column', 'header', 'separator', 'minLength'].includes(k)) throw new RangeError(`${fn}: unknown option '${k}' (known: column, header, separator, minLength)`);
  const { column, header, separator, minLength } = o;
  if (column !== undefined && typeof column !== 'string' && typeof column !== 'number') throw new TypeError(`${fn}: expected column to be a name or a 0-based index, got ${describe(column)}`);
  if (typeof column === 'number' && (!Number.isInteger(column) || column < 0)) throw new RangeError(`${fn}: expected column to be a 0-based index, got ${describe(column)}`);
  if (column === '') throw new RangeError(`${fn}: expected column to be a non-empty name, got ""`);
  if (header !== undefined && typeof header !== 'boolean') throw new TypeError(`${fn}: expected header to be a boolean, got ${describe(header)}`);
  if (separator !== undefined && typeof separator !== 'string') throw new TypeError(`${fn}: expected separator to be a string, got ${describe(separator)}`);
  if (typeof separator === 'string' && (separator === '' || /["\r\n]/.test(separator))) throw new RangeError(`${fn}: expected separator to be a non-empty string without quotes or line breaks, got ${describe(separator)}`);
  if (minLength !== undefined && (typeof minLength !== 'number' || !Number.isInteger(minLength) || minLength < 1)) throw new RangeError(`${fn}: expected minLength to be a positive integer, got ${describe(minLength)}`);
  return o as CsvSeriesOptions;
}

/**
 * One numeric column of CSV text, with the column, separator and header that were used. The separator (tab, `;`
 * or `,`), the header and the column (the first numeric one: a date column is skipped) are detected unless given.
 * A blank line inside the data, a missing cell, anything that is not a plain decimal number (`0x10`, `1,5`,
 * `NaN`) and a number beyond float32's range (`1e39`) are errors naming the line; a missing column lists the columns there are and which are numeric.
 */
export function parseCsvColumn(text: string, options: CsvSeriesOptions = {}, source = 'CSV'): CsvColumn {
  const o = checkOptions('parseCsvSeries', options);
  if (typeof text !== 'string') throw new TypeError(`parseCsvSeries: expected the CSV text as a string, got ${describe(text)}`);
  if (typeof source !== 'string') throw new TypeError(`parseCsvSeries: expected source to be a string, got ${describe(source)}`);
  const all = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let end = all.length;
  while (end > 0 && all[end - 1].trim() === '') end--;
  let start = 0;
  while (start < end && all[start].trim() === '') start++;
  if (start === end) throw new RangeError(`parseCsvSeries: expected rows in ${source}, got an empty file`);
  const lines = all.slice(start, end);
  const sep = o.separator ?? detectSeparator(lines);
  const first = splitLine(lines[0], sep), second = lines.length > 1 ? splitLine(lines[1], sep) : undefined;
  const header = o.header ?? (typeof o.column === 'string' || first.some((c, j) => !isNumber(c) && (second === undefined || isNumber(second[j]))) || (second !== undefined && !first.some(isNumber)));
  const columns = header ? first : first.map((_, j) => String(j));
  const dataRow = header ? second : first;
  const numericColumns = columns.filter((_, j) => isNumber(dataRow?.[j]));
  const listing = `columns ${columns.map((c) => `'${c}'`).join(', ')} (numeric: ${numericColumns.length ? numericColumns.map((c) => `'${c}'`).join(', ') : 'none'})`;
  let col: number;
  if (typeof o.column === 'string') {
    col = first.indexOf(o.column);
    if (col === -1) throw new RangeError(`parseCsvSeries: expected a column named '${o.column}' in ${source}, got ${listing}`);
  } else if (typeof o.column === 'number') {
    if (o.column >= first.length) throw new RangeError(`parseCsvSeries: expected a column index in [0, ${first.length}) for ${source}, got ${o.column}; ${listing}`);
    col = o.column;
  } else {
    col = columns.findIndex((_, j) => isNumber(dataRow?.[j]));
    if (col === -1) throw new RangeError(`parseCsvSeries: expected a numeric column in ${source}, got ${listing}${sep === ',' && lines[0].includes(';') ? " (is ';' the separator? pass separator: ';' or --separator ';')" : ''}`);
  }
  const name = header ? first[col] : col;
  const rows = header ? lines.slice(1) : lines;
  const values = new Float32Array(rows.length);
  const lineOffset = start + (header ? 2 : 1);
  for (let i = 0; i < rows.length; i++) {
    const n = i + lineOffset;
    if (rows[i].trim() === '') throw new RangeError(`parseCsvSeries: expected a row at line ${n} of ${source}, got a blank line inside the data`);
    const cell = splitLine(rows[i], sep)[col];
    if (cell === undefined || cell === '') throw new RangeError(`parseCsvSeries: expected a value in column ${typeof name === 'string' ? `'${name}'` : name} at line ${n} of ${source}, got an empty cell`);
    if (!isNumber(cell)) {
      const hint = /^[+-]?\d+,\d+$/.test(cell) ? ' (a decimal comma? write 1.5, not 1,5)' : '';
      throw new RangeError(`parseCsvSeries: expected a number in column ${typeof name === 'string' ? `'${name}'` : name} at line ${n} of ${source}, got '${cell}'${hint}`);
    }
    values[i] = Number(cell);
    // float32 rounds anything beyond about 3.4e38 to Infinity, which would surface far from here
    if (!Number.isFinite(values[i])) {
      throw new RangeError(`parseCsvSeries: expected a number within float32's range (magnitude up to about 3.4e38) in column ${typeof name === 'string' ? `'${name}'` : name} at line ${n} of ${source}, got '${cell}'`);
    }
  }
  const min = o.minLength ?? 2;
  if (values.length < min) throw new RangeError(`parseCsvSeries: expected at least ${min} values in ${source}, got ${values.length}`);
  return { values, column: name, columns, numericColumns, separator: sep, header };
}

/** One numeric column of CSV text as a series (see `parseCsvColumn` for what is detected and refused). */
export function parseCsvSeries(text: string, options: CsvSeriesOptions = {}, source = 'CSV'): Float32Array {
  return parseCsvColumn(text, options, source).values;
}

/** `parseCsvColumn` on a file. */
export function loadCsvColumn(path: string, options: CsvSeriesOptions = {}): CsvColumn {
  if (typeof path !== 'string' || path === '') throw new TypeError(`loadCsvSeries: expected a file path, got ${describe(path)}`);
  checkOptions('loadCsvSeries', options);
  return parseCsvColumn(readTextFile('loadCsvSeries', path), options, `'${path}'`);
}

/** `parseCsvSeries` on a file. */
export function loadCsvSeries(path: string, options: CsvSeriesOptions = {}): Float32Array {
  return loadCsvColumn(path, options).values;
}
