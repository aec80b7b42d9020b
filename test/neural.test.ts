// The neural library families against independent references: logistic regression recovers the
// model that generated its data, random Fourier features estimate the Gaussian kernel, and the
// cosine kernel matches float64 cos.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Random } from '../src/data/random.js';
import type { Encoder } from '../src/data/encode.js';
import type { Engine } from '../src/gpu/engine.js';
import { cosineFeatures } from '../src/kernels/features.js';
import type { FitData } from '../src/models/model.js';
import { FourierMap, fitNeuralModel, type LogisticSpec, type RffSpec } from '../src/models/neural.js';
import { randomArray, relativeError, testEngine } from './helpers.js';

function continuousEncoder(columns: number): Encoder {
  return {
    width: columns,
    attributes: Array.from({ length: columns }, (_, c) => ({ name: `x${c}`, kind: 'continuous' as const, column: c, min: 0, max: 1, fill: 0.5 })),
  };
}

/** Draws rows uniform in [0, 1)^D and labels from softmax(x W + b) (sigmoid when W has one column). */
function generate(random: Random, rows: number, w: number[][], b: number[]): { x: Float32Array; labels: Int32Array; truth: Float64Array } {
  const d = w.length;
  const k = b.length;
  const outputs = k === 1 ? 1 : k;
  const x = randomArray(random, rows * d, 0, 1);
  const labels = new Int32Array(rows);
  const truth = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    const logits = b.map((bias, j) => bias + w.reduce((sum, row, c) => sum + row[j] * x[r * d + c], 0));
    let p: number[];
    if (k === 1) p = [1 / (1 + Math.exp(-logits[0]))];
    else {
      const top = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - top));
      const total = e.reduce((a, v) => a + v, 0);
      p = e.map((v) => v / total);
    }
    p.forEach((v, j) => (truth[r * outputs + j] = v));
    const u = random.uniform();
    if (k === 1) labels[r] = u < p[0] ? 1 : 0;
    else {
      let acc = 0;
      labels[r] = k - 1;
      for (let j = 0; j < k; j++) {
        acc += p[j];
        if (u < acc) {
          labels[r] = j;
          break;
        }
      }
    }
  }
  return { x, labels, truth };
}

function fitDataFor(engine: Engine, x: Float32Array, labels: Int32Array, d: number, classes: number, validation: { x: Float32Array; labels: Int32Array }): FitData {
  const outputs = classes === 2 ? 1 : classes;
  const rows = labels.length;
  const targets = new Float32Array(rows * outputs);
  labels.forEach((label, r) => {
    if (outputs === 1) targets[r] = label;
    else targets[r * outputs + label] = 1;
  });
  return {
    engine,
    x: engine.tensor(rows, d, x),
    xHost: x,
    labels,
    targets: engine.tensor(rows, outputs, targets),
    classes,
    outputs,
    encoder: continuousEncoder(d),
    validation: { x: engine.tensor(validation.labels.length, d, validation.x), labels: validation.labels },
  };
}

const logisticSpec: LogisticSpec = { family: 'logistic', learningRate: 0.05, epochs: 40, batchSize: 128, weightDecay: 0, patience: 40, seed: 3 };

for (const { name, w, b } of [
  { name: 'binary', w: [[3], [-4], [2]], b: [-0.5] },
  { name: '3 classes', w: [[3, -1, 0], [-2, 2, 1], [0, 1, -3]], b: [0.2, -0.3, 0.5] },
]) {
  test(`logistic recovers its generator: ${name}`, async () => {
    const engine = await testEngine();
    const random = new Random(11, b.length);
    const train = generate(random, 12000, w, b);
    const check = generate(random, 1500, w, b);
    const classes = Math.max(2, b.length);
    const data = fitDataFor(engine, train.x, train.labels, w.length, classes, check);
    const model = await fitNeuralModel(data, logisticSpec);
    const p = model.predict(data.validation.x);
    const predicted = await engine.read(p);
    let error = 0;
    predicted.forEach((v, i) => (error += Math.abs(v - check.truth[i])));
    error /= predicted.length;
    assert.ok(error < 0.03, `mean |p - true p| = ${error}`);
    for (const t of [p, data.x, data.targets, data.validation.x]) t.release();
    model.release();
  });
}

test('fourier features estimate the kernel', async () => {
  const engine = await testEngine();
  const d = 5;
  const random = new Random(5, 0);
  const rows = 40;
  const x = randomArray(random, rows * d, 0, 1);
  const spec: RffSpec = { family: 'rff', features: 8192, gamma: 3, learningRate: 1e-3, epochs: 1, batchSize: 64, weightDecay: 0, patience: 1, seed: 9 };
  const encoder = continuousEncoder(d);
  const data = { engine, encoder, x: engine.tensor(rows, d, x) } as unknown as FitData;
  const map = FourierMap.create(engine, data, spec);
  const featuresTensor = map.map(data.x);
  const z = await engine.read(featuresTensor);
  let worst = 0;
  for (let i = 0; i < rows; i += 2) {
    const j = i + 1;
    let distance = 0;
    for (let c = 0; c < d; c++) distance += (x[i * d + c] - x[j * d + c]) ** 2;
    let dot = 0;
    for (let f = 0; f < spec.features; f++) dot += z[i * spec.features + f] * z[j * spec.features + f];
    worst = Math.max(worst, Math.abs(dot - Math.exp(-spec.gamma * distance)));
  }
  // Each estimate averages 8,192 terms bounded by 2 in size, so its standard deviation is below 0.016.
  assert.ok(worst < 0.07, `largest kernel error ${worst}`);
  featuresTensor.release();
  data.x.release();
  map.release();
});

test('cosine kernel matches float64', async () => {
  const engine = await testEngine();
  const random = new Random(2, 2);
  const values = randomArray(random, 1000 * 3 + 7, -40, 40);
  const tensor = engine.tensor(1, values.length, values);
  engine.runOnce((program) => cosineFeatures(program, tensor, 0.7));
  const actual = await engine.read(tensor);
  const expected = Array.from(values, (v) => 0.7 * Math.cos(v));
  assert.ok(relativeError(actual, expected) < 1e-3, `relative error ${relativeError(actual, expected)}`);
  tensor.release();
});

test.run();
