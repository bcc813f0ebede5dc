// A model module for gridSearchCV in worker threads: makeModel(cell) and the loss, importable in any thread.
import { Sequential, Linear, ReLU, crossEntropy, type GridCell } from '../../../src/index.js';

/** A 2-hidden-3 classifier whose hidden width is the grid's `hidden`. */
export function makeModel(cell: GridCell) {
  const hidden = cell.hidden as number;
  return new Sequential(new Linear(2, hidden), new ReLU(), new Linear(hidden, 3));
}

export const loss = crossEntropy;
