// Numbers as the playground prints them (no DOM here, so Node tests can format what they expect the page to show).

/** Three significant digits, or one-digit exponential form below 1e-3 and from 1e4. */
export function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1).replace('e+', 'e') : Number(v.toPrecision(3)).toString();
}
