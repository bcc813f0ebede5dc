// Warm starts (issue 21): the distribution classes, createTrial, study.addTrial / addTrials, a TPE study that starts
// from known results, and copyStudy between storages (memory, SQLite, PostgreSQL when a test cluster can run).
// Optuna 3.1's behaviour comes from test/fixtures/warm-start.json (gen_warm_start.py).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CategoricalDistribution, FloatDistribution, IntDistribution, InMemoryStorage, TPESampler, DuplicatedStudyError,
  categoricalDistribution, copyStudy, createStudy, createTrial, floatDistribution, intDistribution, loadStudy,
  sameDistribution, type CreateTrialOptions, type FrozenTrial, type Storage,
} from '../../src/index.js';
import { toDistribution } from '../../src/tune/distributions.js';
import { toStoredJson } from '../../src/tune/storage/json.js';
import { PostgresStorage } from '../../src/tune/storage/postgres.js';
import { freshPostgresDatabase } from '../helpers/postgres.js';
import { rejects } from './helpers.js';

interface CreateCase {
  name: string;
  options: CreateTrialOptions & { intermediateValues?: Record<string, number> };
  optuna: { accepted: true; state: string; value: number | null; params: Record<string, unknown>; hasStart: boolean; hasComplete: boolean; completeEqualsStart: boolean } | { accepted: false; error: string };
}
interface FixtureTrial {
  number: number; state: string; value: number | null; params: Record<string, unknown>;
  intermediateValues: Record<string, number>; userAttrs: Record<string, unknown>; systemAttrs: Record<string, unknown>;
  hasStart: boolean; hasComplete: boolean;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/warm-start.json', import.meta.url), 'utf8')) as {
  createTrial: CreateCase[];
  copyStudy: { direction: string; userAttrs: Record<string, unknown>; source: FixtureTrial[]; copy: FixtureTrial[]; kept: Record<string, boolean>; copyToTakenName: string };
  tpe: { warm: number[]; runs: { seed: number; x: number[] }[] };
};

const dir = mkdtempSync(join(tmpdir(), 'lrlab-warm-'));
let files = 0;
const sqliteUrl = () => `sqlite:///${join(dir, `w${++files}.db`)}`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---------------------------------------------------------------------------------------------------------------
const classes = suite('distribution classes: the plain data of floatDistribution() and friends, checked alike');

classes('an instance has the fields, in order, of the plain object, and stores as the same JSON', () => {
  const pairs: [object, object][] = [
    [new FloatDistribution(1e-4, 1e-1, { log: true }), floatDistribution('lr', 1e-4, 1e-1, { log: true })],
    [new FloatDistribution(0, 1, { step: 0.25 }), floatDistribution('d', 0, 1, { step: 0.25 })],
    [new FloatDistribution(-1, 1), floatDistribution('x', -1, 1)],
    [new IntDistribution(8, 64, { step: 8 }), intDistribution('units', 8, 64, { step: 8 })],
    [new IntDistribution(1, 256, { log: true }), intDistribution('n', 1, 256, { log: true })],
    [new CategoricalDistribution(['adam', 'sgd', null]), categoricalDistribution('opt', ['adam', 'sgd', null])],
  ];
  for (const [instance, plain] of pairs) {
    assert.is(JSON.stringify(instance), JSON.stringify(plain));
    assert.is(toStoredJson(instance), toStoredJson(plain));
    assert.ok(sameDistribution(instance as never, plain as never));
    assert.equal({ ...instance }, plain); // a spread copy is the plain object itself
  }
  const f = new IntDistribution(0, 10);
  assert.is(f.step, 1);
  assert.is(f.log, false);
});

classes('bad arguments are the errors suggest* gives, naming the class', () => {
  assert.throws(() => new FloatDistribution(1, 0), /^FloatDistribution: expected low <= high, got low 1 > high 0$/);
  assert.throws(() => new FloatDistribution(0, 1, { log: true }), /FloatDistribution: expected low > 0 with log, got low 0/);
  assert.throws(() => new FloatDistribution(1e-3, 1, { log: true, step: 0.1 }), /FloatDistribution: expected step or log, not both/);
  assert.throws(() => new FloatDistribution(0, 1, { step: 0.3 }), /FloatDistribution: expected a step that divides high - low = 1, got step 0.3/);
  assert.throws(() => new FloatDistribution(0, Infinity), /FloatDistribution: expected a finite high, got Infinity/);
  assert.throws(() => new IntDistribution(0.5, 4), (e: Error) => e instanceof TypeError && /IntDistribution: expected integer bounds, got low 0.5, high 4/.test(e.message));
  assert.throws(() => new IntDistribution(0, 9, { step: 2 }), /IntDistribution: expected a step that divides high - low = 9, got step 2/);
  assert.throws(() => new IntDistribution(1, 9, { bins: 3 } as never), /IntDistribution: expected options log and step, got an unknown option 'bins'/);
  assert.throws(() => new CategoricalDistribution([]), /CategoricalDistribution: expected at least one choice, got an empty list/);
  assert.throws(() => new CategoricalDistribution(['a', 'a']), /CategoricalDistribution: expected distinct choices, got "a" twice/);
  assert.throws(() => new CategoricalDistribution('adam' as never), /CategoricalDistribution: expected an array of choices, got "adam"/);
});

classes('toDistribution checks plain data as the constructors do and returns plain data', () => {
  const d = toDistribution('createTrial(\'x\')', new FloatDistribution(0, 2));
  assert.equal(d, { type: 'float', low: 0, high: 2, log: false, step: null });
  assert.is(Object.getPrototypeOf(d), Object.prototype);
  assert.throws(() => toDistribution("createTrial('x')", { type: 'float', low: 2, high: 0, log: false, step: null }), /createTrial\('x'\): expected low <= high, got low 2 > high 0/);
  assert.throws(() => toDistribution("createTrial('x')", { type: 'uniform', low: 0, high: 1 }), /createTrial\('x'\): expected the distribution to be a float, int or categorical distribution/);
});

classes.run();

// ---------------------------------------------------------------------------------------------------------------
const create = suite('createTrial: accepts and refuses what Optuna 3.1 create_trial does (fixture), with clear errors');

// where lrlab is stricter than Optuna, on purpose (none of the fixture's cases): NaN values (a NaN objective fails a
// trial in tell, so a complete NaN trial would poison the samplers' history), negative intermediate steps (report
// refuses them), and more than one value (a study has one objective)
create('each fixture case: accepted with the same state, value, params and datetimes, or refused', () => {
  for (const c of fixture.createTrial) {
    let trial: FrozenTrial | null = null;
    let error: Error | null = null;
    try {
      trial = createTrial(c.options);
    } catch (e) {
      error = e as Error;
    }
    if (!c.optuna.accepted) {
      assert.ok(error !== null, `${c.name}: Optuna refused it (${c.optuna.error}), lrlab accepted it`);
      assert.match(error!.message, /^createTrial(\('\w+'\))?: expected /, `${c.name}: ${error!.message}`);
      continue;
    }
    assert.ok(trial !== null, `${c.name}: Optuna accepted it, lrlab threw ${error?.message}`);
    const t = trial!;
    assert.is(t.state, c.optuna.state, c.name);
    assert.is(t.value, c.optuna.value, c.name);
    assert.equal(t.params, c.optuna.params, c.name);
    assert.is(t.number, -1);
    assert.is(t.datetimeStart !== null, c.optuna.hasStart, c.name);
    assert.is(t.datetimeComplete !== null, c.optuna.hasComplete, c.name);
    if (c.optuna.hasComplete) assert.is(t.datetimeComplete!.getTime(), t.datetimeStart!.getTime(), c.name);
  }
});

create('the messages name the function, what it expected and what it got', () => {
  const x = { x: new FloatDistribution(0, 10) };
  assert.throws(() => createTrial({ params: { x: 1 }, distributions: x }), /^createTrial: expected a value \(or values\) for a complete trial, got none$/);
  assert.throws(() => createTrial({ params: { x: 1 }, distributions: x, value: 1, values: [1] }), /createTrial: expected value or values, not both, got value 1 and values \[1\]/);
  // several values make a trial of a multi-objective study (addTrial checks the count against the study's)
  assert.equal(createTrial({ params: { x: 1 }, distributions: x, values: [1, 2] }).values, [1, 2]);
  assert.throws(() => createTrial({ params: { x: 1 }, distributions: x, values: [] }), /createTrial: expected at least one value in values, got none/);
  assert.throws(() => createTrial({ params: { x: 11 }, distributions: x, value: 1 }), /createTrial\('x'\): expected a value in float \[0, 10\], got 11/);
  assert.throws(() => createTrial({ params: { o: 'rmsprop' }, distributions: { o: new CategoricalDistribution(['adam', 'sgd']) }, value: 1 }),
    /createTrial\('o'\): expected a value in categorical \["adam","sgd"\], got "rmsprop"/);
  assert.throws(() => createTrial({ params: { x: 1, y: 2 }, distributions: x, value: 1 }),
    /createTrial: expected a distribution for every parameter and no other, got parameters \["x", "y"\] and distributions \["x"\]/);
  assert.throws(() => createTrial({ params: { x: 1 }, distributions: x, value: NaN }), /createTrial: expected the value to be a number \(or null\), got NaN/);
  assert.throws(() => createTrial({ params: { x: 1 }, distributions: x, value: '1' as never }), /got "1"/);
  assert.throws(() => createTrial({ value: 1, intermediateValues: { '-1': 2 } }), /createTrial: expected intermediate steps that are integers >= 0, got step "-1"/);
  assert.throws(() => createTrial({ value: 1, intermediateValues: new Map([[0.5, 2]]) }), /createTrial: expected intermediate steps that are integers >= 0, got step 0.5/);
  assert.throws(() => createTrial({ value: 1, intermediateValues: { 0: 'a' as never } }), /createTrial: expected a number at intermediate step 0, got "a"/);
  assert.throws(() => createTrial({ state: 'done' as never, value: 1 }), /createTrial: expected state 'complete', 'pruned', 'fail', 'running', 'waiting', got "done"/);
  assert.throws(() => createTrial({ value: 1, userAttrs: { n: 1n } as never }), /createTrial: expected userAttrs that JSON can hold/);
  assert.throws(() => createTrial({ value: 1, param: {} } as never), /createTrial: expected options .*, got an unknown option 'param'/);
  assert.throws(() => createTrial({ params: { x: 1 }, distributions: { x: { type: 'float', low: 0, high: 1, step: 2 } as never }, value: 1 }),
    /createTrial\('x'\): expected a step that divides high - low = 1, got step 2/);
});

create('intermediate values come as an object or a Map, sorted by step; attributes are copies', () => {
  const userAttrs = { tags: ['a'] };
  const t = createTrial({ value: 1, intermediateValues: { 5: 0.1, 0: 0.9, 1: 0.5 }, userAttrs });
  assert.equal([...t.intermediateValues], [[0, 0.9], [1, 0.5], [5, 0.1]]);
  userAttrs.tags.push('b');
  assert.equal(t.userAttrs, { tags: ['a'] });
  const m = createTrial({ value: 1, intermediateValues: new Map([[2, 0.2], [0, 0.4]]) });
  assert.equal([...m.intermediateValues], [[0, 0.4], [2, 0.2]]);
});

create.run();

// ---------------------------------------------------------------------------------------------------------------
const add = suite('study.addTrial / addTrials: stored with a new number and their datetimes, on every storage');

const good = (x: number, extra: Partial<CreateTrialOptions> = {}) =>
  createTrial({ params: { x, opt: 'adam' }, distributions: { x: new FloatDistribution(-10, 10), opt: new CategoricalDistribution(['adam', 'sgd']) }, value: (x - 2) ** 2, ...extra });

for (const [kind, storage] of [['memory', () => undefined], ['sqlite', sqliteUrl]] as const) {
  add(`${kind}: an added trial gets the next number, keeps value, params, intermediate values, attributes and datetimes`, async () => {
    const study = await createStudy({ storage: storage() });
    // values of at least 10, so that the added trial (0.25) is the best
    await study.optimize((t) => 10 + t.suggestFloat('x', -10, 10) ** 2, { nTrials: 2 });
    const made = good(1.5, { intermediateValues: { 0: 3, 1: 1 }, userAttrs: { from: 'paper' }, systemAttrs: { note: [1, Infinity] } });
    const stored = await study.addTrial(made);
    assert.is(stored.number, 2);
    assert.is(study.trials.length, 3);
    const t = study.trials[2];
    assert.is(t.state, 'complete');
    assert.is(t.value, 0.25);
    assert.equal(t.params, { x: 1.5, opt: 'adam' });
    assert.equal(t.distributions, { x: floatDistribution('x', -10, 10), opt: categoricalDistribution('opt', ['adam', 'sgd']) });
    assert.equal([...t.intermediateValues], [[0, 3], [1, 1]]);
    assert.equal(t.userAttrs, { from: 'paper' });
    assert.equal(t.systemAttrs, { note: [1, Infinity] });
    assert.is(t.datetimeStart!.getTime(), made.datetimeStart!.getTime());
    assert.is(t.datetimeComplete!.getTime(), made.datetimeComplete!.getTime());
    assert.is(study.bestTrial.number, 2);
    assert.equal(study.bestParams, { x: 1.5, opt: 'adam' });
    await study.optimize((tr) => 10 + tr.suggestFloat('x', -10, 10) ** 2, { nTrials: 1 });
    assert.equal(study.trials.map((x) => x.number), [0, 1, 2, 3]);
    await study.storage.close();
  });

  add(`${kind}: addTrials adds in order; a bad trial anywhere adds none`, async () => {
    const study = await createStudy({ storage: storage() });
    const trials = [good(0), good(1), createTrial({ state: 'pruned', params: { x: 3 }, distributions: { x: new FloatDistribution(-10, 10) }, intermediateValues: { 0: 9 } })];
    const stored = await study.addTrials(trials);
    assert.equal(stored.map((t) => [t.number, t.state]), [[0, 'complete'], [1, 'complete'], [2, 'pruned']]);
    const bad = { ...good(2), params: { x: 20, opt: 'adam' } };
    await rejects(() => study.addTrials([good(4), bad]), /^addTrials\[1\]: expected a value in float \[-10, 10\], got 20$|^addTrials\[1\]\('x'\)/);
    await rejects(() => study.addTrials([good(4), createTrial({ params: { opt: 1 }, distributions: { opt: new IntDistribution(0, 3) }, value: 0 })]),
      /^addTrials\[1\]\('opt'\): expected the distribution the study already uses for 'opt' \(categorical \["adam","sgd"\]\), got int \[0, 3\]$/);
    // the same within one call: the earlier trial of the call sets the kind
    await rejects(() => study.addTrials([createTrial({ params: { y: 1 }, distributions: { y: new FloatDistribution(0, 2) }, value: 0 }), createTrial({ params: { y: 'a' }, distributions: { y: new CategoricalDistribution(['a']) }, value: 0 })]),
      /addTrials\[1\]\('y'\): expected the distribution the study already uses for 'y' \(float \[0, 2\]\), got categorical \["a"\]/);
    assert.is(study.trials.length, 3);
    await rejects(() => study.addTrial({ ...good(1), state: 'complete', value: null }), /^addTrial: expected a value \(or values\) for a complete trial, got none$/);
    await rejects(() => study.addTrial({ ...good(1), datetimeComplete: null }), /^addTrial: expected a datetimeComplete for a finished \(complete\) trial, got null$/);
    await rejects(() => study.addTrial(null as never), /addTrial: expected a trial \(createTrial's or a study's\), got null/);
    await rejects(() => study.addTrials(5 as never), /addTrials: expected an array \(or iterable\) of trials, got number/);
    const running = await study.ask();
    await rejects(() => study.addTrial(running as never), /^addTrial: expected a recorded trial \(createTrial's, or one of study.trials\), got the running Trial 3 \(end it with study.tell\)$/);
    await study.tell(running, 1);
    // a float range may differ from trial to trial (Optuna's dynamic search spaces); a waiting trial is run by ask
    await study.addTrial(createTrial({ params: { x: 50 }, distributions: { x: new FloatDistribution(0, 100) }, value: 1 }));
    await study.addTrial(createTrial({ state: 'waiting', systemAttrs: { fixedParams: { x: 7 } } }));
    await study.optimize((t) => t.suggestFloat('x', -10, 10), { nTrials: 1 });
    assert.is(study.trials[5].params.x, 7);
    assert.is(study.trials[5].state, 'complete');
    await study.storage.close();
  });
}

add('a trial of another study is added as it was, renumbered (Optuna\'s copy by add_trial)', async () => {
  const a = await createStudy();
  await a.optimize((t) => { t.report(1, 0); return t.suggestInt('n', 1, 9); }, { nTrials: 3 });
  const b = await createStudy();
  await b.addTrials(a.trials);
  assert.equal(b.trials.map(({ trialId: _, ...t }) => t), a.trials.map(({ trialId: _, ...t }) => t));
});

add.run();

// ---------------------------------------------------------------------------------------------------------------
const tpe = suite('TPE warm-started with known trials proposes near the best of them, as Optuna\'s does');

// the fixture's setup: 20 trials of (x - 2)^2 on a grid over [-10, 10], then 10 trials asked, for seeds 0..4
async function warmRun(seed: number, warm: boolean): Promise<number[]> {
  const study = await createStudy({ sampler: new TPESampler({ seed }) });
  if (warm) await study.addTrials(fixture.tpe.warm.map((x) => createTrial({ params: { x }, distributions: { x: new FloatDistribution(-10, 10) }, value: (x - 2) ** 2 })));
  const xs: number[] = [];
  await study.optimize((t) => {
    const x = t.suggestFloat('x', -10, 10);
    xs.push(x);
    return (x - 2) ** 2;
  }, { nTrials: 10 });
  return xs;
}

tpe('the median distance of the next 10 proposals to the optimum is Optuna\'s or better, and far below a cold start\'s', async () => {
  const warm: number[] = [], cold: number[] = [];
  for (const { seed } of fixture.tpe.runs) {
    warm.push(...(await warmRun(seed, true)).map((x) => Math.abs(x - 2)));
    cold.push(...(await warmRun(seed, false)).map((x) => Math.abs(x - 2)));
  }
  const optuna = median(fixture.tpe.runs.flatMap((r) => r.x.map((x) => Math.abs(x - 2))));
  const lrlab = median(warm);
  // the grid's spacing is 20/19, so a proposal beside the best grid point is within about 0.5 of x = 2; the margin
  // of 1.25 allows for the two generators' different draws (50 proposals each)
  assert.ok(lrlab <= 1.25 * optuna, `lrlab's median |x - 2| ${lrlab.toFixed(3)} vs Optuna's ${optuna.toFixed(3)} (fixture)`);
  assert.ok(lrlab < median(cold) / 3, `warm ${lrlab.toFixed(3)} vs cold start ${median(cold).toFixed(3)}`);
});

tpe.run();

// ---------------------------------------------------------------------------------------------------------------
const copy = suite('copyStudy: every trial, the direction and the user attributes, from one storage to another');

/** The fixture's source study, built the same way in lrlab: a trial in every state, study user attributes. */
async function sourceStudy(storage?: string | Storage) {
  const study = await createStudy({ studyName: 'source', storage, direction: 'maximize' });
  await study.setUserAttr('dataset', 'airline');
  let t = await study.ask();
  t.suggestFloat('lr', 1e-4, 1e-1, { log: true });
  t.suggestCategorical('opt', ['adam', 'sgd']);
  t.report(0.5, 0);
  t.report(0.7, 1);
  t.setUserAttr('epochs', 2);
  await study.tell(t, 0.75);
  t = await study.ask();
  t.suggestFloat('lr', 1e-4, 1e-1, { log: true });
  t.report(0.1, 0);
  await study.tell(t, undefined, 'pruned');
  t = await study.ask();
  t.suggestFloat('lr', 1e-4, 1e-1, { log: true });
  await study.tell(t, undefined, 'fail');
  await study.ask(); // left running
  await study.enqueueTrial({ lr: 0.01 }); // waiting
  return study;
}

const strip = (ts: readonly FrozenTrial[]) => ts.map(({ trialId: _, ...t }) => ({ ...t, intermediateValues: [...t.intermediateValues] }));

async function checkCopy(fromStorage: string | Storage, toStorage: string | Storage) {
  const source = await sourceStudy(fromStorage);
  await copyStudy({ fromStudyName: 'source', fromStorage, toStorage, toStudyName: 'copy' });
  const copied = await loadStudy({ studyName: 'copy', storage: toStorage });
  const f = fixture.copyStudy;
  assert.is(copied.direction, f.direction);
  assert.equal(await copied.userAttrs(), f.userAttrs);
  // Optuna keeps every field of every trial but the id (fixture's `kept`); so does lrlab
  assert.ok(Object.values(f.kept).every(Boolean));
  assert.equal(strip(copied.trials), strip(source.trials));
  // the same states, intermediate steps, attribute names and datetimes set as Optuna's copy
  assert.equal(copied.trials.map((t) => [t.number, t.state, [...t.intermediateValues.keys()], Object.keys(t.userAttrs), t.datetimeStart !== null, t.datetimeComplete !== null]),
    f.copy.map((t) => [t.number, t.state, Object.keys(t.intermediateValues).map(Number), Object.keys(t.userAttrs), t.hasStart, t.hasComplete]));
  // the copy is a study like any other: its waiting trial runs with its fixed lr
  await copied.optimize((t) => t.suggestFloat('lr', 1e-4, 1e-1, { log: true }), { nTrials: 1 });
  assert.is(copied.trials[4].params.lr, 0.01);
  assert.is(copied.trials[4].state, 'complete');
  // a taken destination name is refused and leaves that study as it was (Optuna: DuplicatedStudyError)
  assert.is(f.copyToTakenName, 'DuplicatedStudyError');
  await rejects(() => copyStudy({ fromStudyName: 'source', fromStorage, toStorage, toStudyName: 'copy' }),
    (e) => e instanceof DuplicatedStudyError && /^copyStudy: expected a study name not taken in .*, got 'copy' \(delete that study or pass another toStudyName\)$/.test((e as Error).message));
  const again = await loadStudy({ studyName: 'copy', storage: toStorage });
  assert.is(again.trials.length, 5);
  // toStudyName defaults to the source's name
  await copyStudy({ fromStudyName: 'source', fromStorage, toStorage });
  const named = await loadStudy({ studyName: 'source', storage: toStorage });
  assert.is(named.trials.length, 5);
  if (typeof toStorage === 'string') await named.storage.close();
  // studies opened here from URLs hold their own connections
  if (typeof fromStorage === 'string') await source.storage.close();
  if (typeof toStorage === 'string') for (const s of [copied, again]) await s.storage.close();
}

copy('memory to SQLite (Storage object to URL): trials, direction and user attributes as Optuna\'s copy_study', async () => {
  await checkCopy(new InMemoryStorage(), sqliteUrl());
});

copy('SQLite to memory, and SQLite to SQLite by URL', async () => {
  const mem = new InMemoryStorage();
  const url = sqliteUrl();
  await checkCopy(url, mem);
  await copyStudy({ fromStudyName: 'source', fromStorage: url, toStorage: sqliteUrl() });
});

copy('the errors: a missing source study, bad options', async () => {
  const mem = new InMemoryStorage();
  await rejects(() => copyStudy({ fromStudyName: 'nope', fromStorage: mem, toStorage: new InMemoryStorage() }), /^copyStudy: expected an existing study name in memory, got 'nope'$/);
  await rejects(() => copyStudy({ fromStudyName: '', fromStorage: mem, toStorage: mem }), /copyStudy: expected fromStudyName to be a non-empty string, got ""/);
  await rejects(() => copyStudy({ fromStudyName: 'a', fromStorage: mem } as never), /copyStudy: expected toStorage \(a URL or a Storage\), got undefined/);
  await rejects(() => copyStudy({ fromStudyName: 'a', fromStorage: mem, toStorage: mem, to: 'b' } as never), /copyStudy: unknown option 'to'/);
  await rejects(() => copyStudy(undefined as never), /^copyStudy: expected { fromStudyName, fromStorage, toStorage }, got undefined$/);
});

copy('a copy that fails part way leaves no destination study behind', async () => {
  const from = new InMemoryStorage();
  await sourceStudy(from);
  const to = new InMemoryStorage();
  let added = 0;
  const original = to.addTrial.bind(to);
  to.addTrial = async (id, t) => {
    if (++added === 3) throw new Error('connection lost');
    return original(id, t);
  };
  await rejects(() => copyStudy({ fromStudyName: 'source', fromStorage: from, toStorage: to }), /^connection lost$/);
  assert.is(await to.findStudy('source'), null);
  to.addTrial = original;
  await copyStudy({ fromStudyName: 'source', fromStorage: from, toStorage: to });
  assert.is((await to.getAllTrials((await to.findStudy('source'))!.studyId)).length, 5);
});

const pgDb = await freshPostgresDatabase();
if ('skip' in pgDb) {
  copy(`SQLite to PostgreSQL skipped: ${pgDb.skip}`, () => {
    console.log(`  skipped: copyStudy to PostgreSQL (${pgDb.skip})`);
  });
} else {
  copy('SQLite to PostgreSQL (URLs), and PostgreSQL back to memory', async () => {
    const from = sqliteUrl();
    const pgUrl = (pgDb as { url: string }).url;
    await checkCopy(from, pgUrl);
    const back = new InMemoryStorage();
    await copyStudy({ fromStudyName: 'copy', fromStorage: pgUrl, toStorage: back });
    const pgStorage = await PostgresStorage.open(pgUrl);
    try {
      const id = (await pgStorage.findStudy('copy'))!.studyId;
      assert.equal(strip(await back.getAllTrials((await back.findStudy('copy'))!.studyId)), strip(await pgStorage.getAllTrials(id)));
    } finally {
      await pgStorage.close();
    }
  });
}

copy.after(() => rmSync(dir, { recursive: true, force: true }));
copy.run();
