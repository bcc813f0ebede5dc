// Relaxed SIMD on Node: V8 validates it by default from Node 22; Node 20's V8 has it behind a flag, which is set here
// (it only widens what WebAssembly accepts) the first time a backend asks. The browser build swaps this file for
// src/platform/browser/relaxed-simd.ts, where the engine decides.
import { setFlagsFromString } from 'node:v8';
import { validatesRelaxedSimd } from '../relaxed-simd-probe.js';

/** Whether this engine runs WebAssembly relaxed SIMD (enabling it in V8 where it is behind a flag). */
export function relaxedSimd(): boolean {
  if (validatesRelaxedSimd()) return true;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return validatesRelaxedSimd();
}
