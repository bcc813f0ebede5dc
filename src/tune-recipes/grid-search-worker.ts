// The objective module of gridSearchCV's worker threads (`study.optimize({ module }, { nJobs })` imports it in each
// thread). It reads the search's settings from the study's user attributes, the data from the files they name, and
// the model from the user's module, then exports the same cell objective the single-thread search runs.
import { readFileSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { Tensor } from '../tensor/tensor.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { loadStudy } from '../tune/study.js';
import { cellObjective } from './grid-search.js';
import { importModelModule, LOSSES, type ThreadedSearch } from './grid-search-threads.js';

const { url, studyName } = workerData as { url: string; studyName: string };
const settings = await loadStudy({ studyName, storage: url });
const config = (await settings.userAttrs()).gridSearchCV as ThreadedSearch;
await settings.storage.close();

const read = (path: string, shape: number[]) => {
  const bytes = readFileSync(path);
  return new Tensor(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), shape);
};
const model = await importModelModule('gridSearchCV', config.model);
const loss = model.loss ?? (config.loss === null ? undefined : LOSSES[config.loss]);

/** The cell objective, as in the calling thread. */
export const objective = cellObjective({
  cells: config.cells, names: config.names, training: config.training, makeModel: model.makeModel,
  makeOptimizer: model.makeOptimizer ?? ((p: Tensor[], lr: number) => new Adam(p, { lr }) as unknown as Optimizer<{ lr: number }>),
  x: read(config.data.x, config.data.xShape), y: read(config.data.y, config.data.yShape), cv: config.cv, split: config.split,
  shuffle: config.shuffle, seed: config.seed, scoring: config.scoring, errorScore: config.errorScore ?? NaN,
  fitOptions: { ...(loss === undefined ? {} : { loss }), ...(config.clipNorm === undefined || config.clipNorm === null ? {} : { clipNorm: config.clipNorm }) },
});
