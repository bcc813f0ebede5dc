// JSON that keeps every number: JSON has no NaN or infinities (JSON.stringify writes null for them), yet a
// categorical choice may be Infinity, an objective may return -Infinity, and a retry carries its parameters in
// the system attributes. Two encodings, for two readers:
// - storage (`toStoredJson` / `fromStoredJson`): lossless and unambiguous, a non-finite number becomes the
//   one-key object {"$number": "Infinity"} (parameter values and choices are never objects, so nothing else has
//   that shape there), and a string stays a string, so 'Infinity' and Infinity remain two different choices;
// - reports (`exactNumbers`, a JSON.stringify replacer): a non-finite number becomes the string "Infinity",
//   "-Infinity" or "NaN", as `study.trialsToJson` writes them, which people and tools read at a glance.

const TAG = '$number';

/** JSON.stringify replacer of stored JSON: NaN and the infinities become { "$number": "NaN" | "Infinity" | "-Infinity" }. */
function storedReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { [TAG]: String(value) } : value;
}

/** JSON.parse reviver of stored JSON: the inverse of {@link storedReplacer}. */
function storedReviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const tagged = (value as Record<string, unknown>)[TAG];
    if (keys.length === 1 && (tagged === 'NaN' || tagged === 'Infinity' || tagged === '-Infinity')) return Number(tagged);
  }
  return value;
}

/** JSON text for the storage that gives back NaN, Infinity and -Infinity exactly (`fromStoredJson` reads it). */
export function toStoredJson(value: unknown): string {
  return JSON.stringify(value, storedReplacer);
}

/** Reads JSON written by `toStoredJson` (plain JSON reads as itself). */
export function fromStoredJson<T = unknown>(text: string): T {
  return JSON.parse(text, storedReviver) as T;
}

/**
 * A JSON.stringify replacer for reports: NaN, Infinity and -Infinity are written as the strings "NaN",
 * "Infinity" and "-Infinity" instead of null. `JSON.stringify(report, exactNumbers, 1)`.
 */
export function exactNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}
