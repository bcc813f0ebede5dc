// Shared by the tests of a finder run followed live: a small series run whose progress file (LiveWriter, every
// event written) is read back after each of the finder's callbacks, as the dashboard would find it then.
import { readFileSync } from 'node:fs';
import { runPipeline, type PipelineResult } from '../../src/lrfind/pipeline.js';
import { LiveWriter, type LiveFile } from '../../src/dashboard/live.js';

/** One callback of the run and the progress file right after it. */
export interface Snapshot {
  event: 'note' | 'progress' | 'partial' | 'finish';
  stage: string;
  done: number;
  total: number;
  text: string;
  file: LiveFile;
}

/** The series and config of the small run (2 seeds, so the validation run and the long runs have a second seed). */
export const SERIES = Float32Array.from({ length: 240 }, (_, t) => 5 + Math.sin(t / 6) + (t % 4) * 0.1);
export const CONFIG = { window: 10, hidden: [8], rangeTest: { numIter: 30 }, sweep: { num: 3, epochs: 1 }, validation: { epochs: 1 }, training: { epochs: 3, patience: 2 }, seeds: 2 };

/** Runs the small series run with its progress going to the file beside `outDir`; every file seen after each event. */
export function recordLiveRun(outDir: string, minIntervalMs = 0): { result: PipelineResult; snapshots: Snapshot[]; writer: LiveWriter } {
  const writer = new LiveWriter(outDir, { minIntervalMs });
  writer.start();
  const snapshots: Snapshot[] = [];
  const snap = (event: Snapshot['event'], stage: string, done = 0, total = 0) => {
    const text = readFileSync(writer.path, 'utf8');
    snapshots.push({ event, stage, done, total, text, file: JSON.parse(text) });
  };
  const result = runPipeline({
    series: SERIES, source: 'a test series', config: CONFIG,
    onStage: (stage, detail) => {
      writer.note(stage, detail);
      snap('note', stage);
    },
    onProgress: (stage, done, total) => {
      writer.progress(stage, done, total);
      snap('progress', stage, done, total);
    },
    onPartial: (partial) => {
      writer.partial(partial);
      snap('partial', '');
    },
  });
  writer.finish(result);
  snap('finish', 'report');
  return { result, snapshots, writer };
}
