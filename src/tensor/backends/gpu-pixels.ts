/**
 * Moving floats between the CPU and gpu.js's textures without a new typed array per transfer.
 *
 * gpu.js reads a kernel's result back into a new Float32Array and then one new Float32Array per output row; here a
 * pipelined kernel's output texture is read into one RGBA buffer kept per texture size instead. Under headless GL
 * (the `gl` package, Node), the context's JavaScript layer also wraps every `readPixels` and every `texImage2D`
 * with data in two new Uint8Array views before it calls the native method; a browser's WebGL context makes none.
 * Where that layer is found, the transfers of a training step go to the native methods directly: `readPixels`
 * into the kept buffer, and a re-upload of a texture with the same size and format as `texSubImage2D`, which is
 * what re-specifying an identical level 0 amounts to in GL.
 */

/** A gpu.js output texture as far as reading it needs (gpu.js's GLTextureFloat and GLTextureFloat2D). */
export interface OutputTexture {
  size: ArrayLike<number>;
  texture: unknown;
  framebuffer(): unknown;
}

/** Reads pipelined kernels' outputs; the returned buffer holds one value per texel in its red channel. */
export interface PixelReader {
  /** The texture's texels as RGBA floats, in a buffer kept per texture size (overwritten by the next read of that size). */
  read(texture: OutputTexture): Float32Array;
}

type Method = (...args: unknown[]) => unknown;

// the method as the addon defines it (not a bound wrapper, not JavaScript source)
function nativeMethod(target: object, name: string): Method | null {
  for (let p = Object.getPrototypeOf(target); p !== null; p = Object.getPrototypeOf(p)) {
    const f = Object.getOwnPropertyDescriptor(p, name)?.value;
    if (typeof f === 'function' && !f.name.startsWith('bound ') && Function.prototype.toString.call(f).includes('[native code]')) return f as Method;
  }
  return null;
}

/**
 * headless GL's inner context and its native methods, or null where the context is not headless GL's wrapper
 * (a browser's native context, or another GL layer: then the public methods are used as they are).
 */
function headlessNative(gl: any): { inner: object; readPixels: Method; texSubImage2D: Method } | null {
  // the public object binds each method to an inner context; an extension object keeps that context as `ctx`
  const inner = gl.getExtension?.('WEBGL_draw_buffers')?.ctx ?? gl.getExtension?.('ANGLE_instanced_arrays')?.ctx;
  if (inner === undefined || inner === null || inner === gl || typeof inner !== 'object') return null;
  const readPixels = nativeMethod(inner, 'readPixels'), texSubImage2D = nativeMethod(inner, 'texSubImage2D');
  return readPixels !== null && texSubImage2D !== null ? { inner, readPixels, texSubImage2D } : null;
}

/**
 * Sets up copy-free transfers on gpu.js's GL context `gl`: returns the reader, and under headless GL replaces the
 * context object's own `texImage2D` so that gpu.js's per-call input uploads reuse the texture's storage.
 */
export function pixelTransfers(gl: any): PixelReader {
  const direct = headlessNative(gl);
  const buffers = new Map<number, Float32Array>();
  if (direct !== null) reuploadInPlace(gl, direct.inner, direct.texSubImage2D);
  return {
    read(texture) {
      const w = texture.size[0], h = texture.size[1];
      let raw = buffers.get(w * h);
      if (raw === undefined) buffers.set(w * h, (raw = new Float32Array(w * h * 4)));
      // as gpu.js's own GLTextureFloat.renderRawOutput, into the kept buffer
      gl.bindFramebuffer(gl.FRAMEBUFFER, texture.framebuffer());
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture.texture, 0);
      if (direct !== null) direct.readPixels.call(direct.inner, 0, 0, w, h, gl.RGBA, gl.FLOAT, raw);
      else gl.readPixels(0, 0, w, h, gl.RGBA, gl.FLOAT, raw);
      return raw;
    },
  };
}

/**
 * gpu.js uploads each array argument with `texImage2D(TEXTURE_2D, 0, RGBA, w, h, 0, RGBA, FLOAT, data)` into the
 * argument's own texture on every call. When the bound texture's level 0 was already defined with that size and
 * format (through this function), the same pixels go in with the native `texSubImage2D`; anything else takes the
 * original path and is recorded.
 */
function reuploadInPlace(gl: any, inner: object, texSubImage2D: Method): void {
  const original = gl.texImage2D as Method;
  const defined = new WeakMap<object, number>();
  gl.texImage2D = function texImage2D(...args: unknown[]) {
    const [target, level, internalFormat, width, height, border, format, type] = args as number[];
    const pixels = args[8];
    const plain = args.length === 9 && target === gl.TEXTURE_2D && level === 0 && internalFormat === gl.RGBA && format === gl.RGBA && type === gl.FLOAT && border === 0;
    const bound = gl.getParameter(gl.TEXTURE_BINDING_2D) as object | null;
    const size = width * 65536 + height;
    if (plain && bound !== null && pixels instanceof Float32Array && pixels.length >= width * height * 4 && defined.get(bound) === size) {
      return texSubImage2D.call(inner, target, 0, 0, 0, width, height, format, type, pixels);
    }
    const result = original(...args);
    // a definition GL refused leaves the level undefined; a later texSubImage2D into it is refused the same way
    if (bound !== null) {
      if (plain) defined.set(bound, size);
      else defined.delete(bound);
    }
    return result;
  };
}
