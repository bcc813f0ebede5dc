// Memory stays flat over 1,000 training steps: nothing the engine, the ops or an optimizer keeps grows per step.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Sequential, Linear, ReLU, Adam, mseLoss, randn, Generator } from '../src/index.js';

const test = suite('memory over a long run');
const gc = (globalThis as { gc?: () => void }).gc;

if (gc === undefined) {
  console.log('  memory suite skipped: run node with --expose-gc (npm test does) to measure heap growth');
  test.skip('heap stays flat over 1,000 Adam steps of the seed 000 MLP', () => {});
} else {
  test('heap stays flat over 1,000 Adam steps of the seed 000 MLP (growth under 1 MB after warm-up)', () => {
    const g = new Generator(0);
    const model = new Sequential(new Linear(20, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 1));
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const x = randn([32, 20], { generator: g }), y = randn([32, 1], { generator: g });
    const step = () => {
      opt.zeroGrad();
      const loss = mseLoss(model.forward(x), y);
      loss.backward();
      opt.step();
    };
    const heapAfter = (steps: number) => {
      for (let i = 0; i < steps; i++) step();
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const warm = heapAfter(100);
    const later = heapAfter(1000);
    const growth = later - warm;
    assert.ok(growth < 1024 * 1024, `heap grew by ${(growth / 1024).toFixed(0)} KiB over 1,000 steps`);
  });
}

test.run();
