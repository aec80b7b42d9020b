// MLP backward pass against numerical derivatives of a float64 CPU forward pass, and the training
// loop's behaviour: it learns, it is deterministic, and its GPU memory stays flat.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Random } from '../src/data/random.js';
import type { LossKind } from '../src/kernels/loss.js';
import { Mlp, type ExportedLayer } from '../src/models/mlp.js';
import { recordGradients, trainMlp } from '../src/models/train.js';
import { randomArray, relativeError, testEngine } from './helpers.js';

/** Float64 mean loss of an MLP over a batch, written from the definitions. */
function cpuLoss(layers: ExportedLayer[], params: Float64Array[], x: Float32Array, t: Float32Array, rows: number, kind: LossKind): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let input = Array.from(x.subarray(r * layers[0].inputs, (r + 1) * layers[0].inputs), Number);
    layers.forEach((layer, l) => {
      const w = params[2 * l];
      const b = params[2 * l + 1];
      const out = new Array<number>(layer.outputs).fill(0);
      for (let j = 0; j < layer.outputs; j++) {
        let sum = b[j];
        for (let i = 0; i < layer.inputs; i++) sum += input[i] * w[i * layer.outputs + j];
        out[j] = layer.activation === 'relu' ? Math.max(sum, 0) : sum;
      }
      input = out;
    });
    const c = input.length;
    const target = Array.from(t.subarray(r * c, (r + 1) * c), Number);
    const top = Math.max(...input);
    const p = c === 1 ? [1 / (1 + Math.exp(-input[0]))] : input.map((z) => Math.exp(z - top) / input.reduce((s, v) => s + Math.exp(v - top), 0));
    if (kind === 'probability-mse') total += p.reduce((s, v, j) => s + (v - target[j]) ** 2, 0);
    else if (c === 1) total += -(target[0] * Math.log(p[0]) + (1 - target[0]) * Math.log(1 - p[0]));
    else total += -p.reduce((s, v, j) => s + target[j] * Math.log(v), 0);
  }
  return total / rows;
}

test('backward matches numerical gradient', async () => {
  const engine = await testEngine();
  const random = new Random(21);
  for (const [outputs, kind] of [
    [3, 'cross-entropy'],
    [1, 'cross-entropy'],
    [1, 'probability-mse'],
  ] as Array<[number, LossKind]>) {
    const rows = 13;
    const architecture = { inputs: 5, hidden: [7, 6], outputs };
    const mlp = Mlp.create(engine, architecture, 4);
    const xData = randomArray(random, rows * 5);
    const tData = new Float32Array(rows * outputs);
    for (let r = 0; r < rows; r++) {
      if (outputs === 1) tData[r] = random.uniform();
      else tData[r * outputs + random.int(outputs)] = 1;
    }
    const x = engine.tensor(rows, 5, xData);
    const t = engine.tensor(rows, outputs, tData);
    const activations = mlp.allocateActivations(rows);
    const deltas = mlp.slots.map((s) => engine.tensor(rows, s.outputs));
    const grads = engine.tensor(1, mlp.bufferLength, new Float32Array(mlp.bufferLength));
    const rowLoss = engine.tensor(rows, 1);
    engine.runOnce((p) => recordGradients(p, mlp, x, t, activations, deltas, grads, rowLoss, 0, kind));
    const gpuGrads = await engine.read(grads);
    const gpuLoss = (await engine.read(rowLoss)).reduce((s, v) => s + v, 0) / rows;

    const layers = await mlp.export();
    const params = layers.flatMap((layer) => [Float64Array.from(layer.weights), Float64Array.from(layer.bias)]);
    const expectedLoss = cpuLoss(layers, params, xData, tData, rows, kind);
    assert.ok(Math.abs(gpuLoss - expectedLoss) <= 1e-4 * Math.abs(expectedLoss), `${kind}: loss ${gpuLoss} vs ${expectedLoss}`);

    const h = 1e-6;
    const expected: number[] = [];
    const actual: number[] = [];
    mlp.slots.forEach((slot, l) => {
      for (const [which, offset] of [
        [0, slot.weightOffset],
        [1, slot.biasOffset],
      ]) {
        const values = params[2 * l + which];
        for (let i = 0; i < values.length; i++) {
          const saved = values[i];
          values[i] = saved + h;
          const up = cpuLoss(layers, params, xData, tData, rows, kind);
          values[i] = saved - h;
          const down = cpuLoss(layers, params, xData, tData, rows, kind);
          values[i] = saved;
          expected.push((up - down) / (2 * h));
          actual.push(gpuGrads[offset + i]);
        }
      }
    });
    const error = relativeError(actual, expected);
    assert.ok(error <= 1e-4, `${kind}, ${outputs} outputs: gradient relative error ${error}`);
    for (const tensor of [x, t, grads, rowLoss, ...activations, ...deltas]) tensor.release();
    mlp.release();
  }
});

/** Generates a nonlinear problem: a disc in the first two of 6 uniform attributes, with a slightly noisy edge. */
function syntheticProblem(random: Random, rows: number): { x: Float32Array; labels: Int32Array } {
  const x = new Float32Array(rows * 6);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < 6; c++) x[r * 6 + c] = random.uniform();
    const radius = (x[r * 6] - 0.5) ** 2 + (x[r * 6 + 1] - 0.5) ** 2;
    labels[r] = radius + 0.01 * random.normal() < 0.08 ? 1 : 0;
  }
  return { x, labels };
}

async function trainSynthetic(seed: number, epochs: number, onEpoch?: () => void, learningRate = 0.01) {
  const engine = await testEngine();
  const random = new Random(99);
  const train = syntheticProblem(random, 700);
  const validation = syntheticProblem(random, 300);
  const x = engine.tensor(700, 6, train.x);
  const targets = engine.tensor(700, 1, Float32Array.from(train.labels));
  const vx = engine.tensor(300, 6, validation.x);
  const mlp = Mlp.create(engine, { inputs: 6, hidden: [32], outputs: 1 }, seed);
  const result = await trainMlp(
    mlp,
    { x, targets },
    { x: vx, labels: validation.labels },
    { epochs, batchSize: 50, learningRate, schedule: 'constant', patience: 1000, loss: 'cross-entropy', seed, onEpoch },
  );
  const layers = await mlp.export();
  for (const t of [x, targets, vx]) t.release();
  mlp.release();
  return { result, layers };
}

test('training learns a nonlinear boundary', async () => {
  const { result } = await trainSynthetic(1, 60);
  const first = result.history[0].validationRmse;
  assert.ok(result.bestValidationRmse < 0.3, `best validation RMSE ${result.bestValidationRmse}`);
  assert.ok(result.bestValidationRmse < first - 0.05, `RMSE went from ${first} to only ${result.bestValidationRmse}`);
  assert.ok(result.history[result.history.length - 1].trainLoss < result.history[0].trainLoss, 'training loss did not fall');
});

test('training is deterministic for one seed', async () => {
  const a = await trainSynthetic(7, 5);
  const b = await trainSynthetic(7, 5);
  const c = await trainSynthetic(8, 5);
  assert.equal(Array.from(a.layers[0].weights), Array.from(b.layers[0].weights));
  assert.equal(a.result.history, b.result.history);
  assert.not.equal(Array.from(a.layers[0].weights), Array.from(c.layers[0].weights));
});

test('training keeps GPU memory flat', async () => {
  const engine = await testEngine();
  const inUseBefore = engine.pool.inUseBytes;
  const allocated: number[] = [];
  await trainSynthetic(3, 8, () => allocated.push(engine.pool.allocatedBytes));
  assert.is(allocated.length, 8);
  assert.ok(allocated.every((bytes) => bytes === allocated[0]), `pool grew during training: ${allocated.join(', ')}`);
  assert.is(engine.pool.inUseBytes, inUseBefore, 'training leaked pooled buffers');
});

test('divergence is a clear error', async () => {
  const engine = await testEngine();
  const inUseBefore = engine.pool.inUseBytes;
  try {
    await trainSynthetic(4, 5, undefined, 1e30);
    assert.unreachable('training with a learning rate of 1e30 did not fail');
  } catch (error) {
    assert.instance(error, Error);
    assert.match((error as Error).message, /training diverged at epoch \d+ .*lower --learning-rate/);
  }
  // Buffers of the failed run went back to the pool; only the test's own inputs may remain.
  assert.ok(engine.pool.inUseBytes - inUseBefore <= 64 * 1024, `in use grew by ${engine.pool.inUseBytes - inUseBefore} bytes`);
});

test.run();
