// The optimizer kernels check their decaying state for tiny numbers once per block of 256 floats and then run the
// block with no check per group: on parameters of several blocks with tiny state in some blocks only (and a tail
// shorter than a block), every optimizer gives the reference loop's bits, on one thread and on two. Also the maxAbs
// kernel the step's bound reads (magnitude bits compared as integers) against the reference's answer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, NAdam, RAdam, Adamax, Optimizer, Tensor, Generator, createWasmBackend, registerBackend, useBackend, getBackend, cpuBackend } from '../../src/index.js';
import { firstDifference } from './helpers.js';
import { maxAbs } from '../../src/tensor/finite.js';

type Ctor = new (params: any, options?: any) => Optimizer<any>;
const CASES: [string, Ctor, Record<string, unknown>][] = [
  ['SGD', SGD, { lr: 0.1 }],
  // dampening 0: the momentum buffer is summed in float32; 0.1: in double with one rounding
  ['SGD', SGD, { lr: 0.05, momentum: 0.9 }],
  ['SGD', SGD, { lr: 0.05, momentum: 0.9, dampening: 0.1 }],
  ['SGD', SGD, { lr: 0.05, momentum: 0.9, nesterov: true }],
  ['Adam', Adam, { lr: 0.01 }],
  ['Adam', Adam, { lr: 0.01, amsgrad: true }],
  ['AdamW', AdamW, { lr: 0.01, weightDecay: 0.1 }],
  ['RMSprop', RMSprop, { lr: 0.01 }],
  ['RMSprop', RMSprop, { lr: 0.01, centered: true, momentum: 0.5 }],
  ['Adagrad', Adagrad, { lr: 0.1 }],
  ['Adadelta', Adadelta, { lr: 1 }],
  ['NAdam', NAdam, { lr: 0.01 }],
  ['RAdam', RAdam, { lr: 0.01 }],
  ['Adamax', Adamax, { lr: 0.01 }],
];
/** Four blocks of 256 floats and a tail of 7 (not a multiple of 4). */
const N = 4 * 256 + 7;
const STEPS = 30;

const one = createWasmBackend({ threads: 1, name: 'wasm-blocks-1' }), two = createWasmBackend({ threads: 2, name: 'wasm-blocks-2' });
registerBackend(one);
registerBackend(two);
const test = suite('optimizer kernels by blocks of 256 floats');

/**
 * Parameters and state after STEPS steps. In blocks 1 and 3 a unit in 8 has gradient 0 from step 3 on (its decaying
 * state goes through tiny and subnormal numbers) or of magnitude 1e-30 or 1e-20 (momenta, and squares, in that range); blocks 0 and 2 and the tail have ordinary
 * gradients only, so their state never gets tiny.
 */
function run(Opt: Ctor, options: Record<string, unknown>, backend: string): { arrays: Float32Array[]; tiny: number } {
  const previous = getBackend().name;
  useBackend(backend);
  try {
    const g = new Generator(21);
    const p = new Tensor(Float32Array.from({ length: N }, (_, i) => g.normal() * 10 ** -(i % 3)), [N], { requiresGrad: true });
    const opt = new Opt([p], options);
    let tiny = 0;
    for (let step = 0; step < STEPS; step++) {
      p.grad = new Tensor(Float32Array.from({ length: N }, (_, i) => {
        const block = Math.floor(i / 256), x = g.normal();
        if ((block === 1 || block === 3) && i % 8 === 0) return step < 3 ? x : 0;
        if ((block === 1 || block === 3) && i % 8 === 1) return x * 1e-30;
        if ((block === 1 || block === 3) && i % 8 === 2) return x * 1e-20;
        return x * 10 ** ((i % 5) - 2);
      }), [N]);
      opt.step();
      for (const v of Object.values(opt.state.get(p)!)) if (v instanceof Float32Array) for (const x of v) if (x !== 0 && Math.abs(x) < 2 ** -90) tiny++;
    }
    return { arrays: [p.data.slice(), ...Object.values(opt.state.get(p)!).filter((v): v is Float32Array => v instanceof Float32Array).map((v) => v.slice())], tiny };
  } finally {
    useBackend(previous);
  }
}

for (const [name, Opt, options] of CASES) {
  test(`${name} ${JSON.stringify(options)}: the reference's bits with tiny state in some blocks, on one thread and on two`, () => {
    const reference = run(Opt, options, 'cpu');
    // Adagrad's sum only grows and SGD without momentum has no state: the others' state did get tiny
    if (name !== 'Adagrad' && (name !== 'SGD' || options.momentum !== undefined)) assert.ok(reference.tiny > 0, 'the state held tiny numbers');
    for (const backend of ['wasm-blocks-1', 'wasm-blocks-2']) {
      const fast = run(Opt, options, backend);
      assert.is(fast.arrays.length, reference.arrays.length);
      for (let k = 0; k < reference.arrays.length; k++) {
        const at = firstDifference(fast.arrays[k], reference.arrays[k]);
        assert.is(at, -1, `${backend}, ${k === 0 ? 'parameter' : `state array ${k}`}, index ${at} (block ${Math.floor(at / 256)}): ${fast.arrays[k][at]} vs reference ${reference.arrays[k][at]}`);
      }
    }
  });
}

test('maxAbs over the kernels gives the reference\'s answer: largest magnitude, Infinity, NaN anywhere, -0 and subnormals', () => {
  const g = new Generator(22);
  for (const n of [1, 3, 16, 17, 64, 1000, (1 << 16) + 5]) {
    const base = () => Float32Array.from({ length: n }, () => g.normal() * 1e-3);
    const cases: [string, Float32Array[]][] = [['ordinary', [base(), base()]]];
    const big = base();
    big[n - 1] = -3.4e38;
    cases.push(['largest finite, negative, last', [base(), big]]);
    const inf = base();
    inf[n >> 1] = -Infinity;
    cases.push(['-Infinity', [inf, base(), base()]]);
    for (const at of [0, n >> 1, n - 1]) {
      const nan = base();
      nan[at] = NaN;
      const infToo = base();
      infToo[0] = Infinity;
      cases.push([`NaN at ${at} beside Infinity`, [infToo, nan]]);
    }
    cases.push(['-0 and subnormals only', [Float32Array.from({ length: n }, (_, i) => (i % 2 ? -0 : 1e-45 * (i % 7)))]]);
    for (const [what, arrays] of cases) {
      const expected = (() => { useBackend('cpu'); return maxAbs(...arrays); })();
      useBackend('wasm-blocks-1');
      try {
        assert.is(Object.is(maxAbs(...arrays), expected), true, `length ${n}, ${what}: ${maxAbs(...arrays)} vs reference ${expected}`);
      } finally {
        useBackend(cpuBackend.name);
      }
    }
  }
});

test.after(() => {
  one.dispose();
  two.dispose();
});
test.run();
