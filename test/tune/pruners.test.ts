// Pruner parity: Optuna 3.1's decisions, recorded by test/fixtures/gen_pruners.py, replayed event by event, first
// through a small replay study, then end to end through createStudy / ask / report / shouldPrune / tell.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  HyperbandPruner, MedianPruner, NopPruner, PatientPruner, PercentilePruner, SuccessiveHalvingPruner, ThresholdPruner,
} from '../../src/tune/pruners/index.js';
import type { FrozenTrial, StudyView } from '../../src/tune/types.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStudy, loadStudy, type Study, type Trial, type Storage } from '../../src/index.js';
import { SqliteStorage } from '../../src/tune/storage/sqlite.js';
import { fixture, makePruner, replay, ReplayStudy, type PrunerCase } from './replay.js';

const parity = suite('pruners: every decision equals Optuna\'s, trial by trial and step by step');

for (const [i, c] of fixture.cases.entries()) {
  parity(`case ${i}: ${c.pruner} ${JSON.stringify(c.options)} (${c.direction}) decides as Optuna ${fixture.optuna} at all ${c.events.filter((e) => e[0] === 'report').length} reports`, () => {
    const { study, mismatches, decisions } = replay(c);
    assert.ok(decisions > 50, `the case makes ${decisions} decisions`);
    const first = mismatches[0];
    assert.is(mismatches.length, 0, first && `${mismatches.length} decisions differ; first at event ${first.event}: trial ${first.trial} step ${first.step}, Optuna ${first.expected}, lrlab ${first.got}`);
    // the rung records successive halving leaves behind are Optuna's too
    for (const t of c.trials) {
      const rungs = Object.fromEntries(Object.entries(study.rows[t.number].systemAttrs).filter(([k]) => k.startsWith('completed_rung_')));
      assert.equal(rungs, t.systemAttrs, `trial ${t.number}'s rung records`);
    }
  });
}

parity(`Hyperband counts Optuna's brackets, float error included, for all ${fixture.nBrackets.length} recorded (r, R, eta)`, () => {
  const wrong = fixture.nBrackets.filter(([r, R, eta, n]) => new HyperbandPruner({ minResource: r, maxResource: R, reductionFactor: eta }).nBrackets !== n);
  assert.equal(wrong.slice(0, 5), [], `${wrong.length} differ`);
  // the float error Optuna has and lrlab keeps: log(243, 3) is 4.999999999999999 in Python, so 5 brackets, not 6
  assert.is(new HyperbandPruner({ minResource: 1, maxResource: 243, reductionFactor: 3 }).nBrackets, 5);
});

parity.run();

const errors = suite('pruners: bad options are refused with a message naming the option');

errors('unknown option names are a TypeError naming the name', () => {
  assert.throws(() => new MedianPruner({ nStartupTrial: 3 } as never), (e: Error) => e instanceof TypeError && /MedianPruner: expected options among .* got unknown option 'nStartupTrial'/.test(e.message));
  assert.throws(() => new MedianPruner({ percentile: 30 } as never), /unknown option 'percentile'/);
  assert.throws(() => new SuccessiveHalvingPruner({ min_resource: 2 } as never), /unknown option 'min_resource'/);
  assert.is(new NopPruner().prune(), false);
});

errors('wrong kinds are a TypeError, out-of-range numbers a RangeError', () => {
  assert.throws(() => new PercentilePruner({ percentile: '25' } as never), (e: Error) => e instanceof TypeError && /percentile to be a number, got '25'/.test(e.message));
  assert.throws(() => new PercentilePruner({ percentile: 120 }), (e: Error) => e instanceof RangeError && /percentile to be a finite number in \[0, 100\], got 120/.test(e.message));
  assert.throws(() => new PercentilePruner({ percentile: NaN }), /got NaN/);
  assert.throws(() => new PercentilePruner({} as never), /expected a percentile in \[0, 100\], got none/);
  assert.throws(() => new MedianPruner({ nWarmupSteps: -1 }), (e: Error) => e instanceof RangeError && /nWarmupSteps to be an integer >= 0, got -1/.test(e.message));
  assert.throws(() => new MedianPruner({ intervalSteps: 0 }), /intervalSteps to be an integer >= 1, got 0/);
  assert.throws(() => new MedianPruner({ nMinTrials: 1.5 }), /nMinTrials to be an integer >= 1, got 1.5/);
  assert.throws(() => new MedianPruner({ nStartupTrials: Infinity }), /nStartupTrials to be an integer >= 0, got Infinity/);
  assert.throws(() => new MedianPruner(null as never), (e: Error) => e instanceof TypeError && /expected an options object, got null/.test(e.message));
  assert.throws(() => new SuccessiveHalvingPruner({ minResource: 'big' as never }), /minResource to be an integer >= 1 or 'auto', got 'big'/);
  assert.throws(() => new SuccessiveHalvingPruner({ minResource: 0 }), /minResource to be an integer >= 1, got 0/);
  assert.throws(() => new SuccessiveHalvingPruner({ reductionFactor: 1 }), /reductionFactor to be an integer >= 2, got 1/);
  assert.throws(() => new SuccessiveHalvingPruner({ bootstrapCount: 2 }), /numeric minResource with bootstrapCount > 0, got minResource 'auto'/);
  assert.throws(() => new HyperbandPruner({ maxResource: 'max' as never }), /maxResource to be an integer >= 1 or 'auto', got 'max'/);
  assert.throws(() => new HyperbandPruner({ bootstrapCount: 1 }), /numeric maxResource with bootstrapCount > 0/);
  assert.throws(() => new HyperbandPruner({ minResource: 4, maxResource: 3 }), /expected maxResource >= minResource, got maxResource 3 < minResource 4/);
  assert.throws(() => new ThresholdPruner({}), /expected lower or upper, got neither/);
  assert.throws(() => new ThresholdPruner({ lower: 2, upper: 1 }), (e: Error) => e instanceof RangeError && /expected lower <= upper, got lower 2 > upper 1/.test(e.message));
  assert.throws(() => new PatientPruner({ patience: 2 } as never), /expected wrappedPruner \(a pruner or null\), got none/);
  assert.throws(() => new PatientPruner({ wrappedPruner: 'median' as never, patience: 2 }), /wrappedPruner to be a pruner or null, got 'median'/);
  assert.throws(() => new PatientPruner({ wrappedPruner: null, patience: -1 }), /patience to be an integer >= 0, got -1/);
  assert.throws(() => new PatientPruner({ wrappedPruner: null, patience: 1, minDelta: -0.1 }), /minDelta to be a finite number >= 0, got -0.1/);
});

errors('successive halving refuses a study that cannot record rungs, and records nothing', () => {
  const study = new ReplayStudy('s', 'minimize');
  const n = study.ask();
  study.rows[n].intermediateValues.set(1, 0.5);
  const blind: StudyView = { studyName: 's', direction: 'minimize', directions: ['minimize'], getTrials: (o) => study.getTrials(o), stop() {} };
  assert.throws(() => new SuccessiveHalvingPruner({ minResource: 1 }).prune(blind, study.frozen(n)), /expected a study that can set trial system attributes/);
  assert.equal(study.rows[n].systemAttrs, {});
});

errors.run();

const rules = suite('pruners: the rules by hand');

rules('the median rule prunes a trial worse than the median of completed trials at its step, never before warm-up', () => {
  const study = new ReplayStudy('s', 'minimize');
  for (const v of [1, 2, 3]) {
    const n = study.ask();
    study.rows[n].intermediateValues.set(0, v);
    study.rows[n].state = 'complete';
  }
  const n = study.ask();
  const pruner = new MedianPruner({ nStartupTrials: 3, nWarmupSteps: 1 });
  study.rows[n].intermediateValues.set(0, 2.5); // worse than the median 2, but still warming up
  assert.is(pruner.prune(study, study.frozen(n)), false);
  assert.is(new MedianPruner({ nStartupTrials: 3 }).prune(study, study.frozen(n)), true);
  study.rows[n].intermediateValues.set(0, 1.5); // better than the median
  assert.is(new MedianPruner({ nStartupTrials: 3 }).prune(study, study.frozen(n)), false);
  assert.is(new MedianPruner({ nStartupTrials: 4 }).prune(study, study.frozen(n)), false, 'too few trials completed');
});

rules('successive halving promotes the best of the first eta - 1 trials only when it is the best so far', () => {
  const study = new ReplayStudy('s', 'minimize');
  const pruner = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 });
  const values = [0.5, 0.7, 0.3];
  const decisions = values.map((v) => {
    const n = study.ask();
    study.rows[n].intermediateValues.set(1, v);
    return pruner.prune(study, study.frozen(n));
  });
  // rung 0 at step 1: 0.5 alone -> best; 0.7 among {0.5, 0.7}: floor(2/2) = 1 promotable, not the best -> pruned;
  // 0.3 among three: the best one goes on
  assert.equal(decisions, [false, true, false]);
  assert.equal(study.rows.map((r) => r.systemAttrs.completed_rung_0), values);
});

rules.run();

const e2e = suite('pruners through a study: createStudy / ask / report / shouldPrune / tell decide as Optuna');

/** Drives a study with a case's events; returns the study and the decisions that differ from Optuna's. */
async function drive(c: PrunerCase, storage?: Storage): Promise<{ study: Study; mismatches: number; first: string }> {
  const study = await createStudy({ studyName: c.studyName, direction: c.direction, pruner: makePruner(c.pruner, c.options), storage });
  const live = new Map<number, Trial>();
  let mismatches = 0, first = '';
  for (const [k, e] of c.events.entries()) {
    if (e[0] === 'ask') {
      const t = await study.ask();
      assert.is(t.number, e[1]);
      live.set(t.number, t);
    } else if (e[0] === 'report') {
      const t = live.get(e[1])!;
      t.report(e[3] === null ? NaN : e[3], e[2]);
      const got = t.shouldPrune();
      if (got !== e[4] && mismatches++ === 0) first = `event ${k}: trial ${e[1]} step ${e[2]}, Optuna ${e[4]}, lrlab ${got}`;
    } else {
      const t = live.get(e[1])!;
      if (e[2] === 'complete') await study.tell(t, e[3]!);
      else await study.tell(t, undefined, e[2]);
    }
  }
  return { study, mismatches, first };
}

function assertRungs(c: PrunerCase, trials: readonly FrozenTrial[]): void {
  for (const t of c.trials) {
    const rec = trials[t.number];
    assert.is(rec.state, t.state);
    const rungs = Object.fromEntries(Object.entries(rec.systemAttrs).filter(([key]) => key.startsWith('completed_rung_')));
    assert.equal(rungs, t.systemAttrs, `trial ${t.number}'s rung records in the storage`);
  }
}

for (const [i, c] of fixture.cases.entries()) {
  e2e(`case ${i}: ${c.pruner} (${c.direction}) through an in-memory study`, async () => {
    const { study, mismatches, first } = await drive(c);
    assert.is(mismatches, 0, `${mismatches} decisions differ; first at ${first}`);
    assertRungs(c, study.trials);
  });
}

e2e('successive halving through a SQLite file: the same decisions, and the rung records are in the file for the next process', async () => {
  const c = fixture.cases.find((x) => x.pruner === 'SuccessiveHalvingPruner' && x.options.minResource === 'auto')!;
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-pruners-'));
  try {
    const storage = await SqliteStorage.open(join(dir, 'study.db'));
    const { mismatches, first } = await drive(c, storage);
    await storage.close();
    assert.is(mismatches, 0, `${mismatches} decisions differ; first at ${first}`);
    const again = await SqliteStorage.open(join(dir, 'study.db'));
    const back = await loadStudy({ studyName: c.studyName, storage: again });
    assertRungs(c, back.trials);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

e2e.run();

const brackets = suite('Hyperband: brackets');

brackets('a bracket study holds the trials of one bracket, and every trial is in exactly one', () => {
  const study = new ReplayStudy('brackets', 'minimize');
  for (let i = 0; i < 40; i++) study.ask();
  const hb = new HyperbandPruner({ minResource: 1, maxResource: 27, reductionFactor: 3 });
  assert.is(hb.nBrackets, 4);
  const seen = new Map<number, number>();
  for (let b = 0; b < 4; b++) {
    for (const t of hb.bracketStudy(study, b).getTrials()) {
      assert.is(hb.bracketId('brackets', t.number), b);
      seen.set(t.number, (seen.get(t.number) ?? 0) + 1);
    }
  }
  assert.is(seen.size, 40);
  assert.ok([...seen.values()].every((n) => n === 1));
  const auto = new HyperbandPruner();
  assert.is(auto.nBrackets, null, 'with maxResource auto, no brackets before a trial completes');
  assert.is(auto.bracketId('brackets', 3), 0);
});

brackets.run();
