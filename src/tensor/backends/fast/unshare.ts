// A WebAssembly module built for threads imports a *shared* memory. A browser page that is not cross-origin
// isolated cannot create one, so for one-thread use the memory import's "shared" flag is cleared in a copy of the
// binary: same size, same code (the kernels use no atomics), and it instantiates with an ordinary memory.

function leb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0, shift = 0, b: number;
  do {
    b = bytes[at++];
    value |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return [value >>> 0, at];
}

/** A copy of `binary` whose imported memory is not shared; throws if the binary has no memory import. */
export function unshareMemoryImport(binary: Uint8Array): Uint8Array {
  const bytes = binary.slice();
  let at = 8; // magic and version
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = leb(bytes, at + 1);
    if (id === 2) {
      let [count, p] = leb(bytes, body);
      while (count-- > 0) {
        for (let name = 0; name < 2; name++) { // module name, then field name
          const [len, q] = leb(bytes, p);
          p = q + len;
        }
        const kind = bytes[p++];
        if (kind === 2) { // memory: the limits flags byte; bit 1 is "shared"
          bytes[p] &= ~0x02;
          return bytes;
        }
        if (kind === 0) p = leb(bytes, p)[1]; // function: type index
        else if (kind === 1) { p += 1; const flags = bytes[p++]; p = leb(bytes, p)[1]; if (flags & 1) p = leb(bytes, p)[1]; } // table
        else if (kind === 3) p += 2; // global: type, mutability
        else p = leb(bytes, p)[1]; // tag
      }
    }
    at = body + size;
  }
  throw new Error('unshareMemoryImport: the module imports no memory');
}
