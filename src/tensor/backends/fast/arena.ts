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
  private live: { view: WeakRef<Float32Array>; offset: number }[] = [];
  private top = 64; // offset 0 stands for "no buffer" in the kernels' arguments
  /** A float view of the whole memory, refreshed after growth. */
  heap: Float32Array;

  constructor(readonly memory: { buffer: ArrayBufferLike; grow(pages: number): number }) {
    this.heap = new Float32Array(memory.buffer);
  }

  /** A zeroed, resident Float32Array of n floats; a plain one if the memory cannot grow any more. */
  allocate(n: number): Float32Array {
    const offset = this.take(n);
    if (offset < 0) return new Float32Array(n);
    const view = new Float32Array(this.heap.buffer, offset, n);
    this.views.set(view, offset);
    this.live.push({ view: new WeakRef(view), offset });
    return view;
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

  /** A temporary block of n floats (its offset, not zeroed), to be given back with `release`; -1 if out of memory. */
  take(n: number): number {
    const bytes = Math.max(16, Math.ceil(n / 4) * 16);
    let offset = this.free.get(bytes)?.pop();
    if (offset === undefined && this.top + bytes > this.memory.buffer.byteLength) {
      // before growing: give back the blocks of collected views, and use one of this size if there is one now
      this.sweep();
      offset = this.free.get(bytes)?.pop();
      if (offset === undefined && !this.ensure(this.top + bytes)) {
        (globalThis as { gc?: () => void }).gc?.();
        this.sweep();
        offset = this.free.get(bytes)?.pop();
        if (offset === undefined) return -1;
      }
    }
    if (offset === undefined) {
      offset = this.top;
      this.top += bytes;
    } else {
      this.heap.fill(0, offset >> 2, (offset + bytes) >> 2);
    }
    this.blocks.set(offset, n);
    this.liveBlocks++;
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
    const kept: { view: WeakRef<Float32Array>; offset: number }[] = [];
    for (const entry of this.live) {
      if (entry.view.deref() === undefined) this.release(entry.offset);
      else kept.push(entry);
    }
    this.live = kept;
  }

  /** Bytes in use and bytes the memory holds. */
  stats(): { blocks: number; topBytes: number; memoryBytes: number } {
    return { blocks: this.liveBlocks, topBytes: this.top, memoryBytes: this.memory.buffer.byteLength };
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
