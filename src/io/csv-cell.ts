/**
 * One CSV cell (RFC 4180): empty for null and undefined, numbers and booleans as written, objects as JSON. Text
 * that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return, as in
 * `=HYPERLINK(...)`) gets a leading `'`, as OWASP's CSV-injection advice says, so it is shown, not evaluated; a
 * cell holding a quote, a comma or a line break is quoted, its quotes doubled. Numbers are never prefixed (-0.5
 * stays a number).
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  let s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
