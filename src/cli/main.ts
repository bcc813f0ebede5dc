import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { runDemo } from './demo.js';
import { compareSchedules, type ScheduleComparisonRow } from '../train/compare.js';

function printComparison(rows: ScheduleComparisonRow[], out: (s: string) => void): void {
  out('schedule                               final val MSE  best val MSE  convergence epoch  loss var (z)   dynamics     time\n');
  for (const r of rows) {
    const a = r.analysis;
    out(`${r.name.padEnd(38)} ${r.finalValMse.toFixed(2).padStart(13)} ${r.bestValMse.toFixed(2).padStart(13)} ${String(a.convergenceEpoch ?? '-').padStart(18)} ${a.lossVariance.toExponential(2).padStart(14)}  ${a.classification.padEnd(11)} ${(r.timeMs / 1000).toFixed(1).padStart(5)}s\n`);
  }
}

const HELP = `lrlab: find, schedule and tune learning rates

Usage:
  lrlab demo [--epochs N] [--lr RATE] [--seed N]   train seed 000's MLP on the built-in synthetic series
  lrlab compare-schedules [--epochs N] [--seed N]   constant, step, exponential and adaptive lr on seed 000's series
  lrlab --help

Options:
  --epochs N   training epochs (default 10)
  --lr RATE    Adam learning rate (default 0.001)
  --seed N     seed of initialization and shuffling (default 42)
`;

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { epochs: { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    process.stderr.write(`lrlab: ${(err as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    out(HELP);
    return values.help ? 0 : 2;
  }
  if (positionals[0] !== 'demo' && positionals[0] !== 'compare-schedules') {
    process.stderr.write(`lrlab: unknown command '${positionals[0]}' (try lrlab --help)\n`);
    return 2;
  }
  const num = (name: string, v: string | undefined, fallback: number, ok: (x: number) => boolean) => {
    if (v === undefined) return fallback;
    const x = Number(v);
    if (!ok(x)) throw new RangeError(`lrlab: --${name} expects ${name === 'lr' ? 'a positive number' : 'a positive integer'}, got '${v}'`);
    return x;
  };
  try {
    if (positionals[0] === 'compare-schedules') {
      printComparison(
        compareSchedules({ epochs: num('epochs', values.epochs, 50, (x) => Number.isInteger(x) && x > 0), seed: num('seed', values.seed, 42, (x) => Number.isInteger(x) && x >= 0) }),
        out,
      );
      return 0;
    }
    await runDemo({
      epochs: num('epochs', values.epochs, 10, (x) => Number.isInteger(x) && x > 0),
      lr: num('lr', values.lr, 1e-3, (x) => x > 0 && Number.isFinite(x)),
      seed: num('seed', values.seed, 42, (x) => Number.isInteger(x) && x >= 0),
      out,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
