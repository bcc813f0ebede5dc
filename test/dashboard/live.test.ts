// The progress file of a finder run followed live (`lrlab find --live`): where it is, what it holds at each stage
// (the range test's steps, the sweep's rows, the validation runs, the long runs' epochs, then the whole result),
// that following a run changes nothing of its result, and what a bad file or a bad option is told.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveWriter, liveFilePath, liveRunName, readLiveFile } from '../../src/dashboard/live.js';
import { runPipeline, type PipelineResult } from '../../src/lrfind/pipeline.js';
import { findLr } from '../../src/lrfind/find-lr.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Linear } from '../../src/nn/layers.js';
import { CONFIG, SERIES, recordLiveRun, type Snapshot } from './live-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-live-'));
const test = suite('the progress file of a finder run (--live)');
let run: { result: PipelineResult; snapshots: Snapshot[]; writer: LiveWriter };

test.before(() => {
  run = recordLiveRun(join(dir, 'runs', 'a'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const json = (v: unknown) => JSON.parse(JSON.stringify(v));

/** Each partial snapshot with the progress said just before it (the finder reports progress, then the result so far). */
function partialsAfterProgress(stage: string): { done: number; file: Snapshot['file'] }[] {
  const out: { done: number; file: Snapshot['file'] }[] = [];
  let last: Snapshot | null = null;
  for (const s of run.snapshots) {
    if (s.event === 'progress') last = s;
    else if (s.event === 'partial' && last?.stage === stage && run.snapshots[run.snapshots.indexOf(s) - 1] === last) out.push({ done: last.done, file: s.file });
  }
  return out;
}

test('nothing is written before start(); the file is .NAME.live.json beside the report folder, never inside it', () => {
  const out = join(dir, 'fresh', 'report');
  const w = new LiveWriter(out);
  assert.is(w.path, join(dir, 'fresh', '.report.live.json'));
  assert.is(liveFilePath(out), w.path);
  assert.is(liveRunName('.report.live.json'), 'report');
  assert.is(liveRunName('report.live.json'), null);
  assert.is(liveRunName('..x.live.json'), null, 'a hidden name is not a run');
  w.note('data', 'read before the checks');
  assert.not.ok(existsSync(join(dir, 'fresh')), 'no file, no folder before start()');
  w.start();
  const file = readLiveFile(w.path);
  assert.equal(file.notes, [{ stage: 'data', detail: 'read before the checks' }], 'what came before start() is in the first write');
  assert.is(file.pid, process.pid);
  assert.is(file.state, 'running');
  assert.is(file.writes, 1);
  assert.not.ok(existsSync(out), 'the report folder itself is left to writeReport');
});

test('during the range test the file holds the curve so far (as many steps as done), and the rules once it ends', () => {
  const steps = partialsAfterProgress('range test');
  assert.is(steps.length, run.result.rangeTest.iterations, 'one file per step');
  for (const { done, file } of steps) {
    const rt = file.result.rangeTest!;
    assert.is(rt.lrs.length, done, `step ${done}`);
    assert.equal(rt.lrs, json(run.result.rangeTest.lrs.slice(0, done)), `step ${done}: the final curve's first lrs`);
    assert.equal(rt.losses, json(run.result.rangeTest.losses.slice(0, done)), `step ${done}: its losses`);
    assert.is(file.result.suggestion, undefined, 'no rules before the curve is whole');
    assert.is(file.stage, 'range test');
  }
  const after = run.snapshots.find((s) => s.event === 'note' && s.stage === 'range test')!;
  assert.equal(after.file.result.suggestion, json(run.result.suggestion), 'the four rules once the range test ends');
  assert.equal(Object.keys(after.file.result.suggestion!.suggestions).sort(), ['minimum', 'slide', 'steepest', 'valley']);
});

test('the sweep\'s rows, the validation runs and the long runs\' epochs grow with their progress', () => {
  const sweep = partialsAfterProgress('sweep');
  assert.is(sweep.length, CONFIG.sweep.num);
  for (const { done, file } of sweep) assert.equal(file.result.sweep!.rows, json(run.result.sweep.rows.slice(0, done)), `sweep lr ${done}`);
  const validation = partialsAfterProgress('validation');
  assert.is(validation.length, 4 * CONFIG.seeds, 'four candidates per seed');
  for (const { done, file } of validation) {
    const v = file.result.validation!;
    assert.is(v.candidates.reduce((n, c) => n + c.seeds.length, 0), done, `validation run ${done}: the short runs done`);
    assert.is(v.seeds.length, Math.ceil(done / 4));
  }
  const baseline = partialsAfterProgress('baseline').filter((s) => s.done <= CONFIG.training.epochs);
  assert.ok(baseline.length >= 1);
  for (const { done, file } of baseline) {
    const h = file.result.baseline!.history;
    assert.is(h.loss.length, done, `epoch ${done} of the first seed`);
    assert.equal(h.loss, json(run.result.baseline.history.loss.slice(0, done)));
    assert.equal(h.valLoss, json(run.result.baseline.history.valLoss.slice(0, done)));
    assert.is(h.valMetric.length, done, 'R² per epoch too');
    assert.is(file.result.optimized, undefined, 'the trained run has not started');
  }
  const seedsDone = run.snapshots.filter((s) => s.event === 'partial' && s.file.stage === 'baseline').map((s) => s.file.result.baseline!.seeds.length);
  assert.equal([...new Set(seedsDone)], [0, 1, 2].filter((k) => seedsDone.includes(k)), 'the seeds done count up');
  assert.ok(seedsDone.includes(1), 'a file after the first seed');
});

test('the last file before the report holds the whole result, finished; fail() says why; remove() deletes it', () => {
  const last = run.snapshots[run.snapshots.length - 1];
  assert.is(last.file.state, 'finished');
  assert.is(last.file.stage, 'report');
  assert.equal(last.file.result, json(run.result));
  assert.equal(last.file.notes.map((n) => n.stage), ['data', 'range test', 'sweep', 'validation', 'baseline', 'trained']);
  const writes = run.snapshots.map((s) => s.file.writes);
  assert.ok(writes.every((w, i) => i === 0 || w === writes[i - 1] + 1), 'every event written once more (no interval), counted');
  run.writer.fail(new Error('the disk is full'));
  const failed = readLiveFile(run.writer.path);
  assert.is(failed.state, 'failed');
  assert.is(failed.error, 'the disk is full');
  run.writer.remove();
  assert.not.ok(existsSync(run.writer.path));
});

test('following a run changes nothing of its result (timings aside)', () => {
  const plain = runPipeline({ series: SERIES, source: 'a test series', config: CONFIG });
  const untimed = (r: PipelineResult) => {
    const c = json(r);
    delete c.timingsMs;
    for (const k of ['baseline', 'optimized']) {
      delete c[k].trainingTimeMs;
      delete c[k].history.timeMs;
    }
    return c;
  };
  assert.equal(untimed(run.result), untimed(plain));
});

test('with a long interval only a stage\'s start and end and the progress lines are written', () => {
  const slow = recordLiveRun(join(dir, 'slow', 'a'), 1e9);
  const writes = slow.snapshots.filter((s, i) => i === 0 || s.text !== slow.snapshots[i - 1].text).length;
  const fast = run.snapshots.filter((s, i) => i === 0 || s.text !== run.snapshots[i - 1].text).length;
  const notes = slow.snapshots.filter((s) => s.event === 'note').length;
  assert.ok(writes <= notes + 2 * 6 + 1, `${writes} writes for ${notes} notes and 6 stages`);
  assert.ok(writes < fast / 3, `${writes} writes against ${fast} with no interval`);
  const steps = slow.snapshots.filter((s) => s.event === 'progress' && s.stage === 'range test' && s.done > 1 && s.done < s.total);
  assert.ok(steps.every((s) => s.text === steps[0].text), 'within the range test the file waits');
});

test('a progress file that cannot be written is told once, and the run goes on', () => {
  const told: string[] = [];
  const w = new LiveWriter(join(dir, 'gone', 'a'), { onWriteError: (m) => told.push(m) });
  w.start();
  rmSync(join(dir, 'gone'), { recursive: true });
  w.note('data', 'one');
  w.progress('sweep', 1, 2);
  w.note('sweep', 'two');
  assert.is(told.length, 1);
  assert.match(told[0], /cannot write the progress file: cannot write '.*\.a\.live\.json': the directory .* does not exist/);
});

test('bad options: an interval that is not a number, onPartial that is not a function', () => {
  assert.throws(() => new LiveWriter(join(dir, 'x'), { minIntervalMs: NaN }), /LiveWriter: expected minIntervalMs a number >= 0, got NaN/);
  assert.throws(() => new LiveWriter(join(dir, 'x'), { minIntervalMs: -1 }), /LiveWriter: expected minIntervalMs a number >= 0, got -1/);
  assert.throws(() => new LiveWriter(join(dir, 'x'), { interval: 5 } as never), /LiveWriter: unknown option .interval./);
  assert.throws(() => new LiveWriter('' as never), /LiveWriter: expected outDir to be a path, got/);
  assert.throws(() => runPipeline({ series: SERIES, config: CONFIG, onPartial: 5 as never }), /runPipeline: expected onPartial to be a function, got 5/);
  const x = new Tensor(new Float32Array(8), [4, 2]), y = new Tensor(new Float32Array(4), [4, 1]);
  assert.throws(() => findLr({ makeModel: () => new Linear(2, 1), train: { x, y }, valid: { x, y }, onPartial: 'log' as never }), /findLr: expected onPartial to be a function, got/);
});

test('a file that is not a progress file says what is wrong with it', () => {
  mkdirSync(join(dir, 'bad'), { recursive: true });
  const cases: [string, RegExp][] = [
    ['{"lrlabLive": 1, "pid": ', /^readLiveFile: not JSON/],
    ['[1, 2]', /expected a progress object, got an array/],
    ['{"lrlabLive": 7}', /expected lrlabLive 1 \(an lrlab progress file\), got 7/],
    ['{"lrlabLive": 1, "pid": "me"}', /expected pid to be a number, got "me"/],
    ['{"lrlabLive": 1, "pid": 1, "startedAt": 1, "updatedAt": 1, "writes": 1, "done": 0, "total": 0, "state": "paused"}', /expected state running, finished or failed, got "paused"/],
    ['{"lrlabLive": 1, "pid": 1, "startedAt": 1, "updatedAt": 1, "writes": 1, "done": 0, "total": 0, "state": "running", "stage": "sweep", "notes": [], "result": null}', /expected result to be an object, got null/],
  ];
  for (const [text, message] of cases) {
    const path = join(dir, 'bad', '.r.live.json');
    writeFileSync(path, text);
    assert.throws(() => readLiveFile(path), message, text);
  }
});

test.run();
