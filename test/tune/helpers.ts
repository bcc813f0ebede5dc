import * as assert from 'uvu/assert';

/** Asserts that `fn()` rejects with an error whose message matches `expected` (or that satisfies it). */
export async function rejects(fn: () => Promise<unknown>, expected: RegExp | ((e: unknown) => boolean)): Promise<void> {
  let error: unknown = null;
  let threw = false;
  try {
    await fn();
  } catch (e) {
    threw = true;
    error = e;
  }
  if (!threw) assert.unreachable(`expected a rejection matching ${String(expected)}, got none`);
  const message = error instanceof Error ? error.message : String(error);
  const ok = expected instanceof RegExp ? expected.test(message) : expected(error);
  assert.ok(ok, `expected a rejection matching ${String(expected)}, got: ${message}`);
}
