/**
 * Typed arrays and typed-array views created while `fn` runs: every typed-array constructor and every
 * subarray / slice / map / filter call is counted (the allocation tests and the allocation bench share it).
 */
export function countTypedArrays(fn: () => void): number {
  const names = ['Float32Array', 'Float64Array', 'Int32Array', 'Uint32Array', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array'] as const;
  const originals = names.map((k) => (globalThis as any)[k]);
  const proto = Object.getPrototypeOf(Float32Array.prototype);
  const methods = ['subarray', 'slice', 'map', 'filter'] as const;
  const saved = methods.map((k) => proto[k]);
  let created = 0;
  names.forEach((k, i) => ((globalThis as any)[k] = new Proxy(originals[i], { construct(target, args) { created++; return Reflect.construct(target, args); } })));
  methods.forEach((k, i) => (proto[k] = function (this: unknown, ...args: unknown[]) { created++; return saved[i].apply(this, args); }));
  try {
    fn();
  } finally {
    names.forEach((k, i) => ((globalThis as any)[k] = originals[i]));
    methods.forEach((k, i) => (proto[k] = saved[i]));
  }
  return created;
}

/**
 * Asserts that `fit` creates no typed array or view per step: after a warm-up call, a three-epoch call creates what
 * a one-epoch call does (a call's own setup, such as its batch buffers, is counted, and must be seen: more than 0).
 */
export function assertFitAllocatesNothingPerStep(fit: (epochs: number) => void, label: string, check: { is(a: unknown, b: unknown, msg?: string): void; ok(v: unknown, msg?: string): void }): void {
  const run = (epochs: number) => countTypedArrays(() => fit(epochs));
  run(1);
  const one = run(1), three = run(3);
  check.is(three, one, `${label}: one epoch created ${one} typed arrays or views, three epochs ${three}`);
  check.ok(one > 0, `${label}: the counter sees a call's own setup`);
}
