// The range test runs in this Web Worker so the page stays responsive and draws the curve as it grows: lrlab's
// rangeTest reports every step through `onStep`, and this worker posts each one to the page.
import {
  rangeTest, suggestLr, fit, Adam, Sequential, Linear, ReLU, manualSeed, prepareSeries, syntheticTimeSeries, parseCsvSeries, Generator,
} from '../../src/index.js';

export type RangeRequest = { kind: 'range'; csv: string | null; numIter: number } | { kind: 'train'; lr: number; epochs: number };
export type RangeMessage =
  | { kind: 'data'; source: string; points: number }
  | { kind: 'step'; iteration: number; lr: number; loss: number; smoothedLoss: number }
  | { kind: 'done'; stopReason: string; suggestions: Record<string, number>; recommended: number; spreadDecades: number; warnings: string[] }
  | { kind: 'epoch'; epoch: number; loss: number; valLoss: number }
  | { kind: 'error'; message: string };

const post = (m: RangeMessage) => (self as unknown as { postMessage(m: RangeMessage): void }).postMessage(m);
let data: ReturnType<typeof prepareSeries> | null = null;

const makeModel = () => { manualSeed(42); return new Sequential(new Linear(20, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 1)); };

self.addEventListener('message', (event: Event) => {
  const req = (event as MessageEvent<RangeRequest>).data;
  try {
    if (req.kind === 'range') {
      const values = req.csv === null ? syntheticTimeSeries().values : parseCsvSeries(req.csv, {}, 'the dropped file');
      data = prepareSeries(values, { window: 20 });
      post({ kind: 'data', source: req.csv === null ? 'the built-in series' : 'the dropped CSV', points: values.length });
      const model = makeModel();
      const optimizer = new Adam(model.parameters());
      const sweep = rangeTest(model, { x: data.train.x, y: data.train.y, optimizer, startLr: 1e-5, endLr: 1e-1, numIter: req.numIter, onStep: (done, _total, s) => post({ kind: 'step', iteration: done - 1, ...s }) });
      const advice = suggestLr(sweep.lrs, sweep.losses, { smoothed: sweep.smoothedLosses });
      const suggestions: Record<string, number> = {};
      for (const [k, s] of Object.entries(advice.suggestions)) suggestions[k] = s.lr;
      post({ kind: 'done', stopReason: sweep.stopReason, suggestions, recommended: advice.lr, spreadDecades: advice.spreadDecades, warnings: advice.warnings });
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
