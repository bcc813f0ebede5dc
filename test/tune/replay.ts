// A small in-memory study for replaying the recorded pruner fixtures: it keeps trials as the storage would, hands
// out snapshots (copies) from getTrials, and lets pruners write system attributes, as Optuna's in-memory storage.
import { readFileSync } from 'node:fs';
import {
  HyperbandPruner, MedianPruner, NopPruner, PatientPruner, PercentilePruner, SuccessiveHalvingPruner, ThresholdPruner,
} from '../../src/tune/pruners/index.js';
import type { FrozenTrial, Pruner, StudyDirection, StudyView, TrialState } from '../../src/tune/types.js';

export type Event =
  | ['ask', number]
  | ['report', number, number, number | null, boolean]
  | ['tell', number, 'complete' | 'pruned' | 'fail', number | null];

export interface PrunerCase {
  pruner: string;
  options: Record<string, unknown>;
  direction: StudyDirection;
  studyName: string;
  events: Event[];
  trials: { number: number; state: TrialState; systemAttrs: Record<string, number> }[];
  nPruned: number;
}

export const fixture = JSON.parse(readFileSync(new URL('../fixtures/pruners.json', import.meta.url), 'utf8')) as { optuna: string; cases: PrunerCase[]; nBrackets: [number, number, number, number][] };

/** Builds the pruner a case names, with its recorded (camelCase) options. */
export function makePruner(name: string, options: Record<string, unknown>): Pruner {
  switch (name) {
    case 'MedianPruner': return new MedianPruner(options);
    case 'PercentilePruner': return new PercentilePruner(options as never);
    case 'SuccessiveHalvingPruner': return new SuccessiveHalvingPruner(options);
    case 'HyperbandPruner': return new HyperbandPruner(options);
    case 'ThresholdPruner': return new ThresholdPruner(options);
    case 'PatientPruner': {
      const w = options.wrappedPruner as { pruner: string; options: Record<string, unknown> } | null;
      return new PatientPruner({ ...(options as { patience: number }), wrappedPruner: w === null ? null : makePruner(w.pruner, w.options) });
    }
    case 'NopPruner': return new NopPruner();
    default: throw new Error(`unknown pruner in fixture: ${name}`);
  }
}

interface Row {
  number: number;
  state: TrialState;
  value: number | null;
  intermediateValues: Map<number, number>;
  systemAttrs: Record<string, unknown>;
}

/** The replay study: trials by number, snapshots on every read. */
export class ReplayStudy implements StudyView {
  readonly rows: Row[] = [];
  constructor(readonly studyName: string, readonly direction: StudyDirection) {}

  get directions(): readonly StudyDirection[] {
    return [this.direction];
  }

  ask(): number {
    this.rows.push({ number: this.rows.length, state: 'running', value: null, intermediateValues: new Map(), systemAttrs: {} });
    return this.rows.length - 1;
  }

  frozen(number: number): FrozenTrial {
    const r = this.rows[number];
    return {
      number: r.number, trialId: r.number, state: r.state, value: r.value, values: r.value === null ? null : [r.value], params: {}, distributions: {},
      intermediateValues: new Map(r.intermediateValues), userAttrs: {}, systemAttrs: { ...r.systemAttrs },
      datetimeStart: null, datetimeComplete: null,
    };
  }

  getTrials(options?: { states?: readonly TrialState[] }): readonly FrozenTrial[] {
    return this.rows.filter((r) => !options?.states || options.states.includes(r.state)).map((r) => this.frozen(r.number));
  }

  stop(): void {}

  setTrialSystemAttr(trialId: number, key: string, value: unknown): void {
    if (this.rows[trialId].state !== 'running') throw new Error(`trial ${trialId} is finished`);
    this.rows[trialId].systemAttrs[key] = value;
  }
}

export interface Mismatch {
  event: number;
  trial: number;
  step: number;
  expected: boolean;
  got: boolean;
}

/**
 * Replays a case's events: each report goes into the trial, then the pruner decides on a snapshot of it. Returns
 * the study and every decision that differs from Optuna's. The trial's own fate follows the recorded events, so a
 * mismatch does not derail the rest of the replay.
 */
export function replay(c: PrunerCase, pruner: Pruner = makePruner(c.pruner, c.options)): { study: ReplayStudy; mismatches: Mismatch[]; decisions: number } {
  const study = new ReplayStudy(c.studyName, c.direction);
  const mismatches: Mismatch[] = [];
  let decisions = 0;
  c.events.forEach((e, i) => {
    if (e[0] === 'ask') {
      const n = study.ask();
      if (n !== e[1]) throw new Error(`replay: trial numbers diverged at event ${i}`);
    } else if (e[0] === 'report') {
      const [, n, step, value, expected] = e;
      study.rows[n].intermediateValues.set(step, value === null ? NaN : value);
      const got = pruner.prune(study, study.frozen(n));
      decisions++;
      if (got !== expected) mismatches.push({ event: i, trial: n, step, expected, got });
    } else {
      const [, n, state, value] = e;
      study.rows[n].state = state;
      study.rows[n].value = value;
    }
  });
  return { study, mismatches, decisions };
}
