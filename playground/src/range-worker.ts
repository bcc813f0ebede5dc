// The range test runs in this Web Worker so the page stays responsive and draws the curve as it grows: lrlab's
// rangeTest reports every step through `onStep`, and this worker posts each one to the page.
import {
  rangeTest, suggestLr, savgolFilter, fit, Adam, Sequential, Linear, ReLU, manualSeed, prepareSeries, syntheticTimeSeries, parseCsvColumn, Generator,
} from '../../src/index.js';

/** A dropped file longer than this is sampled at an even stride, so the series keeps its whole span. */
export const MAX_POINTS = 1000;

/** A dropped file: its text, its name, and the column to read (by default the first numeric one). */
export interface DroppedCsv { text: string; name: string; column?: string | number }
export type RangeRequest = { kind: 'range'; csv: DroppedCsv | null; numIter: number } | { kind: 'train'; lr: number; epochs: number };
/** Where the series came from: the file, the column, its rows and how they were sampled. */
export interface DataSource {
  file: string | null; column: string | number | null; columns: string[]; numericColumns: string[]; chosen: boolean; rows: number; points: number; stride: number;
}
export type RangeMessage =
  | { kind: 'data'; source: DataSource }
  | { kind: 'step'; iteration: number; lr: number; loss: number; smoothedLoss: number }
  | {
    kind: 'done'; stopReason: string; suggestions: Record<string, number>; recommended: number; spreadDecades: number; warnings: string[];
    /** The Savitzky-Golay fit (window 11, order 2) of the losses the rules read: the points before the divergence. */
    savgol: number[]; divergenceLr: number | null;
  }
  | { kind: 'epoch'; epoch: number; loss: number; valLoss: number }
  | { kind: 'error'; message: string };

const post = (m: RangeMessage) => (self as unknown as { postMessage(m: RangeMessage): void }).postMessage(m);
let data: ReturnType<typeof prepareSeries> | null = null;

const makeModel = () => { manualSeed(42); return new Sequential(new Linear(20, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 1)); };

self.addEventListener('message', (event: Event) => {
  const req = (event as MessageEvent<RangeRequest>).data;
  try {
    if (req.kind === 'range') {
      let values: Float32Array, source: DataSource;
      if (req.csv === null) {
        values = syntheticTimeSeries().values;
        source = { file: null, column: null, columns: [], numericColumns: [], chosen: false, rows: values.length, points: values.length, stride: 1 };
      } else {
        const parsed = parseCsvColumn(req.csv.text, req.csv.column === undefined ? {} : { column: req.csv.column }, `'${req.csv.name}'`);
        const stride = Math.ceil(parsed.values.length / MAX_POINTS);
        values = stride === 1 ? parsed.values : parsed.values.filter((_, i) => i % stride === 0);
        source = { file: req.csv.name, column: parsed.column, columns: parsed.columns, numericColumns: parsed.numericColumns, chosen: req.csv.column !== undefined, rows: parsed.values.length, points: values.length, stride };
      }
      data = prepareSeries(values, { window: 20 });
      post({ kind: 'data', source });
      const model = makeModel();
      const optimizer = new Adam(model.parameters());
      const sweep = rangeTest(model, { x: data.train.x, y: data.train.y, optimizer, startLr: 1e-5, endLr: 1e-1, numIter: req.numIter, onStep: (done, _total, s) => post({ kind: 'step', iteration: done - 1, ...s }) });
      const advice = suggestLr(sweep.lrs, sweep.losses, { smoothed: sweep.smoothedLosses, stopReason: sweep.stopReason });
      const suggestions: Record<string, number> = {};
      for (const [k, s] of Object.entries(advice.suggestions)) suggestions[k] = s.lr;
      // the part the rules read, as suggestLr cuts it: the finite losses, then the points before the divergence
      const finite = sweep.losses.findIndex((v) => !Number.isFinite(v));
      const n = finite === -1 ? sweep.losses.length : finite;
      const end = advice.divergenceIndex === null ? n - 1 : advice.divergenceIndex - 1;
      const part = sweep.losses.slice(0, end + 1);
      const w = Math.min(11, part.length % 2 === 1 ? part.length : part.length - 1);
      const savgol = Array.from(savgolFilter(part, w, Math.min(2, w - 1)));
      post({ kind: 'done', stopReason: sweep.stopReason, suggestions, recommended: advice.lr, spreadDecades: advice.spreadDecades, warnings: advice.warnings, savgol, divergenceLr: advice.divergenceLr });
    } else if (data !== null) {
      const model = makeModel();
      const history = fit(model, {
        x: data.train.x, y: data.train.y, validationData: data.valid, optimizer: new Adam(model.parameters(), { lr: req.lr }), epochs: req.epochs,
        generator: new Generator(42), progress: false,
        callbacks: [{ onEpochEnd: (epoch: number, logs: Record<string, number>) => post({ kind: 'epoch', epoch, loss: logs.loss, valLoss: logs.valLoss ?? NaN }) }],
      });
      void history;
    }
  } catch (err) {
    post({ kind: 'error', message: (err as Error).message });
  }
});
