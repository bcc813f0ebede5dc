// Panel 3: a live range test in a Web Worker, the four suggestions and why they differ, then a short training run
// with the chosen rate. Drop a CSV (one numeric column is enough) onto the panel to use your own series.
import type { RangeMessage, RangeRequest } from './range-worker.js';
import { lineChart, fmt } from './plot.js';

const RULES: Record<string, { color: string; why: string }> = {
  steepest: { color: '#dc2626', why: 'where the Savitzky-Golay-smoothed loss falls fastest: the rate at which training makes the most progress per step' },
  valley: { color: '#2563eb', why: 'fastai\'s valley: inside the longest stretch of falling loss, a little past its start, safe but not timid' },
  minimum: { color: '#059669', why: 'a tenth of the rate at the lowest smoothed loss: the minimum itself is already too close to divergence' },
  slide: { color: '#d97706', why: 'fastai\'s slide: walks back from the divergence point while the loss stays near its best' },
};

export function mountRangeTest(root: HTMLElement): { start(csv?: string | null): Promise<void>; done(): Promise<void> } {
  root.innerHTML = `
    <div class="controls">
      <button id="rt-run">Run the range test</button>
      <label>Steps <input id="rt-iters" type="number" value="100" min="10" max="500"></label>
      <span class="note">or drop a CSV file on this panel</span>
    </div>
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
  const epochs: number[] = [], train: number[] = [], valid: number[] = [];
  let markers: { x: number; label: string; color: string }[] = [];
  let resolveDone: (() => void) | null = null;
  let finished = Promise.resolve();
  let lastCsv: string | null = null;

  const drawCurve = () => $('rt-chart').replaceChildren(lineChart(
    [{ name: 'loss', xs: lrs, ys: losses, color: '#9ca3af' }, { name: 'smoothed loss', xs: lrs, ys: smooth, color: '#111827' }],
    { title: 'Loss against learning rate', xLabel: 'learning rate (log)', yLabel: 'training loss', logX: true, markers, width: 620, height: 320, yMax: 2 * (smooth[0] ?? Infinity) },
  ));

  worker.addEventListener('message', (event: MessageEvent<RangeMessage>) => {
    const m = event.data;
    if (m.kind === 'data') $('rt-status').textContent = `Range test on ${m.points} points of ${m.source}...`;
    else if (m.kind === 'step') {
      lrs.push(m.lr); losses.push(m.loss); smooth.push(m.smoothedLoss);
      if (m.iteration % 5 === 0) drawCurve();
    } else if (m.kind === 'done') {
      markers = Object.entries(m.suggestions).map(([k, lr]) => ({ x: lr, label: `${k} ${fmt(lr)}`, color: RULES[k]?.color ?? '#000' }));
      drawCurve();
      $('rt-status').textContent = `Done (${m.stopReason}). The four rules span ${m.spreadDecades.toFixed(2)} decades${m.warnings.length ? `; warnings: ${m.warnings.join('; ')}` : ''}.`;
      $('rt-suggestions').innerHTML = `<table aria-label="Suggestions"><tr><th scope="col">rule</th><th scope="col">lr</th><th scope="col">what it looks for</th></tr>${
        Object.entries(m.suggestions).map(([k, lr]) => `<tr><td style="color:${RULES[k]?.color}">${k}${lr === m.recommended ? ' (recommended)' : ''}</td><td>${fmt(lr)}</td><td>${RULES[k]?.why ?? ''}</td></tr>`).join('')
      }</table><p class="note">They differ because each reads a different feature of the same curve; when they disagree by more than a decade, prefer the lower end or check with a short training run below.</p>`;
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
      resolveDone?.();
    }
  });

  const send = (req: RangeRequest) => {
    finished = new Promise((r) => { resolveDone = r; });
    worker.postMessage(req);
    return finished;
  };

  async function start(csv: string | null = lastCsv): Promise<void> {
    lastCsv = csv;
    lrs.length = losses.length = smooth.length = epochs.length = train.length = valid.length = 0;
    markers = [];
    $('rt-suggestions').innerHTML = '';
    $('rt-train-chart').replaceChildren();
    await send({ kind: 'range', csv, numIter: Number($<HTMLInputElement>('rt-iters').value) });
  }

  $('rt-run').addEventListener('click', () => void start());
  $('rt-train').addEventListener('click', () => {
    epochs.length = train.length = valid.length = 0;
    void send({ kind: 'train', lr: Number($<HTMLInputElement>('rt-lr').value), epochs: 8 });
  });
  root.addEventListener('dragover', (e) => e.preventDefault());
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (file) void file.text().then((text) => start(text));
  });
  return { start, done: () => finished };
}
