// The two Node globals lrlab's browser-safe code touches, reduced to what it uses: `process.env` (backend choice)
// and a progress stream, and `Buffer.from(base64)` (the embedded wasm module). esbuild injects these names into the
// browser bundle only; Node keeps its own.
const env: Record<string, string | undefined> = {};

export const process = {
  env,
  pid: 0,
  platform: 'browser',
  stderr: { isTTY: false, write: (_text: string) => true },
  stdout: { isTTY: false, write: (_text: string) => true },
};

export const Buffer = {
  from(value: string | ArrayLike<number>, encoding?: string): Uint8Array {
    if (typeof value !== 'string') return Uint8Array.from(value);
    if (encoding === 'base64') {
      const bin = atob(value);
      const out = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
      return out;
    }
    return new TextEncoder().encode(value);
  },
};

declare function atob(data: string): string;
declare class TextEncoder {
  encode(text: string): Uint8Array;
}
