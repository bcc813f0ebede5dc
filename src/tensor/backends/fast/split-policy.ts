// Whether the wasm backend splits a kernel call (a product, an optimizer update, a convolution) between the calling
// thread and its worker. Two threads pay only where the call is long enough to cover the hand-over, and on a
// machine whose cores are shared they may not pay at all (a descheduled worker costs a time slice, hundreds of
// microseconds, each call): so the choice is measured per shape, on the machine as it is. A split changes no bits
// (every split site divides work whose results do not depend on it), so timing decides speed only, never results.

/** Calls of a shape run each way (alternating, split first) before the faster is chosen. */
const FIRST_CALLS = 3;
/** Wall times kept per way and shape; their medians are compared. */
const WINDOW = 7;
/**
 * The way not chosen is tried again once the chosen way has spent this many times the other's median: a try then
 * costs at most a sixty-fourth of the time (a split whose worker waits for a busy core can take fifty times a
 * small product). The factor doubles each time a try is slower than the chosen way (up to MAX_PROBE_FACTOR, a
 * thousandth), and is reset when the choice changes; a try that was faster is followed by another at once, so that
 * a change (the other work on the machine stopping) turns the choice within a few calls.
 */
const PROBE_FACTOR = 64, MAX_PROBE_FACTOR = 1024;
/** Shapes remembered; past this many all are forgotten (a program making ever-new shapes measures them afresh). */
const MAX_SHAPES = 4096;

/** One shape's record: the last wall times of calls on one thread and split over two, and when to try the other way. */
interface ShapeTimes {
  one: number[];
  two: number[];
  /** The faster way so far (true: split). */
  choice: boolean;
  /** Time spent the chosen way since the other was last tried (ms), and the factor of the next try. */
  spent: number;
  factor: number;
}

const sorted: number[] = [];
/** The median of a window (the upper one of an even count), sorted in a scratch array. */
function median(xs: number[]): number {
  sorted.length = 0;
  for (const x of xs) {
    let i = sorted.length;
    sorted.push(x);
    for (; i > 0 && sorted[i - 1] > x; i--) sorted[i] = sorted[i - 1];
    sorted[i] = x;
  }
  return sorted[sorted.length >> 1];
}

/**
 * The split choice of one backend, shared by its split sites. `measured` false splits every call that can be split
 * (the fixed thresholds alone decide). Keys name the kernel and the shape; callers ask only for calls they can split.
 */
export class SplitPolicy {
  private readonly shapes = new Map<string, ShapeTimes>();

  constructor(readonly measured: boolean) {}

  /** Whether to split this call of `key`. */
  split(key: string): boolean {
    if (!this.measured) return true;
    let s = this.shapes.get(key);
    if (s === undefined) {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      this.shapes.set(key, (s = { one: [], two: [], choice: false, spent: 0, factor: PROBE_FACTOR }));
    }
    if (s.one.length < FIRST_CALLS || s.two.length < FIRST_CALLS) return s.two.length <= s.one.length;
    const other = median(s.choice ? s.one : s.two);
    if (s.spent < s.factor * other) return s.choice;
    s.spent = 0;
    return !s.choice;
  }

  /** Records the wall time (ms) of a call of `key` that `split()` was asked about, run split or not. */
  note(key: string, split: boolean, ms: number): void {
    const s = this.shapes.get(key);
    if (s === undefined) return;
    const list = split ? s.two : s.one;
    list.push(ms);
    if (list.length > WINDOW) list.shift();
    if (s.one.length < FIRST_CALLS || s.two.length < FIRST_CALLS) return;
    if (split === s.choice) s.spent += ms;
    else if (ms < median(s.choice ? s.two : s.one)) s.spent = Infinity;
    else s.factor = Math.min(2 * s.factor, MAX_PROBE_FACTOR);
    const twoFaster = median(s.two) < median(s.one);
    if (twoFaster !== s.choice) {
      s.choice = twoFaster;
      s.spent = 0;
      s.factor = PROBE_FACTOR;
    }
  }
}
