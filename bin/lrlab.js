#!/usr/bin/env node
// The `lrlab` command: runs the compiled CLI (dist/ is built by `npm run build`, and by `npm pack` through the
// prepack script, so an installed package has it).
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  process.stderr.write('lrlab: dist/ is missing: run `npm run build` first (or `npm run lrlab -- ...` in a clone)\n');
  process.exit(1);
}
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
