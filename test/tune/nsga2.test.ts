// NSGA-II and the Pareto machinery under it, against Optuna 3.1 (test/fixtures/nsga2.json, from gen_nsga2.py):
// dominance, non-dominated ranks and fronts, the Pareto front of a study, crowding distances, elite selection,
// constrained domination, and the hypervolume NSGA-II reaches on ZDT1.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStudy, loadStudy, type Trial } from '../../src/index.js';
import type { FrozenTrial, StudyDirection, StudyView } from '../../src/tune/types.js';
import { dominates, nonDominatedFronts, nonDominatedRanks, paretoFront } from '../../src/tune/multi-objective/dominates.js';
import { GENERATION_KEY, NSGAIISampler } from '../../src/tune/samplers/nsga2.js';
import { BLXAlphaCrossover, SBXCrossover, SPXCrossover, UNDXCrossover, UniformCrossover, VSBXCrossover, type Crossover } from '../../src/tune/samplers/nsga2-crossover.js';
import { constrainedDominates, crowdingDistanceSort, crowdingDistances, selectElitePopulation, trialDominates } from '../../src/tune/samplers/nsga2-selection.js';
import { Generator } from '../../src/tensor/random.js';
import { assertClose, fixture } from '../helpers/assert.js';
import { runNsga2 } from '../helpers/moProblems.js';

type Num = number | 'Infinity' | '-Infinity';
interface Fixture {
  ranks: { directions: StudyDirection[]; values: number[][]; ranks: number[]; fronts: number[][] }[];
  crowding: { values: Num[][]; distances: Num[]; sortedOrder: number[] }[];
  elite: { populationSize: number; directions: StudyDirection[]; values: number[][]; constraints: (number[] | null)[] | null; elite: number[] }[];
  constrainedDominates: { directions: StudyDirection[]; cases: { a: Side; b: Side; dominates: boolean }[] };
  paretoFront: { directions: StudyDirection[]; values: number[][]; front: number[] }[];
  problems: Record<string, { reference: number[]; constrained: boolean; hypervolume: Record<string, number[]>; median: Record<string, number> }>;
}
interface Side { values: number[]; constraints: number[] | null }
const fx = fixture<Fixture>('nsga2.json');
const num = (x: Num): number => (x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : x);

function trial(number: number, values: readonly number[] | null, constraints?: readonly number[] | null, state: FrozenTrial['state'] = 'complete'): FrozenTrial {
  return {
    number, trialId: number, state, value: null, values, params: {}, distributions: {}, intermediateValues: new Map(),
    userAttrs: {}, systemAttrs: constraints === undefined || constraints === null ? {} : { constraints }, datetimeStart: null, datetimeComplete: null,
  };
}
const MIN2: StudyDirection[] = ['minimize', 'minimize'];

const dominance = suite("Pareto dominance, ranks and fronts match Optuna's");

dominance('a dominates b when no worse everywhere and better somewhere; equal points dominate neither way', () => {
  assert.ok(dominates([1, 2], [1, 3], MIN2));
  assert.not.ok(dominates([1, 3], [1, 2], MIN2));
  assert.not.ok(dominates([1, 2], [1, 2], MIN2));
  assert.not.ok(dominates([1, 3], [2, 1], MIN2));
  // maximizing the second objective flips its comparison
  assert.ok(dominates([1, 3], [1, 2], ['minimize', 'maximize']));
});

for (const c of fx.ranks) {
  dominance(`${c.values.length} points, directions [${c.directions}]: the same ranks and fronts, members in Optuna's order`, () => {
    assert.equal(nonDominatedRanks(c.values, c.directions), c.ranks);
    assert.equal(nonDominatedFronts(c.values.length, (i, j) => dominates(c.values[i], c.values[j], c.directions)), c.fronts);
  });
}

for (const c of fx.paretoFront) {
  dominance(`paretoFront in ${c.directions.length} objectives keeps duplicates and returns Optuna's trials, by number`, () => {
    const trials = c.values.map((v, i) => trial(i, v));
    assert.equal(paretoFront(trials, c.directions).map((t) => t.number), c.front);
  });
}

dominance('paretoFront leaves out trials that are not complete', () => {
  const trials = [trial(0, [1, 1]), trial(1, null, null, 'fail'), trial(2, [0, 0], null, 'running'), trial(3, [2, 0])];
  // the running trial's values would dominate both: it must not count
  assert.equal(paretoFront(trials, MIN2).map((t) => t.number), [0, 3]);
  assert.equal(paretoFront([], MIN2), []);
});

dominance('mismatched lengths and bad directions are refused with the function named', () => {
  assert.throws(() => dominates([1, 2, 3], [1, 2], MIN2), /dominates: expected a to hold 2 values \(one per direction\), got 3/);
  assert.throws(() => dominates([1, 2], [1, 2], ['minimise' as StudyDirection, 'minimize']), /dominates: expected directions, a non-empty array of 'minimize' \| 'maximize'/);
  assert.throws(() => nonDominatedRanks([[1, 2], [1]], MIN2), /nonDominatedRanks: expected values\[1\] to hold 2 values/);
  assert.throws(() => paretoFront([trial(0, [1, 2, 3])], MIN2), /paretoFront: expected the values of trial 0 to hold 2 values/);
});

dominance.run();

const selection = suite("NSGA-II's selection matches Optuna's");

for (const [k, c] of fx.crowding.entries()) {
  selection(`crowding case ${k}: the distances and the order of the crowding sort (ties included)`, () => {
    const population = c.values.map((v, i) => trial(i, v.map(num)));
    const d = crowdingDistances([...population]);
    assertClose(population.map((t) => d.get(t.number) as number), c.distances.map(num), { rtol: 1e-12, atol: 1e-12 }, 'crowding distance');
    const sorted = [...population];
    crowdingDistanceSort(sorted);
    assert.equal(sorted.map((t) => t.number), c.sortedOrder);
  });
}

for (const c of fx.elite) {
  const label = `${c.values.length} trials into ${c.populationSize}, [${c.directions}]${c.constraints ? ', with constraints' : ''}`;
  selection(`elite population of ${label}: the same trials in the same order`, () => {
    const population = c.values.map((v, i) => trial(i, v, c.constraints?.[i]));
    const dom = c.constraints ? constrainedDominates : trialDominates;
    assert.equal(selectElitePopulation(population, c.populationSize, c.directions, dom).map((t) => t.number), c.elite);
  });
}

selection(`constrained domination decides ${fx.constrainedDominates.cases.length} pairs as Optuna (constraints missing, feasible, infeasible)`, () => {
  const dirs = fx.constrainedDominates.directions;
  for (const [i, c] of fx.constrainedDominates.cases.entries()) {
    const got = constrainedDominates(trial(0, c.a.values, c.a.constraints), trial(1, c.b.values, c.b.constraints), dirs);
    assert.is(got, c.dominates, `case ${i}: ${JSON.stringify(c)}`);
  }
});

selection('constrained domination refuses trials with different numbers of constraints', () => {
  assert.throws(() => constrainedDominates(trial(0, [1, 1], [0]), trial(1, [1, 1], [0, 1]), MIN2), /constrainedDominates: expected the same number of constraints on trials 0 and 1, got 1 and 2/);
});

selection.run();

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const quality = suite("NSGA-II on ZDT1 against Optuna 3.1's");

quality('the median hypervolume over 5 seeds after 100 and 300 trials is within 1% of Optuna\'s median over 20 seeds, or above it', async () => {
  const ref = fx.problems.zdt1;
  const hv: Record<string, number[]> = { 100: [], 300: [] };
  for (let seed = 0; seed < 5; seed++) {
    const run = await runNsga2('zdt1', seed, 300, [100, 300], ref.reference);
    hv[100].push(run.hypervolume[0]);
    hv[300].push(run.hypervolume[1]);
  }
  for (const n of ['100', '300']) {
    // 1%: Optuna's own 20 seeds have their quartiles about 1.2% either side of its median at 300 trials (see the
    // fixture), so the median of 5 lrlab seeds can fall that far below by chance; random search reaches about 8.7
    // after 300 trials (3% below Optuna's 8.99)
    const ours = median(hv[n]);
    assert.ok(ours >= 0.99 * ref.median[n], `after ${n} trials: lrlab median ${ours} (${hv[n].map((v) => v.toFixed(3))}), Optuna ${ref.median[n]}`);
  }
  // and the search does something: the 300-trial front beats what the first (random) generation had
  assert.ok(median(hv['300']) > median(hv['100']));
});

quality.run();

const behaviour = suite("NSGAIISampler follows Optuna's rules");

const small = (t: Trial) => {
  const x = t.suggestFloat('x', 0, 1);
  const y = t.suggestFloat('y', 1e-3, 10, { log: true });
  const n = t.suggestInt('n', -3, 7, { step: 2 });
  const k = t.suggestInt('k', 1, 64, { log: true });
  const z = t.suggestFloat('z', 0, 1, { step: 0.125 });
  const c = t.suggestCategorical('c', ['a', 'b', 'c']);
  return [x + n + (c === 'a' ? 0 : 1), (1 - x) + Math.log(y) ** 2 + k * z];
};

function inside(t: FrozenTrial): string | null {
  const p = t.params as Record<string, number | string>;
  const bad = (name: string, ok: boolean) => (ok ? null : `${name} = ${p[name]} on trial ${t.number}`);
  return bad('x', (p.x as number) >= 0 && (p.x as number) <= 1)
    ?? bad('y', (p.y as number) >= 1e-3 && (p.y as number) <= 10)
    ?? bad('n', Number.isInteger(p.n) && (p.n as number) >= -3 && (p.n as number) <= 7 && ((p.n as number) + 3) % 2 === 0)
    ?? bad('k', Number.isInteger(p.k) && (p.k as number) >= 1 && (p.k as number) <= 64)
    ?? bad('z', Number.isInteger((p.z as number) * 8) && (p.z as number) >= 0 && (p.z as number) <= 1)
    ?? bad('c', ['a', 'b', 'c'].includes(p.c as string));
}

behaviour('each trial carries its generation in nsga2:generation: populationSize trials per generation', async () => {
  const study = await createStudy({ directions: MIN2, sampler: new NSGAIISampler({ seed: 3, populationSize: 4 }) });
  await study.optimize(small, { nTrials: 10 });
  assert.equal(study.trials.map((t) => t.systemAttrs[GENERATION_KEY]), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
});

behaviour('the same seed gives the same trials; another seed gives others', async () => {
  const run = async (seed: number) => {
    const study = await createStudy({ directions: MIN2, sampler: new NSGAIISampler({ seed, populationSize: 5 }) });
    await study.optimize(small, { nTrials: 20 });
    return study.trials.map((t) => t.params);
  };
  const a = await run(7);
  assert.equal(await run(7), a);
  assert.not.equal(await run(8), a);
});

behaviour('without mutation, a child takes every parameter from a trial of its parents\' generation', async () => {
  const study = await createStudy({ directions: MIN2, sampler: new NSGAIISampler({ seed: 1, populationSize: 6, mutationProb: 0, crossoverProb: 1 }) });
  await study.optimize(small, { nTrials: 12 });
  const [gen0, gen1] = [study.trials.slice(0, 6), study.trials.slice(6)];
  for (const t of gen1) {
    for (const name of Object.keys(t.params)) {
      assert.ok(gen0.some((p) => p.params[name] === t.params[name]), `trial ${t.number}: ${name} = ${t.params[name]} is no parent's`);
    }
  }
});

behaviour('the joint search space: parameters every complete trial has with one distribution, one-value ones left out', () => {
  const f = (low: number, high: number) => ({ type: 'float', low, high, log: false, step: null }) as const;
  const withDists = (n: number, distributions: FrozenTrial['distributions'], state: FrozenTrial['state'] = 'complete') => ({ ...trial(n, [0, 0], null, state), distributions });
  const trials: FrozenTrial[] = [withDists(0, { a: f(0, 1), b: f(0, 1), c: f(0, 1), d: f(2, 2) })];
  const study: StudyView = { ...view(MIN2), getTrials: (o) => trials.filter((t) => !o?.states || o.states.includes(t.state)) };
  const sampler = new NSGAIISampler({ seed: 0 });
  assert.equal(Object.keys(sampler.inferRelativeSearchSpace(study)), ['a', 'b', 'c']);
  // b missing from a later trial, c with another range: both leave; a running trial without a does not count
  trials.push(withDists(1, { a: f(0, 1), c: f(0, 2), d: f(2, 2) }), withDists(2, {}, 'running'));
  assert.equal(Object.keys(sampler.inferRelativeSearchSpace(study)), ['a']);
  // another study starts afresh
  assert.equal(Object.keys(sampler.inferRelativeSearchSpace({ ...study, studyName: 'other', getTrials: () => [] })), []);
});

const crossovers: [string, () => Crossover][] = [
  ['UniformCrossover', () => new UniformCrossover()], ['BLXAlphaCrossover', () => new BLXAlphaCrossover()],
  ['SBXCrossover', () => new SBXCrossover()], ['VSBXCrossover', () => new VSBXCrossover()],
  ['SPXCrossover', () => new SPXCrossover()], ['UNDXCrossover', () => new UNDXCrossover()],
];
for (const [name, make] of crossovers) {
  behaviour(`with ${name}, every parameter (float, log, stepped, int, log int, categorical) stays in its distribution`, async () => {
    const study = await createStudy({ directions: MIN2, sampler: new NSGAIISampler({ seed: 2, populationSize: 6, crossover: make() }) });
    await study.optimize(small, { nTrials: 30 });
    assert.is(study.trials.filter((t) => t.state === 'complete').length, 30);
    for (const t of study.trials) assert.is(inside(t), null);
  });
}

const view = (directions: StudyDirection[]): StudyView => ({ studyName: 's', direction: directions[0], directions, getTrials: () => [], stop: () => {} });

behaviour('SBX keeps a child inside the bounds; BLX-alpha inside the widened interval of its parents', () => {
  const rng = new Generator(5);
  const bounds: [number, number][] = [[0, 1], [-2, 2], [10, 20]];
  const parents = [[0.1, -1.9, 19.5], [0.2, 1.5, 10.5]];
  for (let i = 0; i < 200; i++) {
    const c = new SBXCrossover().crossover(parents, rng, view(MIN2), bounds);
    c.forEach((v, k) => assert.ok(v >= bounds[k][0] && v <= bounds[k][1], `SBX gene ${k} = ${v}`));
    const b = new BLXAlphaCrossover({ alpha: 0.5 }).crossover(parents, rng, view(MIN2), bounds);
    b.forEach((v, k) => {
      const lo = Math.min(parents[0][k], parents[1][k]);
      const hi = Math.max(parents[0][k], parents[1][k]);
      assert.ok(v >= lo - 0.5 * (hi - lo) && v <= hi + 0.5 * (hi - lo), `BLX gene ${k} = ${v}`);
    });
  }
});

behaviour('uniform crossover takes the first parent\'s gene with probability swappingProb (Optuna: mask = u >= p picks the second)', () => {
  const rng = new Generator(0);
  const parents = [[1, 2, 3], [4, 5, 6]];
  const bounds: [number, number][] = [[0, 9], [0, 9], [0, 9]];
  assert.equal(new UniformCrossover({ swappingProb: 0 }).crossover(parents, rng, view(MIN2), bounds), [4, 5, 6]);
  assert.equal(new UniformCrossover({ swappingProb: 1 }).crossover(parents, rng, view(MIN2), bounds), [1, 2, 3]);
});

behaviour('SPX and UNDX children of three equal parents are that parent; UNDX of one parameter stays on the line', () => {
  const rng = new Generator(1);
  const same = [[0.3, 0.7], [0.3, 0.7], [0.3, 0.7]];
  const bounds: [number, number][] = [[0, 1], [0, 1]];
  assertClose(new SPXCrossover().crossover(same, rng, view(MIN2), bounds), [0.3, 0.7], { atol: 1e-12 });
  assertClose(new UNDXCrossover().crossover(same, rng, view(MIN2), bounds), [0.3, 0.7], { atol: 1e-12 });
  assert.is(new UNDXCrossover().crossover([[0.2], [0.4], [0.9]], rng, view(MIN2), [[0, 1]]).length, 1);
});

behaviour('a constraintsFunc\'s values are stored as the system attribute constraints; feasible trials win selection', async () => {
  const calls: string[] = [];
  const study = await createStudy({
    directions: MIN2,
    sampler: new NSGAIISampler({
      seed: 4, populationSize: 8,
      constraintsFunc: (t) => {
        calls.push(t.state);
        return [t.userAttrs.c as number];
      },
    }),
  });
  await study.optimize((t) => {
    const x = t.suggestFloat('x', 0, 1);
    const y = t.suggestFloat('y', 0, 1);
    t.setUserAttr('c', 0.5 - x); // feasible when x >= 0.5
    if (y > 0.97) throw new Error('a failed trial: no constraints');
    return [x, 1 - x + y];
  }, { nTrials: 48, catch: [Error] });
  const complete = study.trials.filter((t) => t.state === 'complete');
  for (const t of complete) assert.equal(t.systemAttrs.constraints, [t.userAttrs.c]);
  for (const t of study.trials.filter((t) => t.state === 'fail')) assert.is(t.systemAttrs.constraints, undefined);
  assert.is(calls.length, complete.length);
  // the last generation is bred from feasible parents only, so most of its children are feasible
  const last = study.trials.slice(40);
  const feasible = last.filter((t) => (t.userAttrs.c as number) <= 0).length;
  const first = study.trials.slice(0, 8).filter((t) => (t.userAttrs.c as number) <= 0).length;
  assert.ok(feasible > first, `feasible in the first generation ${first}, in the last ${feasible}`);
});

behaviour('a constraintsFunc returning NaN or a non-array fails with the trial named, and nothing is stored as constraints', async () => {
  for (const [ret, re] of [[[NaN], /NSGAIISampler: expected constraint values that are not NaN, got \["NaN"\] for trial 0/], [0.5, /NSGAIISampler: expected constraintsFunc to return an array of numbers, got 0.5 for trial 0/]] as const) {
    const study = await createStudy({ directions: MIN2, sampler: new NSGAIISampler({ seed: 0, constraintsFunc: () => ret as unknown as number[] }) });
    const t = await study.ask();
    t.suggestFloat('x', 0, 1);
    const error = await study.tell(t, [1, 2]).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof Error && re.test(error.message), `got ${String(error)}`);
    assert.is(study.trials[0].systemAttrs.constraints, null);
  }
});

behaviour.run();

const options = suite('NSGAIISampler and crossover options are checked');

options('defaults are Optuna\'s', () => {
  const s = new NSGAIISampler();
  assert.equal([s.populationSize, s.mutationProb, s.crossoverProb, s.swappingProb], [50, null, 0.9, 0.5]);
  assert.ok(s.crossover instanceof UniformCrossover);
  assert.is((s.crossover as UniformCrossover).swappingProb, 0.5);
  assert.is((new NSGAIISampler({ swappingProb: 0.25 }).crossover as UniformCrossover).swappingProb, 0.25);
  assert.is(new NSGAIISampler({ mutationProb: null }).mutationProb, null);
});

options('a population under 2, not an integer, or NaN is refused', () => {
  assert.throws(() => new NSGAIISampler({ populationSize: 1 }), /NSGAIISampler: expected populationSize >= 2, got 1/);
  assert.throws(() => new NSGAIISampler({ populationSize: 2.5 }), /NSGAIISampler: expected populationSize to be a positive integer, got 2.5/);
  assert.throws(() => new NSGAIISampler({ populationSize: NaN }), /NSGAIISampler: expected populationSize to be a positive integer, got NaN/);
});

options('probabilities outside [0, 1], NaN and Infinity are refused, each named', () => {
  assert.throws(() => new NSGAIISampler({ mutationProb: 1.5 }), /NSGAIISampler: expected mutationProb in \[0, 1\], got 1.5/);
  assert.throws(() => new NSGAIISampler({ crossoverProb: -0.1 }), /NSGAIISampler: expected crossoverProb to be a finite number >= 0, got -0.1/);
  assert.throws(() => new NSGAIISampler({ swappingProb: NaN }), /NSGAIISampler: expected swappingProb to be a finite number >= 0, got NaN/);
  assert.throws(() => new NSGAIISampler({ crossoverProb: Infinity }), /NSGAIISampler: expected crossoverProb to be a finite number >= 0, got Infinity/);
  assert.throws(() => new NSGAIISampler({ swappingProb: 2 }), /NSGAIISampler: expected swappingProb in \[0, 1\], got 2/);
});

options('unknown option names and wrong kinds are refused', () => {
  assert.throws(() => new NSGAIISampler({ population_size: 10 } as never), /NSGAIISampler: expected options among populationSize, .* got unknown option 'population_size'/);
  assert.throws(() => new NSGAIISampler({ constraintsFunc: 3 } as never), /NSGAIISampler: expected constraintsFunc to be a function, got 3/);
  assert.throws(() => new NSGAIISampler({ crossover: { nParents: 2 } } as never), /NSGAIISampler: expected crossover to be a Crossover/);
  assert.throws(() => new NSGAIISampler('fast' as never), /NSGAIISampler: expected an options object, got "fast"/);
});

options('a crossover needing more parents than the population is refused', () => {
  assert.throws(() => new NSGAIISampler({ populationSize: 2, crossover: new SPXCrossover() }), /NSGAIISampler: expected populationSize >= 3 \(the parents SPXCrossover takes\), got 2/);
  assert.throws(() => new NSGAIISampler({ populationSize: 2, crossover: new UNDXCrossover() }), /populationSize >= 3/);
  assert.ok(new NSGAIISampler({ populationSize: 2, crossover: new SBXCrossover() }));
});

options('crossover options: out of range, NaN and unknown names are refused', () => {
  assert.throws(() => new UniformCrossover({ swappingProb: 1.5 }), /UniformCrossover: expected swappingProb in \[0, 1\], got 1.5/);
  assert.throws(() => new SBXCrossover({ eta: -1 }), /SBXCrossover: expected eta to be a finite number >= 0, got -1/);
  assert.throws(() => new VSBXCrossover({ eta: NaN }), /VSBXCrossover: expected eta to be a finite number >= 0, got NaN/);
  assert.throws(() => new BLXAlphaCrossover({ beta: 1 } as never), /BLXAlphaCrossover: expected options among alpha, got unknown option 'beta'/);
  assert.throws(() => new UNDXCrossover({ sigmaXi: -0.5 }), /UNDXCrossover: expected sigmaXi to be a finite number >= 0, got -0.5/);
  assert.throws(() => new SPXCrossover({ epsilon: Infinity }), /SPXCrossover: expected epsilon to be a finite number >= 0, got Infinity/);
});

options.run();

const shared = suite('a study NSGA-II shares with Optuna 3.1 (SQLite, Optuna\'s schema)');

// Python's side: load the study with Optuna's NSGAIISampler (same population, a constraints_func), run 5 trials,
// print every trial's generation and constraints as Optuna reads them
const PY = `
import json, sys, warnings
warnings.filterwarnings("ignore")
import optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
url, name = sys.argv[1], sys.argv[2]
sampler = optuna.samplers.NSGAIISampler(population_size=6, seed=0, constraints_func=lambda t: t.user_attrs["c"])
study = optuna.load_study(study_name=name, storage=url, sampler=sampler)
def objective(t):
    x = t.suggest_float("x", 0, 1)
    k = t.suggest_categorical("k", ["a", "b"])
    t.set_user_attr("c", [0.3 - x])
    return x, (1.0 if k == "a" else 0.5) - x * x
study.optimize(objective, n_trials=5)
print(json.dumps([[t.system_attrs.get("nsga2:generation"), t.system_attrs.get("constraints")] for t in study.trials]))
`;
const probe = spawnSync('/usr/bin/python3', ['-c', 'import optuna; assert optuna.__version__.startswith("3.1"), optuna.__version__'], { encoding: 'utf8' });
const noOptuna = probe.error ? `/usr/bin/python3 could not run (${probe.error.message})`
  : probe.status !== 0 ? `Optuna 3.1 is not importable by /usr/bin/python3 (${(probe.stderr || '').trim().split('\n').pop()})` : null;

if (noOptuna !== null) {
  shared(`skipped: ${noOptuna}`, () => {
    console.log(`  skipped: NSGA-II study shared with Optuna (${noOptuna})`);
    assert.ok(true);
  });
} else {
  shared('Optuna reads lrlab\'s generations and constraints and goes on from them; lrlab reads Optuna\'s and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrlab-nsga2-'));
    try {
      const storage = `sqlite:///${join(dir, 'mo.db')}`;
      const sampler = () => new NSGAIISampler({ seed: 0, populationSize: 6, constraintsFunc: (t) => t.userAttrs.c as number[] });
      const objective = (t: Trial) => {
        const x = t.suggestFloat('x', 0, 1);
        const k = t.suggestCategorical('k', ['a', 'b']);
        t.setUserAttr('c', [0.3 - x]);
        return [x, (k === 'a' ? 1 : 0.5) - x * x];
      };
      const study = await createStudy({ studyName: 'mo', storage, directions: ['minimize', 'maximize'], sampler: sampler() });
      await study.optimize(objective, { nTrials: 15 });
      const py = spawnSync('/usr/bin/python3', ['-c', PY, storage, 'mo'], { encoding: 'utf8' });
      assert.is(py.status, 0, py.stderr);
      const seen = JSON.parse(py.stdout) as [number, number[]][];
      // generations 0 and 1 full, 2 with 3 trials: Optuna fills generation 2 (trials 15-17) and starts 3 (18, 19)
      assert.equal(seen.map(([g]) => g), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3]);
      study.trials.forEach((t, i) => assert.equal(seen[i][1], t.systemAttrs.constraints, `trial ${i}'s constraints as Optuna reads them`));
      const again = await loadStudy({ studyName: 'mo', storage, sampler: sampler() });
      await again.optimize(objective, { nTrials: 5 });
      const trials = again.trials;
      for (let i = 15; i < 20; i++) assert.equal(trials[i].systemAttrs.constraints, [trials[i].userAttrs.c as number[]].flat(), `Optuna's trial ${i}`);
      // lrlab fills generation 3 (4 more trials) and starts 4
      assert.equal(trials.slice(20).map((t) => t.systemAttrs[GENERATION_KEY]), [3, 3, 3, 3, 4]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

shared.run();
