// What the dashboard's JSON endpoints send about studies: trials and summaries as plain JSON (dates as ISO text,
// intermediate values as [step, value] pairs, NaN and the infinities as the strings report JSON uses), and a
// revision per study, so a page that polls is sent the trials only when they changed.
import { createHash } from 'node:crypto';
import type { StudySummary } from '../tune/storage/base.js';
import { exactNumbers } from '../tune/storage/json.js';
import type { FrozenTrial, StudyDirection } from '../tune/types.js';

/** A trial as the dashboard's JSON sends it. */
export interface TrialJson {
  number: number;
  trialId: number;
  state: string;
  value: number | string | null;
  /** One value per objective (a single-objective trial: its value), null when the trial has none. */
  values: (number | string)[] | null;
  params: Record<string, unknown>;
  distributions: Record<string, unknown>;
  intermediateValues: [number, number | string][];
  userAttrs: Record<string, unknown>;
  datetimeStart: string | null;
  datetimeComplete: string | null;
}

/** A study as the studies list sends it. */
export interface StudyJson {
  studyId: number;
  studyName: string;
  directions: StudyDirection[];
  nTrials: number;
  /** The best trial's number and value (single objective), null when none is complete or there are several objectives. */
  best: { number: number; value: number | string | null } | null;
  datetimeStart: string | null;
  userAttrs: Record<string, unknown>;
}

/** A trial's objective values: `values` where the tuner records several, else `[value]` (the tuner before multi-objective). */
export function valuesOf(t: FrozenTrial): readonly number[] | null {
  const values = (t as { values?: readonly number[] | null }).values;
  if (values !== undefined) return values;
  return t.value === null ? null : [t.value];
}

/** A study's directions: `directions` where the storage records several, else `[direction]`. */
export function directionsOf(s: Pick<StudySummary, 'direction'>): StudyDirection[] {
  const directions = (s as { directions?: readonly StudyDirection[] }).directions;
  return directions !== undefined && directions.length > 0 ? [...directions] : [s.direction];
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());
// NaN and the infinities as "NaN", "Infinity", "-Infinity", as study reports write them (JSON would make them null)
const exact = <T>(v: T): T => JSON.parse(JSON.stringify(v, exactNumbers)) as T;

/** A trial as JSON (system attributes left out: they are the sampler's and pruner's bookkeeping). */
export function trialJson(t: FrozenTrial): TrialJson {
  const values = valuesOf(t);
  return exact({
    number: t.number, trialId: t.trialId, state: t.state, value: t.value, values: values === null ? null : [...values],
    params: { ...t.params }, distributions: { ...t.distributions }, intermediateValues: [...t.intermediateValues].sort((a, b) => a[0] - b[0]),
    userAttrs: { ...t.userAttrs }, datetimeStart: iso(t.datetimeStart), datetimeComplete: iso(t.datetimeComplete),
  }) as TrialJson;
}

/** A study summary as JSON. */
export function studyJson(s: StudySummary): StudyJson {
  const directions = directionsOf(s);
  const b = directions.length === 1 ? s.bestTrial : null;
  return exact({
    studyId: s.studyId, studyName: s.studyName, directions, nTrials: s.nTrials,
    best: b === null ? null : { number: b.number, value: b.value },
    datetimeStart: iso(s.datetimeStart), userAttrs: { ...s.userAttrs },
  }) as StudyJson;
}

/** A short hash of JSON text: equal for equal data, so a page asking `since` a revision is told "unchanged". */
export function revisionOf(json: string): string {
  return createHash('sha1').update(json).digest('hex').slice(0, 16);
}
