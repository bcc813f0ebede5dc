// The tuned LSTM forecaster in a few lines: a short study on the built-in series, the best model reloaded, and the
// comparison with a tuned MLP and the naive forecast. Run with: npx tsx examples/tune-lstm.ts [outDir]
// (`lrlab tune-lstm` runs the full study: 50 trials of 20 epochs over the whole space.)
import { tuneLstm, buildForecaster, forecastData, syntheticTimeSeries, loadModel, evaluate, useBackend } from '../src/index.js';

useBackend('wasm'); // the fast CPU path; the library's default is the readable reference backend
const outDir = process.argv[2] ?? 'lrlab-lstm-example';
const values = syntheticTimeSeries().values;

const result = await tuneLstm({
  values,
  nTrials: 12,
  mlpTrials: 6,
  epochs: 6,
  // a narrower space than the full study's, so the example runs in a minute or two
  space: { hiddenSize: [16, 32, 64], numLayers: [1, 2] },
  outDir,
  log: (line) => console.log(line),
});

const best = result.bestTrial;
console.log(`\nbest trial ${best.number}: ${JSON.stringify(best.params)}`);
console.log(`pruned trials: ${result.study.trials.filter((t) => t.state === 'pruned').length} of ${result.study.trials.length}`);

// the saved model reloads into the architecture its parameters describe and gives the study's validation loss back
const model = buildForecaster('lstm', best.params, 20, 0);
loadModel(model, `${outDir}/best-model.json`);
const data = forecastData(values);
console.log(`reloaded model, validation MSE (standardized): ${evaluate(model, data.valid.x, data.valid.y).toPrecision(6)} (study: ${(best.value as number).toPrecision(6)})`);

console.table(result.comparison.map((r) => ({ model: r.model, 'validation MSE': r.validMse.toFixed(3), 'test MSE': r.testMse.toFixed(3) })));
console.log(`files in ${outDir}: ${result.files.join(', ')}`);
