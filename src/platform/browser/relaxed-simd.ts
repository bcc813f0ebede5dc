// Relaxed SIMD in a browser: whatever the engine validates (Chromium from version 114).
import { validatesRelaxedSimd } from '../relaxed-simd-probe.js';

/** Whether this engine runs WebAssembly relaxed SIMD. */
export function relaxedSimd(): boolean {
  return validatesRelaxedSimd();
}
