// Panel 2: the schedule lab. Each curve is lrlab's own scheduler stepping a throwaway optimizer (previewSchedule),
// so what is drawn is exactly what training would get; AdaptiveLR is replayed on a recorded loss curve.
import {
  previewSchedule, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR,
  LinearLR, PolynomialLR, ReduceLROnPlateau, WarmupLR, SequentialLR, type LRScheduler, TimeBasedDecayLR, AdaptiveLR, SGD, tensor, type AnyOptimizer,
} from '../../src/index.js';
import { lineChart, type Series } from './plot.js';

interface Spec {
  name: string;
  keras?: string;
  params: Record<string, number>;
  make(o: AnyOptimizer, p: Record<string, number>): { step(...a: number[]): unknown };
}

const SPECS: Spec[] = [
  { name: 'StepLR', keras: 'step decay', params: { stepSize: 30, gamma: 0.1 }, make: (o, p) => new StepLR(o, { stepSize: p.stepSize, gamma: p.gamma }) },
  { name: 'MultiStepLR', keras: 'PiecewiseConstantDecay', params: { first: 40, second: 70, gamma: 0.1 }, make: (o, p) => new MultiStepLR(o, { milestones: [p.first, p.second], gamma: p.gamma }) },
  { name: 'ExponentialLR', keras: 'ExponentialDecay', params: { gamma: 0.97 }, make: (o, p) => new ExponentialLR(o, { gamma: p.gamma }) },
  { name: 'TimeBasedDecayLR', keras: 'InverseTimeDecay', params: { decay: 0.05 }, make: (o, p) => new TimeBasedDecayLR(o, { decay: p.decay }) },
  { name: 'LinearLR', params: { startFactor: 0.25, endFactor: 1, totalIters: 20 }, make: (o, p) => new LinearLR(o, p) },
  { name: 'PolynomialLR', keras: 'PolynomialDecay', params: { totalIters: 80, power: 2 }, make: (o, p) => new PolynomialLR(o, p) },
  { name: 'CosineAnnealingLR', keras: 'CosineDecay', params: { tMax: 100, etaMin: 0.001 }, make: (o, p) => new CosineAnnealingLR(o, { tMax: p.tMax, etaMin: p.etaMin }) },
  { name: 'CosineAnnealingWarmRestarts', keras: 'CosineDecayRestarts', params: { t0: 20, tMult: 2, etaMin: 0 }, make: (o, p) => new CosineAnnealingWarmRestarts(o, { t0: p.t0, tMult: p.tMult, etaMin: p.etaMin }) },
  { name: 'CyclicLR', params: { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 15 }, make: (o, p) => new CyclicLR(o, { baseLr: p.baseLr, maxLr: p.maxLr, stepSizeUp: p.stepSizeUp }) },
  { name: 'OneCycleLR', params: { maxLr: 0.1, totalSteps: 120, pctStart: 0.3 }, make: (o, p) => new OneCycleLR(o, { maxLr: p.maxLr, totalSteps: p.totalSteps, pctStart: p.pctStart }) },
];

/** A recorded loss curve (falling, then flat, then a bump) to replay AdaptiveLR's decisions on. */
export function recordedLosses(n = 120): number[] {
  return Array.from({ length: n }, (_, t) => 0.3 + 2 * Math.exp(-t / 12) + (t > 70 && t < 85 ? 0.15 : 0) + 0.02 * Math.sin(t * 1.7));
}

export function mountSchedules(root: HTMLElement): { render(): void; shown(): number[] } {
  root.innerHTML = `
    <div class="controls">
      <label>Scheduler <select id="sch-kind">${SPECS.map((s, i) => `<option value="${i}">${s.name}${s.keras ? ` (Keras: ${s.keras})` : ''}</option>`).join('')}</select></label>
      <label>Initial lr <input id="sch-lr" type="number" step="any" value="0.1"></label>
      <label>Steps <input id="sch-steps" type="number" value="120" min="2" max="2000"></label>
      <label>Warmup steps <input id="sch-warmup" type="number" value="0" min="0"></label>
      <label>Warmup <select id="sch-warmup-mode">
        <option value="multiply">multiplies the schedule from step 0 (WarmupLR)</option>
        <option value="then">then the schedule starts (SequentialLR)</option>
      </select></label>
    </div>
    <div id="sch-params" class="controls"></div>
    <p id="sch-error" class="error" role="alert"></p>
    <div id="sch-chart"></div>
    <p id="sch-warmup-note" class="note"></p>
    <h3>AdaptiveLR replayed on a recorded loss curve</h3>
    <p class="note">The heuristic raises the lr by ×1.1 after five consistent decreases of the smoothed loss and halves it on a plateau or a rise; each decision below is lrlab's own log.</p>
    <div id="sch-adaptive"></div>
    <ol id="sch-decisions" class="decisions"></ol>`;
  const $ = <T extends HTMLElement>(id: string) => root.querySelector<T>(`#${id}`)!;
  let shown: number[] = [];

  function paramInputs(): void {
    const spec = SPECS[Number($<HTMLSelectElement>('sch-kind').value)];
    $('sch-params').innerHTML = Object.entries(spec.params).map(([k, v]) => `<label>${k} <input data-param="${k}" type="number" step="any" value="${v}"></label>`).join('');
    $('sch-params').querySelectorAll('input').forEach((el) => el.addEventListener('change', render));
  }

  function render(): void {
    const spec = SPECS[Number($<HTMLSelectElement>('sch-kind').value)];
    const p: Record<string, number> = {};
    $('sch-params').querySelectorAll<HTMLInputElement>('input').forEach((el) => { p[el.dataset.param!] = Number(el.value); });
    const steps = Number($<HTMLInputElement>('sch-steps').value), lr = Number($<HTMLInputElement>('sch-lr').value);
    const warmup = Number($<HTMLInputElement>('sch-warmup').value);
    const mode = $<HTMLSelectElement>('sch-warmup-mode').value as 'multiply' | 'then';
    $('sch-error').textContent = '';
    $('sch-warmup-note').textContent = '';
    try {
      const plain = previewSchedule((o) => spec.make(o, p) as never, steps, { lr });
      // WarmupLR is lrlab's "warmup in front of any schedule": lr(t) = w(t) · schedule(t), the schedule counting
      // from step 0 underneath; SequentialLR runs a LinearLR warmup first and starts the schedule at its step 0 after it
      const lrs = warmup <= 0 ? plain : previewSchedule((o) => {
        if (mode === 'multiply') return new WarmupLR(o, { warmupSteps: warmup, after: spec.make(o, p) as never }) as never;
        const ramp = new LinearLR(o, { startFactor: 0.1, endFactor: 1, totalIters: warmup });
        return new SequentialLR(o, [ramp, spec.make(o, p) as unknown as LRScheduler], [warmup]) as never;
      }, steps, { lr });
      const xs = lrs.map((_, i) => i);
      const title = warmup <= 0 ? spec.name
        : mode === 'multiply' ? `${spec.name} × a ${warmup}-step warmup (WarmupLR)` : `A ${warmup}-step warmup, then ${spec.name} (SequentialLR)`;
      const series: Series[] = [{ name: warmup > 0 ? 'with warmup' : spec.name, xs, ys: lrs, color: '#2563eb' }];
      if (warmup > 0) series.push({ name: `${spec.name} alone`, xs, ys: plain, color: '#9ca3af', dashed: true });
      shown = lrs;
      $('sch-chart').replaceChildren(lineChart(series, { title, xLabel: 'step', yLabel: 'learning rate' }));
      if (warmup > 0) {
        $('sch-warmup-note').textContent = mode === 'multiply'
          ? `WarmupLR multiplies: lr(t) = w(t) · ${spec.name}(t), with w rising linearly from 0.1 to 1 over steps 0 to ${warmup}. The schedule runs from step 0 underneath (dashed), so whatever it does during the first ${warmup} steps is scaled down, not postponed${spec.name === 'CosineAnnealingWarmRestarts' && p.t0 <= warmup ? `: here its first cycle (t0 = ${p.t0}) ends inside the warmup, hence the hump` : ''}. To start the schedule after the warmup, choose "then".`
          : `SequentialLR: LinearLR takes the lr from 0.1× to 1× over ${warmup} steps, then ${spec.name} starts from its own step 0 at step ${warmup}.`;
      }
    } catch (err) {
      $('sch-error').textContent = (err as Error).message; // lrlab's own validation message, as a user would see it
      $('sch-chart').replaceChildren();
      shown = [];
    }
    const losses = recordedLosses();
    const opt = new SGD([tensor([0], { requiresGrad: true })], { lr: 0.01 });
    const adaptive = new AdaptiveLR(opt as unknown as AnyOptimizer);
    const adaptiveLrs = losses.map((l) => { adaptive.step(l); return opt.paramGroups[0].lr; });
    const xs = losses.map((_, i) => i);
    const plateau = previewSchedule((o) => new ReduceLROnPlateau(o, { patience: 5 }), losses.length, { lr: 0.01, metrics: losses });
    $('sch-adaptive').replaceChildren(
      lineChart([{ name: 'loss (recorded)', xs, ys: losses, color: '#6b7280' }], { title: 'The recorded loss', xLabel: 'epoch', yLabel: 'loss', width: 400, height: 240 }),
      lineChart([{ name: 'AdaptiveLR', xs, ys: adaptiveLrs, color: '#dc2626' }, { name: 'ReduceLROnPlateau', xs, ys: plateau, color: '#059669', dashed: true }], { title: 'The lr each rule chose', xLabel: 'epoch', yLabel: 'learning rate', logY: true, width: 400, height: 240 }),
    );
    $('sch-decisions').innerHTML = adaptive.decisions.filter((d) => d.action !== 'hold').map((d) => `<li>epoch ${d.step}: <b>${d.action}</b> to ${d.lr[0].toPrecision(3)}: ${d.reason}</li>`).join('');
  }

  $('sch-kind').addEventListener('change', () => { paramInputs(); render(); });
  for (const id of ['sch-lr', 'sch-steps', 'sch-warmup', 'sch-warmup-mode']) $(id).addEventListener('change', render);
  paramInputs();
  render();
  return { render, shown: () => [...shown] };
}
