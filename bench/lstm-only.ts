// `npm run bench -- ...` runs everything; this runs the recurrent suite alone: node --import tsx bench/lstm-only.ts [--quick]
import { lrlabImplementations, machine } from './common.js';
import { lstmEpochSuite } from './recurrent.js';

const info = machine();
console.log(`LSTM epoch benchmark: ${info.cpu}, ${info.cores} cores, Node ${info.node}`);
const impls = lrlabImplementations(() => {}).filter((i) => i.mode === '-');
await lstmEpochSuite(impls, (s) => console.log(s), process.argv.includes('--quick'));
