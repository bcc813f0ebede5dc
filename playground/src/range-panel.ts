// Panel 3: a live range test in a Web Worker, the four suggestions and why they differ, then a short training run
// with the chosen rate. Drop a CSV (one numeric column is enough) onto the panel to use your own series; a long
// file is sampled, and the page says which file, column and sampling it used.
import { savgolFilter } from '../../src/index.js';
import { MAX_POINTS, type DataSource, type DroppedCsv, type RangeMessage, type RangeRequest } from './range-worker.js';
import { lineChart, fmt } from './plot.js';

const RULES: Record<string, { color: string; why: string }> = {
  steepest: { color: '#dc2626', why: 'where the Savitzky-Golay fit (the black curve) falls fastest: the rate at which training makes the most progress per step' },
  valley: { color: '#2563eb', why: 'fastai\'s valley, on the moving average (dashed): inside its longest stretch of falling loss, a little past its start, safe but not timid' },
  minimum: { color: '#059669', why: 'a tenth of the rate at the lowest point of the moving average (dashed): the minimum itself is already too close to divergence' },
  slide: { color: '#d97706', why: 'fastai\'s slide, on the moving average (dashed): walks back from the divergence point while the loss stays near its best' },
};

const ordinal = (k: number) => `${k}${k % 10 === 1 && k % 100 !== 11 ? 'st' : k % 10 === 2 && k % 100 !== 12 ? 'nd' : k % 10 === 3 && k % 100 !== 13 ? 'rd' : 'th'}`;

/** One sentence: which file, which column, how many rows and how they were sampled. */
export function describeSource(s: DataSource): string {
  if (s.file === null) return `Data: the built-in synthetic series (${s.points.toLocaleString('en')} points).`;
  const column = typeof s.column === 'string' ? `column '${s.column}'` : `column ${s.column}`;
  const others = s.columns.length > 1 ? ` (of ${s.columns.map((c) => `'${c}'`).join(', ')}; ${s.chosen ? 'your choice' : 'the first numeric one'})` : '';
  const sampling = s.stride === 1
    ? `all ${s.rows.toLocaleString('en')} rows`
    : `${s.rows.toLocaleString('en')} rows, sampled to ${s.points.toLocaleString('en')} points: every ${ordinal(s.stride)} row, so the series keeps its whole span (files over ${MAX_POINTS.toLocaleString('en')} rows are sampled to keep the page quick)`;
  return `Data: '${s.file}', ${column}${others}, ${sampling}.`;
}

/** The Savitzky-Golay fit (window 11, or the longest odd one that fits; order 2) of the finite losses so far. */
function savgolSoFar(losses: number[]): number[] {
  const finite = losses.findIndex((v) => !Number.isFinite(v));
  const part = finite === -1 ? losses : losses.slice(0, finite);
  const w = Math.min(11, part.length % 2 === 1 ? part.length : part.length - 1);
  return w < 3 ? part.slice() : Array.from(savgolFilter(part, w, 2));
}

export interface RangePanel {
  start(csv?: DroppedCsv | null): Promise<void>;
  done(): Promise<void>;
  /** What the chart shows: the raw losses, the moving average, and the Savitzky-Golay fit the steepest rule reads. */
  curves(): { lrs: number[]; losses: number[]; movingAverage: number[]; savgol: number[]; divergenceLr: number | null };
}

export function mountRangeTest(root: HTMLElement): RangePanel {
  root.innerHTML = `
    <div class="controls">
      <button id="rt-run">Run the range test</button>
      <label>Steps <input id="rt-iters" type="number" value="100" min="10" max="500"></label>
      <span class="note">or drop a CSV file on this panel</span>
      <label id="rt-column-label" hidden>Column <select id="rt-column"></select></label>
    </div>
    <p id="rt-source" class="note">Data: the built-in synthetic series, until you drop a CSV here.</p>
    <p id="rt-status" class="note" aria-live="polite">Not run yet.</p>
    <div id="rt-chart"></div>
    <div id="rt-suggestions"></div>
    <div class="controls" id="rt-train-controls" hidden>
      <label>Train with lr <input id="rt-lr" type="number" step="any"></label><button id="rt-train">Train 8 epochs</button>
    </div>
    <div id="rt-train-chart"></div>`;
  const $ = <T extends HTMLElement>(id: string) => root.querySelector<T>(`#${id}`)!;
  const worker = new Worker(new URL('./range-worker.js', import.meta.url), { type: 'module' });
  const lrs: number[] = [], losses: number[] = [], smooth: number[] = [];
  let savgol: number[] = [];
  let divergenceLr: number | null = null;
  const epochs: number[] = [], train: number[] = [], valid: number[] = [];
  let markers: { x: number; label: string; color: string }[] = [];
  let resolveDone: (() => void) | null = null;
  let finished = Promise.resolve();
  let lastCsv: DroppedCsv | null = null;

  // the black curve is what the headline (steepest) rule reads; the dashed one what the fastai rules read
  const drawCurve = () => $('rt-chart').replaceChildren(lineChart(
    [
      { name: 'loss', xs: lrs, ys: losses, color: '#9ca3af' },
      { name: 'Savitzky-Golay (steepest)', xs: lrs.slice(0, savgol.length), ys: savgol, color: '#111827' },
      { name: 'moving avg. (valley, minimum, slide)', xs: lrs, ys: smooth, color: '#6366f1', dashed: true },
    ],
    {
      title: 'Loss against learning rate', xLabel: 'learning rate (log)', yLabel: 'training loss', logX: true, width: 680, height: 340, yMax: 2 * (losses[0] ?? Infinity),
      markers: divergenceLr === null ? markers : [...markers, { x: divergenceLr, label: `diverges ${fmt(divergenceLr)}`, color: '#6b7280' }],
    },
  ));

  worker.addEventListener('message', (event: MessageEvent<RangeMessage>) => {
    const m = event.data;
    if (m.kind === 'data') {
      $('rt-source').textContent = describeSource(m.source);
      // the numeric columns of a dropped file, to read another one than the first
      const select = $<HTMLSelectElement>('rt-column');
      select.innerHTML = m.source.numericColumns.map((c) => `<option${c === String(m.source.column) ? ' selected' : ''}>${c.replace(/[<&]/g, (ch) => (ch === '<' ? '&lt;' : '&amp;'))}</option>`).join('');
      $('rt-column-label').hidden = m.source.numericColumns.length < 2;
      $('rt-status').textContent = 'Range test running...';
    } else if (m.kind === 'step') {
      lrs.push(m.lr); losses.push(m.loss); smooth.push(m.smoothedLoss);
      if (m.iteration % 5 === 0) {
        savgol = savgolSoFar(losses);
        drawCurve();
      }
    } else if (m.kind === 'done') {
      savgol = m.savgol;
      divergenceLr = m.divergenceLr;
      markers = Object.entries(m.suggestions).map(([k, lr]) => ({ x: lr, label: `${k} ${fmt(lr)}`, color: RULES[k]?.color ?? '#000' }));
      drawCurve();
      $('rt-status').textContent = `Done (${m.stopReason}). The four rules span ${m.spreadDecades.toFixed(2)} decades${m.warnings.length ? `; warnings: ${m.warnings.join('; ')}` : ''}.`;
      $('rt-suggestions').innerHTML = `<table aria-label="Suggestions"><tr><th scope="col">rule</th><th scope="col">lr</th><th scope="col">what it looks for</th></tr>${
        Object.entries(m.suggestions).map(([k, lr]) => `<tr><td style="color:${RULES[k]?.color}">${k}${lr === m.recommended ? ' (recommended)' : ''}</td><td>${fmt(lr)}</td><td>${RULES[k]?.why ?? ''}</td></tr>`).join('')
      }</table><p class="note">The black curve is the Savitzky-Golay fit (window 11, order 2) of the losses before the divergence, the one the steepest rule differentiates; the dashed one is the range test's moving average, which the fastai rules read and which lags the raw loss. They differ because each reads a different feature of the same curve; when they disagree by more than a decade, prefer the lower end or check with a short training run below.</p>`;
      $('rt-train-controls').hidden = false;
      $<HTMLInputElement>('rt-lr').value = String(Number(m.recommended.toPrecision(3)));
      resolveDone?.();
    } else if (m.kind === 'epoch') {
      epochs.push(m.epoch + 1); train.push(m.loss); valid.push(m.valLoss);
      $('rt-train-chart').replaceChildren(lineChart(
        [{ name: 'training loss', xs: epochs, ys: train, color: '#2563eb' }, { name: 'validation loss', xs: epochs, ys: valid, color: '#dc2626', dashed: true }],
        { title: `Training with lr ${$<HTMLInputElement>('rt-lr').value}`, xLabel: 'epoch', yLabel: 'loss', width: 620, height: 280 },
      ));
      if (epochs.length === 8) resolveDone?.();
    } else if (m.kind === 'error') {
      $('rt-status').textContent = `Error: ${m.message}`;
      if (lastCsv !== null && ($('rt-source').textContent ?? '').startsWith('Data: reading')) $('rt-source').textContent = `Data: '${lastCsv.name}' could not be read (the error is below).`;
      resolveDone?.();
    }
  });

  const send = (req: RangeRequest) => {
    finished = new Promise((r) => { resolveDone = r; });
    worker.postMessage(req);
    return finished;
  };

  async function start(csv: DroppedCsv | null = lastCsv): Promise<void> {
    lastCsv = csv;
    lrs.length = losses.length = smooth.length = epochs.length = train.length = valid.length = 0;
    savgol = [];
    divergenceLr = null;
    markers = [];
    $('rt-status').textContent = 'Starting...';
    if (csv !== null) $('rt-source').textContent = `Data: reading '${csv.name}'...`;
    if (csv === null) $('rt-column-label').hidden = true;
    $('rt-suggestions').innerHTML = '';
    $('rt-train-chart').replaceChildren();
    await send({ kind: 'range', csv, numIter: Number($<HTMLInputElement>('rt-iters').value) });
  }

  $('rt-run').addEventListener('click', () => void start());
  $('rt-column').addEventListener('change', () => {
    if (lastCsv !== null) void start({ ...lastCsv, column: $<HTMLSelectElement>('rt-column').value });
  });
  $('rt-train').addEventListener('click', () => {
    epochs.length = train.length = valid.length = 0;
    void send({ kind: 'train', lr: Number($<HTMLInputElement>('rt-lr').value), epochs: 8 });
  });
  root.addEventListener('dragover', (e) => e.preventDefault());
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (file) void file.text().then((text) => start({ text, name: file.name }));
  });
  return {
    start,
    done: () => finished,
    curves: () => ({ lrs: [...lrs], losses: [...losses], movingAverage: [...smooth], savgol: [...savgol], divergenceLr }),
  };
}
