// Training data for teacher-model tests: FitData from encoded rows, and letter.csv split and
// encoded as the pipeline's prepareData does it.
import { readFileSync } from 'node:fs';
import { parseCsv } from '../src/data/csv.js';
import { encodeRows, fitEncoder, type Encoder } from '../src/data/encode.js';
import { defineProblem } from '../src/data/problem.js';
import { splitRows } from '../src/data/split.js';
import type { Engine } from '../src/gpu/engine.js';
import type { FitData } from '../src/models/model.js';

/** Returns an encoder of `continuous` continuous columns named c0, c1, ..., then nominal attributes of the given sizes. */
export function makeEncoder(continuous: number, nominal: number[] = []): Encoder {
  const attributes: Encoder['attributes'] = [];
  for (let c = 0; c < continuous; c++) attributes.push({ name: `c${c}`, kind: 'continuous', column: c, min: 0, max: 1, fill: 0.5 });
  let width = continuous;
  nominal.forEach((values, a) => {
    attributes.push({ name: `n${a}`, kind: 'nominal', column: width, categories: Array.from({ length: values }, (_, v) => `v${v}`) });
    width += values;
  });
  return { attributes, width };
}

/**
 * Returns FitData for encoded rows (N x encoder.width, row-major) and their labels. Validation is
 * the training rows again; the models under test do not stop early. Release with `releaseFitData`.
 */
export function makeFitData(engine: Engine, encoder: Encoder, xHost: Float32Array, labels: Int32Array, classes: number): FitData {
  const n = labels.length;
  const outputs = classes === 2 ? 1 : classes;
  const targets = new Float32Array(n * outputs);
  labels.forEach((label, r) => {
    if (outputs === 1) targets[r] = label;
    else targets[r * outputs + label] = 1;
  });
  const x = engine.tensor(n, encoder.width, xHost);
  return {
    engine,
    x,
    xHost,
    labels,
    targets: engine.tensor(n, outputs, targets),
    classes,
    outputs,
    encoder,
    validation: { x, labels },
  };
}

export function releaseFitData(data: FitData): void {
  data.x.release();
  data.targets.release();
}

export interface LetterSplit {
  encoder: Encoder;
  classes: number;
  train: { x: Float32Array; labels: Int32Array };
  validation: { x: Float32Array; labels: Int32Array };
}

/**
 * letter.csv with 4,000 training and 1,000 validation rows (splitRows, seed 1), encoded on the
 * training rows. `binary`: letters A to M are positive (LETTER.p2); otherwise 26 classes.
 */
export function letterSplit(binary: boolean): LetterSplit {
  const text = readFileSync(new URL('../../data/letter.csv', import.meta.url), 'utf8');
  const table = parseCsv(text, 'letter.csv');
  const positive = binary ? 'ABCDEFGHIJKLM'.split('') : undefined;
  const problem = defineProblem(table, { target: 'lettr', positive });
  const split = splitRows(problem.labels, 1, { train: 4000, validation: 1000 });
  const encoder = fitEncoder(table, ['lettr'], split.train);
  const pick = (rows: Int32Array) => rows.map((r) => problem.labels[r]);
  return {
    encoder,
    classes: problem.classes.length,
    train: { x: encodeRows(encoder, table, split.train), labels: pick(split.train) },
    validation: { x: encodeRows(encoder, table, split.validation), labels: pick(split.validation) },
  };
}
