/**
 * Float32 storage inside a WebAssembly memory, so the kernels of the fast backend read and write tensors in place.
 *
 * `allocate(n)` hands out a Float32Array view on the memory: a block of n floats rounded up to 4 (the SIMD kernels
 * may write the padding). Blocks come back to a free list per size once their view has been garbage-collected, and
 * are given out again to the next request of that size; a training step repeats its sizes, so the memory stops
 * growing after the first step. The collected views are found by a sweep of weak references whenever the memory
 * would otherwise grow (synchronously: a long training loop never yields to let finalizers run), after a full
 * collection when the process allows one (`--expose-gc`) and the memory is at its limit. The memory is shared, so
 * growing it leaves every earlier view valid (a shared buffer is never detached).
 *
 * A `subarray` of an arena view is an ordinary view to the kernels (copied in and out); it must not outlive the view
 * it was cut from.
 */
export class Arena {
  /**
   * The views handed out and their byte offsets. (Not the buffer: a shared memory's `buffer` may be a new
   * SharedArrayBuffer object at each access, so the buffer's identity cannot tell whether a view is ours.)
   */
  private readonly views = new WeakMap<Float32Array, number>();
  /**
   * Blocks by byte offset: the float length a live block was handed out with, -1 once it is free. Entries are
   * overwritten, never deleted: V8's Map rehashes its whole table when entries come and go in a large map (a set
   * and a delete cost 80 us with 40,000 entries), and a staged array's block comes and goes in every kernel call.
   */
  private readonly blocks = new Map<number, number>();
  private liveBlocks = 0;
  private readonly free = new Map<number, number[]>();
  /** The views handed out, weakly, with their blocks: a view collected means its block is free. */
  private live: { view: WeakRef<Float32Array>; offset: number; serial: number }[] = [];
  /** Which hand-out of its block each live view is (a block freed early and given out again has a new serial). */
  private readonly serials = new Map<number, number>();
  private serial = 0;
  /** Blocks given back early by `freeView`, and requests that found the tensors' share full (plain arrays instead). */
  private freed = 0;
  private plainFallbacks = 0;
  /**
   * Views given back by `freeView`, by length, with their blocks: handed out again, zeroed, before a new view is
   * made (a view, its weak reference and its map entries cost more than the zeroing), a few hundred per length.
   */
  private readonly spare = new Map<number, Float32Array[]>();
  private spareCount = 0;
  /** The next free byte; offset 0 stands for "no buffer" in the kernels' arguments, and the module's constants lie below `start`. */
  private top: number;
  /** A float view of the whole memory, refreshed after growth. */
  heap: Float32Array;

  /**
   * Tensors may fill the memory up to this many bytes (three quarters of its maximum); the rest stays for the
   * kernels' temporary blocks (arrays staged in and out, packed panels), so a kernel call never finds the memory
   * full when a long synchronous loop has filled it with tensors it cannot free yet.
   */
  readonly tensorBytes: number;
  /** Sweeps and collections that found nothing to free are not repeated until this many more views are listed. */
  private sweepAfter = 0;
  private collectAfter = 0;
  private retryScheduled = false;

  /** `maxBytes`: the most the memory can grow to; `start`: the first byte the arena may use (rounded up to 64). */
  constructor(readonly memory: { buffer: ArrayBufferLike; grow(pages: number): number }, maxBytes = 1 << 30, start = 64) {
    this.heap = new Float32Array(memory.buffer);
    this.top = Math.max(64, Math.ceil(start / 64) * 64);
    this.tensorBytes = Math.floor((maxBytes * 3) / 4);
  }

  /**
   * A zeroed, resident Float32Array of n floats; a plain one when tensors already fill their share of the memory.
   * `zero: false` leaves a block handed out again as it was (for a caller that writes every element first).
   */
  allocate(n: number, zero = true): Float32Array {
    return this.tryAllocate(n, zero) ?? new Float32Array(n);
  }

  /** A zeroed (unless `zero` is false), resident Float32Array of n floats, or null when tensors fill their share. */
  tryAllocate(n: number, zero = true): Float32Array | null {
    const reuse = this.spare.get(n)?.pop();
    if (reuse !== undefined) {
      this.spareCount--;
      this.liveBlocks++;
      return zero ? reuse.fill(0) : reuse;
    }
    let offset = this.take(n, this.tensorBytes, zero);
    if (offset < 0 && this.spareCount > 0) {
      // the spare views' blocks serve other lengths too when the memory is full
      for (const list of this.spare.values()) for (const v of list.splice(0)) this.dropView(v);
      this.spareCount = 0;
      offset = this.take(n, this.tensorBytes);
    }
    if (offset < 0) {
      this.plainFallbacks++;
      return null;
    }
    const view = new Float32Array(this.heap.buffer, offset, n);
    this.views.set(view, offset);
    this.serials.set(offset, ++this.serial);
    this.live.push({ view: new WeakRef(view), offset, serial: this.serial });
    return view;
  }

  /**
   * Gives the block of view `a` back at once (it must not be read or written again), when `a` is a whole block this
   * arena handed out; returns whether it was. The weak reference to `a` then frees nothing when it clears.
   */
  freeView(a: Float32Array): boolean {
    const offset = this.blockOf(a);
    if (offset < 0) return false;
    this.freed++;
    let list = this.spare.get(a.length);
    if (list === undefined) this.spare.set(a.length, (list = []));
    if (list.length < 256) {
      list.push(a);
      this.spareCount++;
      this.liveBlocks--;
    } else {
      this.views.delete(a);
      this.serials.set(offset, -1);
      this.release(offset);
    }
    return true;
  }

  /** Forgets a spare view and gives its block back to the free list. */
  private dropView(a: Float32Array): void {
    const offset = this.views.get(a);
    if (offset === undefined) return;
    this.views.delete(a);
    this.serials.set(offset, -1);
    this.liveBlocks++; // counted out when it became spare; release counts it out again
    this.release(offset);
  }

  /** The byte offset of `a` when it is a view this arena handed out, else -1 (its subarrays are not known). */
  offsetOf(a: Float32Array): number {
    return this.views.get(a) ?? -1;
  }

  /**
   * The byte offset of `a` when it is a whole block (its padding is its own, so a kernel may write all lanes),
   * else -1.
   */
  blockOf(a: Float32Array): number {
    const offset = this.views.get(a);
    return offset !== undefined && this.blocks.get(offset) === a.length ? offset : -1;
  }

  /**
   * A zeroed (unless `zero` is false) block of n floats below byte `limit` (its offset), to be given back with
   * `release`; -1 if there is no room. (Views made in the current job stay alive until it ends, whatever the program does with them: a weak
   * reference keeps its target for the job that made it. So a synchronous loop frees nothing it allocated, and
   * sweeps and collections that freed nothing back off instead of running at every request.)
   */
  take(n: number, limit = Infinity, zero = true): number {
    const bytes = Math.max(16, Math.ceil(n / 4) * 16);
    let offset = this.free.get(bytes)?.pop();
    if (offset === undefined && this.top + bytes > Math.min(limit, this.memory.buffer.byteLength)) {
      // before growing: give back the blocks of collected views, and use one of this size if there is one now
      if (this.live.length >= this.sweepAfter) {
        this.sweep();
        this.sweepAfter = Math.ceil(this.live.length * 1.25) + 64;
        this.retryNextJob();
      }
      offset = this.free.get(bytes)?.pop();
      if (offset === undefined && (this.top + bytes > limit || !this.ensure(this.top + bytes))) {
        if (this.live.length >= this.collectAfter) {
          (globalThis as { gc?: () => void }).gc?.();
          this.sweep();
          this.collectAfter = Math.ceil(this.live.length * 1.5) + 256;
          this.retryNextJob();
        }
        offset = this.free.get(bytes)?.pop() ?? this.split(bytes);
        if (offset === undefined) return -1;
      }
    }
    if (offset === undefined) {
      offset = this.top;
      this.top += bytes;
    } else if (zero) {
      this.heap.fill(0, offset >> 2, (offset + bytes) >> 2);
    }
    this.blocks.set(offset, n);
    this.liveBlocks++;
    return offset;
  }

  /** Once the current job ends, the views it made can be collected: the next request may sweep at once again. */
  private retryNextJob(): void {
    if (this.retryScheduled) return;
    this.retryScheduled = true;
    const timer = setTimeout(() => {
      this.retryScheduled = false;
      this.sweepAfter = 0;
      this.collectAfter = 0;
    }, 0) as { unref?: () => void };
    timer.unref?.(); // it keeps no process alive
  }

  /**
   * The front of the smallest free block larger than `bytes` (the rest goes back on the free list of its size), when
   * there is no room left: blocks are otherwise reused by exact size, so a memory full of free blocks of other sizes
   * (say a finished suite's large matrices) could not serve a small request.
   */
  private split(bytes: number): number | undefined {
    let best = Infinity;
    for (const [size, list] of this.free) if (size > bytes && size < best && list.length > 0) best = size;
    if (best === Infinity) return undefined;
    const offset = this.free.get(best)!.pop()!;
    const rest = best - bytes;
    let list = this.free.get(rest);
    if (list === undefined) this.free.set(rest, (list = []));
    list.push(offset + bytes);
    return offset;
  }

  /** Gives a block back to the free list of its size. */
  release(offset: number): void {
    const n = this.blocks.get(offset);
    if (n === undefined || n < 0) return;
    this.blocks.set(offset, -1);
    this.liveBlocks--;
    const bytes = Math.max(16, Math.ceil(n / 4) * 16);
    let list = this.free.get(bytes);
    if (list === undefined) this.free.set(bytes, (list = []));
    list.push(offset);
  }

  /** Frees the blocks whose views have been collected. */
  sweep(): void {
    const kept: { view: WeakRef<Float32Array>; offset: number; serial: number }[] = [];
    for (const entry of this.live) {
      // a block freed early (and perhaps given out again since) is not this entry's to release
      if (this.serials.get(entry.offset) !== entry.serial) continue;
      if (entry.view.deref() === undefined) this.release(entry.offset);
      else kept.push(entry);
    }
    this.live = kept;
  }

  /**
   * Bytes in use and bytes the memory holds; blocks given back early by `freeView`; tensor requests that found the
   * tensors' share of the memory full and got an ordinary array (whose every kernel call then copies it in and out).
   */
  stats(): { blocks: number; topBytes: number; memoryBytes: number; freed: number; plainFallbacks: number } {
    return { blocks: this.liveBlocks, topBytes: this.top, memoryBytes: this.memory.buffer.byteLength, freed: this.freed, plainFallbacks: this.plainFallbacks };
  }

  private ensure(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      // grow by at least half again, so a run of allocations grows the memory a few times, not once each
      const pages = Math.max(Math.ceil((bytes - have) / 65536), Math.ceil(have / 65536 / 2));
      try {
        this.memory.grow(pages);
      } catch {
        try {
          this.memory.grow(Math.ceil((bytes - have) / 65536));
        } catch {
          return false;
        }
      }
      this.heap = new Float32Array(this.memory.buffer);
    }
    return true;
  }
}
