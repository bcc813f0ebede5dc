// A module using one relaxed SIMD instruction, to ask the engine whether it validates relaxed SIMD:
// (module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))
const PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11]);
const WA = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;

/** Whether the engine validates WebAssembly relaxed SIMD as it is configured now. */
export function validatesRelaxedSimd(): boolean {
  return WA.validate(PROBE);
}
