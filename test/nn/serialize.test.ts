// Model files that hold something other than tensors: the message says what the file holds and names the file.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequential, Linear, loadModel, stateDictFromJSON, Generator } from '../../src/index.js';

const files = suite('loadModel and stateDictFromJSON on JSON that is not a state dict');
const dir = mkdtempSync(join(tmpdir(), 'lrlab-serialize-'));

files('a file holding null says "got null" (it said "got object"), and the model is left as it was', () => {
  const model = new Sequential(new Linear(2, 1, { generator: new Generator(0) }));
  const before = model.parameters().map((p) => Array.from(p.data));
  const path = join(dir, 'null.json');
  writeFileSync(path, 'null');
  assert.throws(() => loadModel(model, path), (e: Error) => e instanceof TypeError && /^loadModel: in '.*null\.json': expected an object of tensors, got null$/.test(e.message));
  assert.throws(() => stateDictFromJSON(null), (e: Error) => e instanceof TypeError && e.message === 'stateDictFromJSON: expected an object of tensors, got null');
  assert.equal(model.parameters().map((p) => Array.from(p.data)), before);
});

files('arrays, numbers and strings are named by kind; a bad entry names its key and the file (and null as null)', () => {
  const model = new Sequential(new Linear(2, 1));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  assert.throws(() => loadModel(model, write('array.json', '[1, 2]')), /^loadModel: in '.*array\.json': expected an object of tensors, got an array$/);
  assert.throws(() => loadModel(model, write('number.json', '3')), /got number$/);
  assert.throws(() => loadModel(model, write('string.json', '"w"')), /got string$/);
  assert.throws(() => loadModel(model, write('entry.json', '{"0.weight": {"shape": [1, 2], "data": null}}')), /^loadModel: in '.*entry\.json': entry '0.weight': expected data to be an array, got null$/);
});

files.after(() => rmSync(dir, { recursive: true, force: true }));
files.run();
