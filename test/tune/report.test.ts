// The study plots and report: every plot renders to SVG with the study's data in it, the report is written as a
// set (the old one replaced whole, or left whole when writing fails), and bad input is refused.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { Generator } from '../../src/tensor/random.js';
import {
  plotContour, plotIntermediateValues, plotOptimizationHistory, plotParallelCoordinate, plotParamImportances, plotSlice,
  optimizationHistorySpec, sliceSpec, contourSpec, parallelCoordinateSpec,
} from '../../src/tune/plots.js';
import { trialsTable, writeStudyReport } from '../../src/tune/report.js';
import type { FrozenTrial, SearchSpace } from '../../src/tune/types.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-study-report-'));
const space: SearchSpace = {
  lr: { type: 'float', low: 1e-4, high: 0.1, log: true, step: null },
  hidden: { type: 'categorical', choices: [16, 32, 64] },
  'weight.decay': { type: 'float', low: 0, high: 0.1, log: false, step: null },
};

function makeStudy(n = 24): { studyName: string; direction: 'minimize'; trials: FrozenTrial[] } {
  const g = new Generator(7);
  const trials: FrozenTrial[] = [];
  for (let i = 0; i < n; i++) {
    const lr = 10 ** g.uniform(-4, -1), hidden = [16, 32, 64][g.randint(3)], wd = g.uniform(0, 0.1);
    const q = (Math.log10(lr) + 2.5) ** 2 + 3 * wd + (hidden === 32 ? 0 : 0.3);
    const pruned = i > 5 && q > 1.2;
    const iv = new Map<number, number>();
    for (let s = 0; s < (pruned ? 3 : 8); s++) iv.set(s, q + 1 / (1 + s));
    trials.push({
      number: i, trialId: i, state: pruned ? 'pruned' : 'complete', value: pruned ? null : q, values: pruned ? null : [q], params: { lr, hidden, 'weight.decay': wd },
      distributions: space, intermediateValues: iv, userAttrs: {}, systemAttrs: {}, datetimeStart: new Date(0), datetimeComplete: new Date(1250),
    });
  }
  return { studyName: 'mlp', direction: 'minimize', trials };
}

const plots = suite('study plots: each renders to an SVG that shows the study');

plots('all six plots are valid SVG that rasterizes, with their titles and parameter names', async () => {
  const study = makeStudy();
  const svgs = {
    'Optimization history': await plotOptimizationHistory(study),
    'Hyperparameter importances': await plotParamImportances(study),
    'Slice plot': await plotSlice(study),
    'Contour plot': await plotContour(study),
    'Parallel coordinates': await plotParallelCoordinate(study),
    'Intermediate values': await plotIntermediateValues(study),
  };
  for (const [title, svg] of Object.entries(svgs)) {
    assert.ok(svg.startsWith('<svg'), `${title} is an SVG`);
    assert.ok(svg.includes(title), `${title} carries its title`);
    const png = new Resvg(svg).render();
    assert.ok(png.width > 200 && png.height > 100, `${title} rasterizes (${png.width}x${png.height})`);
  }
  for (const name of ['lr', 'hidden', 'weight.decay']) {
    assert.ok(svgs['Slice plot'].includes(`>${name}<`), `the slice plot names ${name}`);
    assert.ok(svgs['Parallel coordinates'].includes(`>${name}<`), `the parallel coordinates name ${name}`);
  }
});

plots('the history marks every complete trial and tracks the best value so far in the study\'s direction', () => {
  const study = makeStudy();
  const rows = (optimizationHistorySpec(study) as unknown as { data: { values: { trial: number; value: number; best: number }[] } }).data.values;
  const complete = study.trials.filter((t) => t.state === 'complete');
  assert.equal(rows.map((r) => r.trial), complete.map((t) => t.number));
  rows.forEach((r, i) => assert.is(r.best, Math.min(...complete.slice(0, i + 1).map((t) => t.value as number))));
  const max = (optimizationHistorySpec({ ...study, direction: 'maximize' }) as unknown as { data: { values: { best: number }[] } }).data.values;
  assert.is(max[max.length - 1].best, Math.max(...complete.map((t) => t.value as number)));
});

plots('params choose the panels, a categorical parameter gets one band per choice, and unknown names are refused', async () => {
  const study = makeStudy();
  const contour = await plotContour(study, { params: ['hidden', 'lr'] });
  for (const label of ['>hidden<', '>log10 lr<', '>16<', '>64<']) assert.ok(contour.includes(label), `the contour shows ${label}`);
  const slice = await plotSlice(study, { params: ['lr'] });
  assert.ok(slice.includes('>lr<') && !slice.includes('>hidden<'));
  assert.throws(() => sliceSpec(study, { params: ['nope'] }), (e: Error) => e instanceof RangeError && /plotSlice: expected parameters of the study's complete trials \(hidden, lr, weight.decay\), got unknown 'nope'/.test(e.message));
  assert.throws(() => contourSpec(study, { params: 'lr' as never }), (e: Error) => e instanceof TypeError && /plotContour: expected params to be an array of parameter names, got "lr"/.test(e.message));
  assert.throws(() => parallelCoordinateSpec(study, { params: ['lr', 'x'] }), /plotParallelCoordinate: .* got unknown 'x'/);
});

plots('a study without complete trials still plots (empty axes), and a trial missing a parameter is left out of its panels', async () => {
  const none = { ...makeStudy(3), trials: makeStudy(3).trials.map((t) => ({ ...t, state: 'running' as const, value: null })) };
  assert.ok((await plotOptimizationHistory(none)).startsWith('<svg'));
  assert.ok((await plotIntermediateValues(none)).startsWith('<svg'));
  const study = makeStudy();
  const partial = { ...study, trials: study.trials.map((t, i) => (i === 0 ? { ...t, params: { lr: t.params.lr } } : t)) };
  const rows = (parallelCoordinateSpec(partial, { params: ['lr', 'hidden'] }) as unknown as { data: { values: { trial: number }[] } }).data.values;
  assert.not.ok(rows.some((r) => r.trial === 0));
  assert.ok(rows.some((r) => r.trial === 1));
});

plots.run();

const report = suite('writeStudyReport: the plots, the trials table, JSON, written as one set');

report('writes the six plots, trials.json, report.md and report.html, with one table row per trial', async () => {
  const study = makeStudy();
  const out = join(dir, 'first');
  const written = await writeStudyReport(study, out);
  assert.equal(readdirSync(out).sort(), [...written].sort());
  assert.equal(written.filter((f) => f.endsWith('.svg')).length, 6);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  const json = JSON.parse(readFileSync(join(out, 'trials.json'), 'utf8'));
  assert.is(json.trials.length, study.trials.length);
  assert.equal(json.trials[0].intermediateValues['0'], study.trials[0].intermediateValues.get(0));
  const best = study.trials.filter((t) => t.state === 'complete').reduce((a, b) => ((a.value as number) <= (b.value as number) ? a : b));
  assert.is(json.bestTrial.number, best.number);
  assert.ok(md.includes(`Best trial: **${best.number}**`));
  assert.is(md.split('\n').filter((l) => /^\| \d+ \|/.test(l)).length, study.trials.length);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.is((html.match(/<svg/g) ?? []).length, 6, 'the HTML inlines the six plots');
  assert.equal(readdirSync(dir).filter((f) => f.startsWith('.')), [], 'no sibling directory is left behind');
});

report('rewriting replaces the report whole: files of the old set that the new one lacks are gone', async () => {
  const out = join(dir, 'replace');
  await writeStudyReport(makeStudy(), out);
  assert.ok(existsSync(join(out, 'intermediate-values.svg')));
  // two trials without reports: no intermediate-values plot this time
  const small = makeStudy(2);
  small.trials.forEach((t) => (t.intermediateValues as Map<number, number>).clear());
  const written = await writeStudyReport(small, out, { keepOldMs: 0 });
  assert.not.ok(written.includes('intermediate-values.svg'));
  assert.equal(readdirSync(dir).filter((f) => f.startsWith('.replace.')), [], 'with keepOldMs 0 the replaced report is removed at once');
  assert.equal(readdirSync(out).sort(), [...written].sort());
  assert.ok(readFileSync(join(out, 'report.md'), 'utf8').includes('Intermediate values: not drawn (no data yet).'));
});

report('a failure while writing leaves the old report exactly as it was and no partial directory', async () => {
  const out = join(dir, 'failure');
  await writeStudyReport(makeStudy(), out);
  const before = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
  const broken = makeStudy(5);
  (broken.trials[0] as { userAttrs: Record<string, unknown> }).userAttrs = { size: 10n }; // JSON cannot hold a BigInt
  await writeStudyReport(broken, out).then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, /BigInt/));
  assert.equal(Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')])), before);
  assert.equal(readdirSync(dir).filter((f) => f.startsWith('.failure.')), [], 'no partial directory beside the report');
});

report('trials.json keeps Infinity and -Infinity, and its best is study.bestTrial\'s even at -Infinity', async () => {
  const study = makeStudy(6);
  (study.trials[2] as { value: number }).value = -Infinity;
  (study.trials[3] as { value: number }).value = Infinity;
  await writeStudyReport(study, join(dir, 'infinite'));
  const json = JSON.parse(readFileSync(join(dir, 'infinite', 'trials.json'), 'utf8'));
  assert.is(json.bestTrial.number, study.trials[2].number);
  assert.is(json.bestTrial.value, '-Infinity');
  assert.ok(JSON.stringify(json).includes('"Infinity"'), 'Infinity is written, not null');
});

report('an empty study, a bad directory and a study without completed trials are handled with clear messages', async () => {
  await writeStudyReport({ studyName: 's', direction: 'minimize', trials: [] }, join(dir, 'empty')).then(
    () => assert.unreachable('should fail'),
    (e: Error) => assert.ok(e instanceof RangeError && /writeStudyReport: expected a study with at least one trial, got none/.test(e.message)),
  );
  assert.not.ok(existsSync(join(dir, 'empty')));
  await writeStudyReport(makeStudy(), '' as string).then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, /expected a directory path, got ""/));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  await writeStudyReport(makeStudy(), file).then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, /^writeStudyReport: '.*a-file' is a file, not a directory$/));
  assert.is(readFileSync(file, 'utf8'), 'x');
  await writeStudyReport(makeStudy(), join(dir, 'opts'), { seeds: 1 } as never).then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, /writeStudyReport: expected options among seed, keepOldMs, overwrite, got unknown option 'seeds'/));
  assert.not.ok(existsSync(join(dir, 'opts')));
  const running = makeStudy(3);
  running.trials.forEach((t) => ((t as { state: string }).state = 'running'));
  const written = await writeStudyReport(running, join(dir, 'running'));
  assert.equal(written.filter((f) => f.endsWith('.svg')), ['intermediate-values.svg']);
  const md = readFileSync(join(dir, 'running', 'report.md'), 'utf8');
  assert.ok(md.includes('No trial has completed yet.'));
  assert.match(md, /Hyperparameter importances \(fANOVA\): not drawn \(getParamImportances: expected at least 2 completed trials, got 0\)/);
});

report('the trials table escapes pipes in categorical values and leaves unknown cells empty', () => {
  const t = makeStudy(1).trials[0];
  const table = trialsTable([{ ...t, params: { opt: 'a|b' } }, { ...t, number: 1, params: {}, value: null, state: 'fail', datetimeComplete: null }]);
  assert.match(table, /\| 0 \| complete \| [\d.]+ \| a\\\|b \| 1\.25 \|/);
  assert.match(table, /\| 1 \| fail \|  \|  \|  \|/);
});

report('a folder of the user\'s files is refused before anything is written and left as it was; overwrite: true replaces it', async () => {
  const parent = join(dir, 'users');
  const mine = join(parent, 'd');
  mkdirSync(mine, { recursive: true });
  writeFileSync(join(mine, 'thesis.txt'), 'x');
  // the audit: the folder was renamed to a hidden .d.old-* and a report written 10 s later deleted it
  await writeStudyReport(makeStudy(), mine).then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, /^writeStudyReport: '.*users\/d' holds other files \(thesis\.txt\); choose a new or empty directory, or a previous report's, or pass overwrite: true to replace it and delete them$/));
  assert.equal(readdirSync(mine), ['thesis.txt']);
  assert.equal(readdirSync(parent), ['d'], 'nothing renamed aside, nothing half-written');
  const written = await writeStudyReport(makeStudy(), mine, { overwrite: true, keepOldMs: 0 });
  assert.equal(readdirSync(mine).sort(), [...written].sort());
  assert.equal(readdirSync(parent), ['d']);
});

report('a rewrite leaves no hidden .old-* copy behind once the readers\' second is up', async () => {
  const parent = join(dir, 'leftovers');
  const out = join(parent, 'r');
  for (let i = 0; i < 3; i++) await writeStudyReport(makeStudy(4), out);
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(readdirSync(parent), ['r']);
});

report('a symbolic link is followed: the report goes into the folder it points to, and the link stays', async () => {
  const real = join(dir, 'real-report');
  mkdirSync(real);
  const link = join(dir, 'linked-report');
  symlinkSync(real, link);
  const written = await writeStudyReport(makeStudy(4), link, { keepOldMs: 0 });
  await writeStudyReport(makeStudy(5), link, { keepOldMs: 0 });
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readdirSync(real).sort(), [...written].sort());
  assert.is(JSON.parse(readFileSync(join(real, 'trials.json'), 'utf8')).trials.length, 5);
});

report('a line break in the study name or a choice stays on its line: no heading or row is injected', async () => {
  const study = { ...makeStudy(3), studyName: 'mlp\n# Injected\r\n![x](history.svg)' };
  (study.trials[0] as { params: Record<string, unknown> }).params = { ...study.trials[0].params, note: 'a\n## b|c' };
  const out = join(dir, 'names');
  await writeStudyReport(study, out, { keepOldMs: 0 });
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  assert.ok(md.startsWith('# Study mlp # Injected ![x](history.svg)\n'), md.slice(0, 80));
  assert.equal(md.split('\n').filter((l) => l.startsWith('#')), ['# Study mlp # Injected ![x](history.svg)', '## Plots', '## Trials']);
  assert.match(md, /\n\| 0 \| complete \| [^\n]* \| a ## b\\\|c \| [\d.e-]+ \| 1\.25 \|\n/);
  assert.is(md.split('\n').filter((l) => /^\| \d+ \|/.test(l)).length, 3, 'one row per trial');
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.is((html.match(/<h1>/g) ?? []).length, 1);
  assert.is(JSON.parse(readFileSync(join(out, 'trials.json'), 'utf8')).studyName, study.studyName, 'the JSON keeps the name as it is');
});

report.after(() => rmSync(dir, { recursive: true, force: true }));
report.run();
