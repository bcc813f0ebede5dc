import { main } from '../../src/cli/main.js';

/** Runs the lrlab command in this process: its exit code, what it printed, and what it wrote to stderr. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const write = process.stderr.write.bind(process.stderr);
  (process.stderr as any).write = (s: string) => ((err += s), true);
  try {
    const code = await main(args, (s) => (out += s));
    return { code, out, err };
  } finally {
    (process.stderr as any).write = write;
  }
}
