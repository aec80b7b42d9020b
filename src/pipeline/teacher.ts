import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import type { FitData } from '../models/model.js';
import type { PreparedData } from './compress.js';

/** Targets as the models' outputs expect them: 0/1 for binary problems, one-hot rows otherwise. */
export function targetMatrix(labels: Int32Array, outputs: number): Float32Array {
  const out = new Float32Array(labels.length * outputs);
  labels.forEach((label, r) => {
    if (outputs === 1) out[r] = label;
    else out[r * outputs + label] = 1;
  });
  return out;
}

function pick(labels: Int32Array, rows: Int32Array): Int32Array {
  return rows.map((r) => labels[r]);
}

/** The prepared rows on the GPU as library models fit on them, plus the test rows. */
export interface UploadedData {
  data: FitData;
  /** T x D test rows. */
  test: Tensor;
  testLabels: Int32Array;
  /** Releases every tensor uploaded here. */
  release(): void;
}

/** Uploads the training, validation and test rows of `prepared` and their targets. */
export function fitData(engine: Engine, prepared: PreparedData): UploadedData {
  const { problem, split, encoder, outputs } = prepared;
  const labels = pick(problem.labels, split.train);
  const x = engine.tensor(split.train.length, encoder.width, prepared.train);
  const targets = engine.tensor(split.train.length, outputs, targetMatrix(labels, outputs));
  const validationX = engine.tensor(split.validation.length, encoder.width, prepared.validation);
  const test = engine.tensor(split.test.length, encoder.width, prepared.test);
  return {
    data: {
      engine,
      x,
      xHost: prepared.train,
      labels,
      targets,
      classes: problem.classes.length,
      outputs,
      encoder,
      validation: { x: validationX, labels: pick(problem.labels, split.validation) },
    },
    test,
    testLabels: pick(problem.labels, split.test),
    release: () => {
      for (const t of [x, targets, validationX, test]) t.release();
    },
  };
}
