// Panel 1: optimizers on two-dimensional surfaces. Every path is lrlab's own optimizer class stepping a [2]
// parameter whose gradient lrlab's autograd computes; the inspector shows what the update rule did at the last step.
import { tensor, type Tensor, type Optimizer } from '../../src/index.js';
import { KINDS, effectiveStep, type Kind } from './optimizer-kinds.js';
export { KINDS };
import { SURFACES, type Surface } from './surfaces.js';
import { fmt, lineChart } from './plot.js';
import { regimes } from './regimes.js';

/** The groups the race can be narrowed to, so that a few paths compare readably. */
const SHOW: Record<string, string[] | 'one' | null> = {
  all: null, sgd: ['SGD', 'Momentum', 'Nesterov', 'ASGD'], adam: ['Adam', 'AdamW', 'NAdam', 'RAdam', 'Adamax'],
  scaled: ['RMSprop', 'Adagrad', 'Adam', 'Rprop'], one: 'one',
};

interface Runner {
  kind: Kind;
  p: Tensor;
  optimizer: Optimizer<{ lr: number }>;
  path: [number, number][];
  last: Record<string, number[] | number> | null;
  /** Why this runner stopped (a non-finite step, or a path far outside the view), or null while it runs. */
  stopped: string | null;
}

/** What one step of `runner` did: gradient, the state buffers after the step, bias corrections, the update. */
export function stepRunner(r: Runner, surface: Surface, step: number): void {
  const before = Array.from(r.p.data);
  r.optimizer.zeroGrad();
  const loss = surface.loss(r.p, step);
  loss.backward();
  const g = Array.from(r.p.grad!.data);
  r.optimizer.step();
  const after = Array.from(r.p.data);
  const info: Record<string, number[] | number> = { loss: loss.item(), g, update: after.map((v, i) => v - before[i]) };
  const state = r.optimizer.state.get(r.p) ?? {};
  for (const [k, v] of Object.entries(state)) {
    if (v instanceof Float32Array) info[k] = Array.from(v);
    else if (typeof v === 'number') info[k] = v;
  }
  Object.assign(info, effectiveStep(r.kind.name, state, r.optimizer.paramGroups[0] as never, g, before));
  r.last = info;
  r.path.push([after[0], after[1]]);
}

export interface OptimizersPanel {
  runSteps(n: number): void;
  runners(): Runner[];
  /** Runs the regimes of the inspected optimizer live; resolves with each run's outcome when they are done. */
  runRegimes(): Promise<string[]>;
}

export function mountOptimizers(root: HTMLElement): OptimizersPanel {
  root.innerHTML = `
    <div class="controls">
      <label>Surface <select id="opt-surface">${SURFACES.map((s, i) => `<option value="${i}">${s.name}</option>`).join('')}</select></label>
      <label>lr scale × <input id="opt-scale" type="number" step="any" min="0" value="1"></label>
      <button id="opt-step1">Step</button><button id="opt-step10">10 steps</button><button id="opt-step100">100 steps</button>
      <button id="opt-reset">Reset</button>
      <label>Inspect <select id="opt-inspect">${KINDS.map((k, i) => `<option value="${i}">${k.name}</option>`).join('')}</select></label>
      <label>Draw <select id="opt-show">
        <option value="all">all twelve</option>
        <option value="sgd">SGD, Momentum, Nesterov, ASGD</option>
        <option value="adam">the Adam family (Adam, AdamW, NAdam, RAdam, Adamax)</option>
        <option value="scaled">per-coordinate scaling (RMSprop, Adagrad, Adam, Rprop)</option>
        <option value="one">only the inspected one</option>
      </select></label>
    </div>
    <p id="opt-note" class="note"></p>
    <div class="row">
      <div><canvas id="opt-canvas" width="520" height="420" aria-label="Contour plot with optimizer paths"></canvas>
        <div class="legend-html" id="opt-legend"></div></div>
      <div class="inspector"><h3 id="opt-inspect-title"></h3><pre id="opt-equations" class="equations"></pre>
        <table id="opt-table" aria-label="The last step's quantities"></table><p class="note" id="opt-step-count"></p></div>
    </div>
    <h3>Learning-rate regimes, live</h3>
    <div class="controls"><button id="opt-regimes-run">Run the inspected optimizer at ×0.1, ×1, ×3 and ×10 its rate</button></div>
    <p class="note">Too low crawls, a good rate converges, a high one oscillates or overshoots, too high diverges: each run below is named by what it did on this surface (f − f* per step; on the saddle, f).</p>
    <div class="row"><div id="opt-regimes-chart"></div><ul id="opt-regimes-outcomes"></ul></div>`;
  const $ = <T extends HTMLElement>(id: string) => root.querySelector<T>(`#${id}`)!;
  const canvas = $<HTMLCanvasElement>('opt-canvas');
  let surface = SURFACES[0];
  let runners: Runner[] = [];
  let steps = 0;
  let background: ImageData | null = null;

  const toPx = (x: number, y: number): [number, number] => [
    ((x - surface.view.x[0]) / (surface.view.x[1] - surface.view.x[0])) * canvas.width,
    canvas.height - ((y - surface.view.y[0]) / (surface.view.y[1] - surface.view.y[0])) * canvas.height,
  ];

  function drawBackground(): void {
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(canvas.width, canvas.height);
    const vals = new Float64Array(canvas.width * canvas.height);
    let lo = Infinity, hi = -Infinity;
    for (let j = 0; j < canvas.height; j++) {
      for (let i = 0; i < canvas.width; i++) {
        const x = surface.view.x[0] + (i / canvas.width) * (surface.view.x[1] - surface.view.x[0]);
        const y = surface.view.y[1] - (j / canvas.height) * (surface.view.y[1] - surface.view.y[0]);
        const v = surface.value(x, y);
        vals[j * canvas.width + i] = v;
        lo = Math.min(lo, v); hi = Math.max(hi, v);
      }
    }
    for (let k = 0; k < vals.length; k++) {
      const t = Math.log1p(vals[k] - lo) / Math.log1p(hi - lo); // log scale shows the valley floors
      const band = Math.floor(t * 24) % 2 === 0 ? 0 : 10; // contour bands
      img.data[4 * k] = 235 - 120 * t - band; img.data[4 * k + 1] = 242 - 90 * t - band; img.data[4 * k + 2] = 255 - 40 * t - band; img.data[4 * k + 3] = 255;
    }
    background = img;
  }

  function draw(): void {
    const ctx = canvas.getContext('2d')!;
    if (background) ctx.putImageData(background, 0, 0);
    if (surface.minimum) {
      const [mx, my] = toPx(...surface.minimum);
      ctx.fillStyle = '#111'; ctx.beginPath(); ctx.arc(mx, my, 4, 0, 2 * Math.PI); ctx.fill();
    }
    const k = Number($<HTMLSelectElement>('opt-inspect').value);
    const show = SHOW[$<HTMLSelectElement>('opt-show').value] ?? null;
    for (const r of runners) {
      if (show === 'one' ? r !== runners[k] : show !== null && !show.includes(r.kind.name)) continue;
      ctx.strokeStyle = r.kind.color; ctx.lineWidth = r === runners[k] ? 2.5 : 1.5; ctx.beginPath();
      r.path.forEach(([x, y], i) => { const [a, b] = toPx(x, y); if (i === 0) ctx.moveTo(a, b); else ctx.lineTo(a, b); });
      ctx.stroke();
    }
    const r = runners[k];
    $('opt-inspect-title').textContent = `${r.kind.name}: the last step`;
    $('opt-equations').textContent = r.kind.equations;
    const rows = r.last === null ? [['(no step yet)', '']] : Object.entries(r.last).map(([name, v]) => [name, Array.isArray(v) ? `[${v.map(fmt).join(', ')}]` : fmt(v)]);
    $('opt-table').innerHTML = '<tr><th scope="col">quantity</th><th scope="col">value</th></tr>' + rows.map(([a, b]) => `<tr><td>${a}</td><td>${b}</td></tr>`).join('');
    $('opt-step-count').textContent = `step ${steps}; θ = [${r.path[r.path.length - 1].map(fmt).join(', ')}], lr = ${fmt(r.optimizer.paramGroups[0].lr)}${r.stopped ? `; stopped: ${r.stopped}` : ''}`;
  }

  function reset(): void {
    surface = SURFACES[Number($<HTMLSelectElement>('opt-surface').value)];
    // the scale the user typed is kept across surfaces; each optimizer's own rate comes from the surface
    const scale = Number($<HTMLInputElement>('opt-scale').value);
    runners = KINDS.map((kind) => {
      const p = tensor(surface.start, { requiresGrad: true });
      return { kind, p, optimizer: kind.make(p, surface.rates[kind.name] * scale), path: [surface.start], last: null, stopped: null };
    });
    steps = 0;
    $('opt-legend').innerHTML = runners.map((r) => `<span><i style="background:${r.kind.color}"></i>${r.kind.name} η = ${fmt(r.optimizer.paramGroups[0].lr)}</span>`).join('');
    $('opt-note').textContent = `${surface.name}: ${surface.note} Each optimizer starts at its own rate for this surface (beside its name: one where it converges readably); the lr scale (now ×${fmt(scale)}) multiplies them all and stays when you switch surfaces.`;
    drawBackground();
    draw();
  }

  function runSteps(n: number): void {
    for (let i = 0; i < n; i++) {
      for (const r of runners) {
        const [x, y] = r.path[r.path.length - 1];
        if (r.stopped !== null) continue;
        if (!(Math.abs(x) < 1e6 && Math.abs(y) < 1e6)) { r.stopped = 'the path left for infinity (the lr is too high here)'; continue; }
        try {
          stepRunner(r, surface, steps);
        } catch (err) {
          r.stopped = (err as Error).message; // lrlab refused a non-finite step: the lr is too high here
        }
      }
      steps++;
    }
    draw();
  }

  let regimeToken = 0;
  /** Steps the four runs a few steps per animation frame, redrawing the chart, so the regimes unfold as they run. */
  function runRegimes(): Promise<string[]> {
    const kind = KINDS[Number($<HTMLSelectElement>('opt-inspect').value)];
    const scale = Number($<HTMLInputElement>('opt-scale').value);
    const here = surface;
    const r = regimes(kind, here, scale);
    const token = ++regimeToken; // a newer run supersedes this one
    const colors = ['#9ca3af', '#059669', '#d97706', '#dc2626'];
    const draw = (done: boolean) => {
      const runs = r.runs();
      const series = runs.map((run, i) => ({
        name: `×${run.multiplier}${done ? `: ${r.outcome(run)}` : ''}`, xs: run.losses.map((_, t) => t + 1), ys: run.losses, color: colors[i],
      }));
      $('opt-regimes-chart').replaceChildren(lineChart(series, {
        title: `${kind.name} on ${here.name}`, xLabel: 'step', yLabel: here.minimum === null ? 'f(θ)' : 'f(θ) − f* (log)', logY: here.minimum !== null, width: 620, height: 300,
      }));
      $('opt-regimes-outcomes').innerHTML = runs.map((run, i) => `<li style="color:${colors[i]}">×${run.multiplier} (η = ${fmt(run.lr)}): ${done ? r.outcome(run) : 'running...'}</li>`).join('');
    };
    return new Promise((resolve) => {
      let steps = 0;
      const frame = () => {
        if (token !== regimeToken) return resolve([]);
        const n = Math.min(10, here.horizon - steps);
        r.advance(n);
        steps += n;
        const done = steps >= here.horizon;
        draw(done);
        if (done) resolve(r.runs().map((run) => r.outcome(run)));
        else requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
  }

  $('opt-regimes-run').addEventListener('click', () => void runRegimes());
  $('opt-surface').addEventListener('change', reset);
  $('opt-scale').addEventListener('change', reset);
  $('opt-show').addEventListener('change', draw);
  $('opt-reset').addEventListener('click', reset);
  $('opt-inspect').addEventListener('change', draw);
  $('opt-step1').addEventListener('click', () => runSteps(1));
  $('opt-step10').addEventListener('click', () => runSteps(10));
  $('opt-step100').addEventListener('click', () => runSteps(100));
  reset();
  return { runSteps, runners: () => runners, runRegimes };
}
