// Stochastic weight averaging against torch.optim.swa_utils (test/fixtures/swa.json, from generate_swa.py).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AveragedModel, SWALR, updateBn, emaAvgFn, SGD, StepLR, Sequential, Linear, BatchNorm1d, ReLU, tensor, Tensor, type StateDict,
} from '../../src/index.js';
import { assertClose, fixture, type TensorJSONFixture } from '../helpers/assert.js';

type State = Record<string, TensorJSONFixture>;
interface Fixture {
  swalr: { kwargs: Record<string, any>; before: { stepSize: number; gamma: number; steps: number } | null; lrs: number[][] }[];
  averaged: { name: string; useBuffers: boolean; ema: number | null; initial: State; steps: { model: State; averaged: State }[] }[];
  updateBn: { initial: State; batches: TensorJSONFixture[]; after: State; training: boolean; momentum: number };
}
const data = fixture<Fixture>('swa.json');

// the scheduler tests' optimizer: two groups, lr 0.1 and 0.05, as generate_swa.py builds it
const makeOptimizer = (_kind: 'SGD') => new SGD([{ params: [tensor([0, 0], { requiresGrad: true })] }, { params: [tensor([0], { requiresGrad: true })], lr: 0.05 }], { lr: 0.1, momentum: 0.9 });

const toState = (s: State): StateDict => Object.fromEntries(Object.entries(s).map(([k, t]) => [k, tensor(t.data, { shape: t.shape })]));
const net = () => new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Linear(4, 2));

function assertState(actual: StateDict, expected: State, label: string): void {
  assert.equal(Object.keys(actual), Object.keys(expected), `${label}: state-dict keys`);
  for (const [k, t] of Object.entries(expected)) assertClose(actual[k], t.data, {}, `${label} ${k}`);
}

const swalr = suite('SWALR: getLastLr() after construction and every step equals torch 1.13');
for (const c of data.swalr) {
  swalr(`${JSON.stringify(c.kwargs)}${c.before ? ` after StepLR ${JSON.stringify(c.before)}` : ''}`, () => {
    const opt = makeOptimizer('SGD');
    if (c.before) {
      const pre = new StepLR(opt, { stepSize: c.before.stepSize, gamma: c.before.gamma });
      for (let i = 0; i < c.before.steps; i++) pre.step();
    }
    const sched = new SWALR(opt, c.kwargs as any);
    const lrs = [sched.getLastLr()];
    for (let i = 1; i < c.lrs.length; i++) {
      sched.step();
      lrs.push(sched.getLastLr());
    }
    assertClose(lrs.flat(), c.lrs.flat(), { atol: 1e-12, rtol: 1e-12 }, 'lrs');
  });
}

swalr('cos from 0.1 to 0.01 over 3 steps, by hand: α = (1 - cos(π t)) / 2 at t = 1/3, 2/3, 1 gives 0.25, 0.75, 1', () => {
  const opt = new SGD([tensor([0], { requiresGrad: true })], { lr: 0.1 });
  const sched = new SWALR(opt, { swaLr: 0.01, annealEpochs: 3 });
  const lrs = [sched.getLastLr()[0]];
  for (let i = 0; i < 4; i++) (sched.step(), lrs.push(sched.getLastLr()[0]));
  // 0.01·0.25 + 0.1·0.75 = 0.0775; 0.01·0.75 + 0.1·0.25 = 0.0325; then 0.01 held
  assertClose(lrs, [0.1, 0.0775, 0.0325, 0.01, 0.01], { atol: 1e-15 });
});

swalr('a state-dict round trip continues the same sequence; bad options are refused and change nothing', () => {
  const a = new SWALR(makeOptimizer('SGD'), { swaLr: 0.02, annealEpochs: 5, annealStrategy: 'linear' });
  a.step(), a.step();
  const optB = makeOptimizer('SGD');
  const b = new SWALR(optB, { swaLr: 0.02, annealEpochs: 5, annealStrategy: 'linear' });
  b.loadStateDict(a.stateDict());
  a.optimizer.paramGroups.forEach((g, i) => (optB.paramGroups[i].lr = g.lr));
  for (let i = 0; i < 4; i++) (a.step(), b.step(), assert.equal(b.getLastLr(), a.getLastLr()));
  const opt = makeOptimizer('SGD');
  assert.throws(() => new SWALR(opt, { swaLr: 0.1, annealStrategy: 'exp' as any }), /SWALR: annealStrategy must be 'cos' or 'linear', got "exp"/);
  assert.throws(() => new SWALR(opt, { swaLr: 0.1, annealEpochs: 1.5 }), /annealEpochs must be an integer >= 0, got 1.5/);
  assert.throws(() => new SWALR(opt, { swaLr: [0.1] }), /expected 2 values for swaLr/);
  assert.throws(() => new SWALR(opt, {} as any), /swaLr must be given/);
  assert.is(opt.paramGroups[0].initialLr, undefined);
  assert.is(opt.paramGroups[0].lr, 0.1);
});
swalr.run();

const averaged = suite('AveragedModel: the state dict after each updateParameters equals torch 1.13');
for (const c of data.averaged) {
  averaged(`${c.name}: n_averaged and module.* after ${c.steps.length} updates`, () => {
    const model = net();
    model.loadStateDict(toState(c.initial));
    const swa = new AveragedModel(model, { useBuffers: c.useBuffers, avgFn: c.ema === null ? undefined : emaAvgFn(c.ema) });
    for (const [i, step] of c.steps.entries()) {
      model.loadStateDict(toState(step.model));
      swa.updateParameters(model);
      assertState(swa.stateDict(), step.averaged, `update ${i + 1}`);
    }
  });
}

averaged('the average of three models, by hand: 1, then 1 + (4 - 1) / 2 = 2.5, then 2.5 + (7 - 2.5) / 3 = 4', () => {
  const model = new Linear(1, 1, { bias: false });
  const swa = new AveragedModel(model);
  for (const w of [1, 4, 7]) (model.weight.data[0] = w, swa.updateParameters(model));
  assert.is(swa.module.weight.data[0], 4);
  assert.is(swa.stateDict().n_averaged.data[0], 3);
  assert.is(model.weight.data[0], 7, 'the model is left alone');
});

averaged('the copy is deep (its own tensors, same classes, same keys) and forward runs it; copy: builds it instead', () => {
  const model = net();
  const swa = new AveragedModel(model);
  assert.ok(swa.module instanceof Sequential && swa.module.layers[1] instanceof BatchNorm1d);
  assert.ok(swa.module.layers[0] === swa.module.namedChildren()[0][1], 'fields and registries hold the same copies');
  assert.equal(Object.keys(swa.module.stateDict()), Object.keys(model.stateDict()));
  assert.ok(swa.module.parameters().every((p, i) => p !== model.parameters()[i] && p.requiresGrad));
  assertState(swa.module.stateDict(), Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, { shape: [...t.shape], data: [...t.data] }])), 'copy');
  model.eval(), swa.eval();
  const x = tensor([[1, 2, 3], [0, -1, 2]]);
  assert.equal([...swa.call(x).data], [...model.call(x).data]);
  model.parameters()[0].data[0] += 1;
  assert.not.equal([...swa.call(x).data], [...model.call(x).data], 'training the model does not move the copy');
  const built = new AveragedModel(model, { copy: net });
  assertClose(built.module.parameters()[0], model.parameters()[0], { atol: 0 }, 'copy: gets the model values');
  assert.throws(() => new AveragedModel(model, { copy: (m) => m }), /expected copy to return a new Module, got the model itself/);
  assert.throws(() => new AveragedModel({} as any), /AveragedModel: expected a Module/);
  assert.throws(() => swa.updateParameters(new Linear(3, 4) as any), /expected a model of the averaged one's shapes/);
});
averaged('a state-dict round trip continues the average identically (n_averaged travels with it)', () => {
  const model = net();
  const a = new AveragedModel(model, { useBuffers: true });
  const states = data.averaged[1].steps.map((st) => toState(st.model));
  model.loadStateDict(states[0]), a.updateParameters(model);
  model.loadStateDict(states[1]), a.updateParameters(model);
  const b = new AveragedModel(net(), { useBuffers: true });
  b.loadStateDict(a.stateDict());
  for (const st of states.slice(2)) {
    model.loadStateDict(st);
    a.updateParameters(model), b.updateParameters(model);
    const sa = a.stateDict(), sb = b.stateDict();
    for (const k of Object.keys(sa)) assert.equal([...sb[k].data], [...sa[k].data], k);
  }
  assert.is(b.stateDict().n_averaged.data[0], 4);
});
averaged.run();

const bn = suite('updateBn: running statistics recomputed over a loader, as torch.optim.swa_utils.update_bn');
bn('the buffers after one pass over three batches equal torch\'s; mode and momentum restored', () => {
  const c = data.updateBn;
  const model = net();
  model.loadStateDict(toState(c.initial));
  model.eval();
  const batches = c.batches.map((b) => [tensor(b.data, { shape: b.shape }), tensor([0])] as [Tensor, Tensor]);
  updateBn(batches, model);
  assertState(model.stateDict(), c.after, 'after');
  assert.is(model.training, c.training);
  assert.is((model.layers[1] as BatchNorm1d).momentum, c.momentum);
  assert.not.throws(() => updateBn([tensor([[1]])], new Linear(1, 1)), 'no BatchNorm: nothing to do');
  assert.throws(() => updateBn([42 as any], model), /updateBn: expected each batch to be a Tensor/);
  assert.is((model.layers[1] as BatchNorm1d).momentum, 0.1, 'momentum restored after an error');
});
bn.run();
