// Every WGSL kernel against a float64 CPU reference, on random data at sizes that are not
// multiples of the kernels' tiles (32x32 output tiles, 64-invocation workgroups).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Random, philox4x32, wordToUniform } from '../src/data/random.js';
import { nearestNeighbour, pairwiseDistance } from '../src/kernels/distance.js';
import { gatherRows } from '../src/kernels/gather.js';
import { lossAndGradient, probabilities, type LossKind } from '../src/kernels/loss.js';
import { createEngine } from '../src/gpu/engine.js';
import { matmul, matmulKernel } from '../src/kernels/matmul.js';
import { mungeRows } from '../src/kernels/munge.js';
import { adamStep } from '../src/kernels/optimizer.js';
import { fillRandom } from '../src/kernels/random.js';
import { columnSum } from '../src/kernels/reduce.js';
import { matmulError, randomArray, relativeError, testEngine } from './helpers.js';
import { distanceReference, type MatmulCase } from './reference.js';

const tolerance = 1e-4;
/** For results that pass through WGSL's cos, sin and log, whose accuracy WGSL bounds more loosely. */
const transcendentalTolerance = 1e-3;

const matmulCases: MatmulCase[] = [
  { m: 37, n: 45, k: 19, options: {} },
  { m: 37, n: 45, k: 19, options: { bias: true, activation: 'relu' } },
  { m: 70, n: 33, k: 129, options: { transA: true, activation: 'sigmoid', bias: true } },
  { m: 29, n: 66, k: 17, options: { transB: true, activation: 'tanh' } },
  { m: 41, n: 5, k: 23, options: { transA: true, transB: true } },
  { m: 53, n: 34, k: 1, options: { gate: true } },
  { m: 1, n: 1, k: 1, options: { bias: true } },
  { m: 13, n: 9, k: 11, batch: 3, options: { bias: true, activation: 'relu' } },
  { m: 13, n: 9, k: 11, batch: 3, options: { broadcastB: true, transB: true } },
  { m: 300, n: 1, k: 257, options: { bias: true } },
  // N = 1 runs the matrix-vector kernels: vec4 loads when A is not transposed and K is a multiple
  // of 4, scalar loads otherwise.
  { m: 301, n: 1, k: 256, options: { bias: true, activation: 'sigmoid' } },
  { m: 37, n: 1, k: 20, batch: 3, options: { broadcastB: true, gate: true } },
  { m: 45, n: 1, k: 12, options: { transB: true, activation: 'relu', gate: true } },
  { m: 70, n: 1, k: 33, options: { transA: true, activation: 'tanh', bias: true } },
  { m: 13, n: 1, k: 8, batch: 3, options: { transA: true, transB: true } },
  // K and N multiples of 4 (and M with transA) run the subgroup kernel where the adapter has
  // subgroups of 4 or 8; M is not a multiple of the 8-row tiles.
  { m: 37, n: 44, k: 20, options: { bias: true, activation: 'relu' } },
  { m: 52, n: 36, k: 132, options: { transA: true, activation: 'sigmoid', bias: true } },
  { m: 29, n: 68, k: 16, options: { transB: true, activation: 'tanh', gate: true } },
  { m: 44, n: 8, k: 12, options: { transA: true, transB: true, gate: true } },
  { m: 13, n: 12, k: 8, batch: 3, options: { bias: true, activation: 'relu' } },
  { m: 13, n: 12, k: 8, batch: 3, options: { broadcastB: true, transB: true } },
  { m: 70, n: 4, k: 4, options: { gate: true, bias: true } },
];

test('matmul matches float64 reference', async () => {
  const engine = await testEngine();
  const random = new Random(1);
  for (const c of matmulCases) {
    const error = await matmulError(engine, random, c);
    assert.ok(error <= tolerance, `${JSON.stringify(c)}: relative error ${error}`);
  }
});

test('matmul without subgroups matches reference', async () => {
  const engine = await createEngine({ subgroups: false });
  assert.is(engine.subgroupSize, undefined);
  const random = new Random(11);
  for (const c of matmulCases) {
    const error = await matmulError(engine, random, c);
    assert.ok(error <= tolerance, `${JSON.stringify(c)}: relative error ${error}`);
  }
  engine.destroy();
});

test('matmul picks kernel by shape', async () => {
  const engine = await testEngine();
  const plain = await createEngine({ subgroups: false });
  const subgroups = engine.subgroupSize === 4 || engine.subgroupSize === 8;
  assert.is(matmulKernel(engine, 100, 1, 256), 'matvec');
  assert.is(matmulKernel(engine, 100, 1, 257), 'matvec-scalar');
  assert.is(matmulKernel(engine, 100, 1, 256, { transA: true }), 'matvec-scalar');
  assert.is(matmulKernel(engine, 37, 44, 20), subgroups ? 'subgroup' : 'tiled');
  assert.is(matmulKernel(engine, 52, 36, 132, { transA: true }), subgroups ? 'subgroup' : 'tiled');
  assert.is(matmulKernel(engine, 50, 36, 132, { transA: true }), 'tiled');
  assert.is(matmulKernel(engine, 37, 45, 20), 'tiled');
  assert.is(matmulKernel(engine, 37, 44, 19), 'tiled');
  assert.is(matmulKernel(plain, 37, 44, 20), 'tiled');
  plain.destroy();
});

test('matmul rejects mismatched shapes', async () => {
  const engine = await testEngine();
  const a = engine.tensor(4, 3);
  const b = engine.tensor(5, 2);
  const c = engine.tensor(4, 2);
  assert.throws(() => engine.runOnce((p) => matmul(p, a, b, c)), /inner dimensions differ/);
  for (const t of [a, b, c]) t.release();
});

test('pairwise distance matches float64 reference', async () => {
  const engine = await testEngine();
  const random = new Random(2);
  for (const [m, n, d] of [
    [37, 29, 13],
    [1, 70, 3],
    [65, 33, 16],
  ]) {
    const xData = randomArray(random, m * d, 0, 1);
    const yData = randomArray(random, n * d, 0, 1);
    const wData = Float32Array.from({ length: d }, (_, c) => (c % 3 === 0 ? 0.5 : 1));
    const x = engine.tensor(m, d, xData);
    const y = engine.tensor(n, d, yData);
    const w = engine.tensor(1, d, wData);
    const out = engine.tensor(m, n);
    engine.runOnce((p) => pairwiseDistance(p, x, y, w, out));
    const error = relativeError(await engine.read(out), distanceReference(xData, yData, wData, m, n, d));
    assert.ok(error <= tolerance, `${m}x${n}x${d}: relative error ${error}`);
    for (const t of [x, y, w, out]) t.release();
  }
});

test('nearest neighbour matches brute force', async () => {
  const engine = await testEngine();
  const random = new Random(3);
  const n = 203;
  const d = 7;
  const refData = randomArray(random, n * d, 0, 1);
  const wData = Float32Array.from({ length: d }, (_, c) => (c < 2 ? 0.5 : 1));
  const all = distanceReference(refData, refData, wData, n, n, d);
  const reference = engine.tensor(n, d, refData);
  const weight = engine.tensor(1, d, wData);

  // All rows against themselves, excluding self; then rows 64..150 as a separate query block.
  for (const [start, count] of [
    [0, n],
    [64, 87],
  ]) {
    const query = reference.rowsView(start, count);
    const index = engine.tensorU32(count, 1);
    const distances = engine.tensor(count, 1);
    engine.runOnce((p) => nearestNeighbour(p, query, reference, weight, index, distances, { excludeSelf: true, queryOffset: start }));
    const gotIndex = await engine.readU32(index);
    const gotDistance = await engine.read(distances);
    for (let q = 0; q < count; q++) {
      const i = start + q;
      let best = Infinity;
      let bestJ = -1;
      for (let j = 0; j < n; j++) {
        if (j !== i && all[i * n + j] < best) {
          best = all[i * n + j];
          bestJ = j;
        }
      }
      assert.is(gotIndex[q], bestJ, `row ${i}`);
      assert.ok(Math.abs(gotDistance[q] - best) <= tolerance * Math.max(best, 1e-3), `row ${i} distance ${gotDistance[q]} vs ${best}`);
    }
    index.release();
    distances.release();
  }

  // Without exclusion every row is its own nearest neighbour at distance 0.
  const index = engine.tensorU32(n, 1);
  const distances = engine.tensor(n, 1);
  engine.runOnce((p) => nearestNeighbour(p, reference, reference, weight, index, distances));
  const self = await engine.readU32(index);
  assert.equal(Array.from(self), Array.from({ length: n }, (_, i) => i));
  for (const t of [reference, weight, index, distances]) t.release();
});

test('column sum matches float64 reference', async () => {
  const engine = await testEngine();
  const random = new Random(4);
  const [m, n] = [131, 67];
  const data = randomArray(random, m * n);
  const x = engine.tensor(m, n, data);
  const out = engine.tensor(1, n);
  engine.runOnce((p) => columnSum(p, x, out));
  const expected = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expected[j] += data[i * n + j];
  const error = relativeError(await engine.read(out), expected);
  assert.ok(error <= tolerance, `relative error ${error}`);
  x.release();
  out.release();
});

/** Float64 loss of one row, written from the definitions and differentiated numerically below. */
function rowLossReference(kind: LossKind, z: number[], t: number[]): number {
  const c = z.length;
  let p: number[];
  if (c === 1) {
    p = [1 / (1 + Math.exp(-z[0]))];
  } else {
    const top = Math.max(...z);
    const e = z.map((v) => Math.exp(v - top));
    const sum = e.reduce((s, v) => s + v, 0);
    p = e.map((v) => v / sum);
  }
  if (kind === 'logit-mse') return z.reduce((s, v, j) => s + (v - t[j]) ** 2, 0);
  if (kind === 'probability-mse') return p.reduce((s, v, j) => s + (v - t[j]) ** 2, 0);
  if (c === 1) return -(t[0] * Math.log(p[0]) + (1 - t[0]) * Math.log(1 - p[0]));
  return -p.reduce((s, v, j) => s + t[j] * Math.log(v), 0);
}

test('loss gradients match numerical derivatives', async () => {
  const engine = await testEngine();
  const random = new Random(5);
  const rows = 70;
  const scale = 1 / rows;
  for (const kind of ['cross-entropy', 'probability-mse', 'logit-mse'] as LossKind[]) {
    for (const classes of [1, 5]) {
      const zData = randomArray(random, rows * classes, -4, 4);
      const tData = new Float32Array(rows * classes);
      for (let r = 0; r < rows; r++) {
        if (kind === 'logit-mse') {
          for (let j = 0; j < classes; j++) tData[r * classes + j] = 4 * random.uniform() - 2;
        } else if (classes === 1) {
          tData[r] = random.uniform();
        } else {
          let sum = 0;
          for (let j = 0; j < classes; j++) sum += (tData[r * classes + j] = random.uniform());
          for (let j = 0; j < classes; j++) tData[r * classes + j] /= sum;
        }
      }
      const logits = engine.tensor(rows, classes, zData);
      const targets = engine.tensor(rows, classes, tData);
      const grad = engine.tensor(rows, classes);
      const rowLoss = engine.tensor(rows, 1);
      engine.runOnce((p) => lossAndGradient(p, kind, logits, targets, grad, rowLoss, scale));
      const gotGrad = await engine.read(grad);
      const gotLoss = await engine.read(rowLoss);

      const expectedLoss = new Float64Array(rows);
      const expectedGrad = new Float64Array(rows * classes);
      const h = 1e-6;
      for (let r = 0; r < rows; r++) {
        const z = Array.from(zData.subarray(r * classes, (r + 1) * classes), Number);
        const t = Array.from(tData.subarray(r * classes, (r + 1) * classes), Number);
        expectedLoss[r] = rowLossReference(kind, z, t);
        for (let j = 0; j < classes; j++) {
          const up = z.slice();
          const down = z.slice();
          up[j] += h;
          down[j] -= h;
          expectedGrad[r * classes + j] = (scale * (rowLossReference(kind, up, t) - rowLossReference(kind, down, t))) / (2 * h);
        }
      }
      const lossError = relativeError(gotLoss, expectedLoss);
      const gradError = relativeError(gotGrad, expectedGrad);
      assert.ok(lossError <= tolerance, `${kind}, ${classes} classes: loss relative error ${lossError}`);
      assert.ok(gradError <= tolerance, `${kind}, ${classes} classes: gradient relative error ${gradError}`);
      for (const t of [logits, targets, grad, rowLoss]) t.release();
    }
  }
});

test('probabilities are sigmoid and softmax', async () => {
  const engine = await testEngine();
  const random = new Random(6);
  for (const classes of [1, 4]) {
    const rows = 77;
    const zData = randomArray(random, rows * classes, -6, 6);
    const logits = engine.tensor(rows, classes, zData);
    const out = engine.tensor(rows, classes);
    engine.runOnce((p) => probabilities(p, logits, out));
    const expected = new Float64Array(rows * classes);
    for (let r = 0; r < rows; r++) {
      if (classes === 1) {
        expected[r] = 1 / (1 + Math.exp(-zData[r]));
        continue;
      }
      let sum = 0;
      for (let j = 0; j < classes; j++) sum += Math.exp(zData[r * classes + j]);
      for (let j = 0; j < classes; j++) expected[r * classes + j] = Math.exp(zData[r * classes + j]) / sum;
    }
    const error = relativeError(await engine.read(out), expected);
    assert.ok(error <= tolerance, `${classes} classes: relative error ${error}`);
    logits.release();
    out.release();
  }
});

test('adam matches float64 reference over steps', async () => {
  const engine = await testEngine();
  const random = new Random(7);
  const n = 1001;
  const settings = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };
  const w0 = randomArray(random, n);
  const weights = engine.tensor(1, n, w0);
  const grads = engine.tensor(1, n);
  const m1 = engine.tensor(1, n, new Float32Array(n));
  const m2 = engine.tensor(1, n, new Float32Array(n));
  const schedule = engine.tensor(1, 2, Float32Array.of(3, 0.01));

  const w = Float64Array.from(w0);
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  for (let step = 0; step < 4; step++) {
    const g = randomArray(random, n);
    engine.write(grads, g);
    engine.runOnce((p) => adamStep(p, weights, grads, m1, m2, schedule, step, settings));
    const t = 3 + step + 1;
    const lr = 0.01;
    for (let i = 0; i < n; i++) {
      m[i] = settings.beta1 * m[i] + (1 - settings.beta1) * g[i];
      v[i] = settings.beta2 * v[i] + (1 - settings.beta2) * g[i] * g[i];
      const stepSize = (lr * Math.sqrt(1 - settings.beta2 ** t)) / (1 - settings.beta1 ** t);
      w[i] -= stepSize * (m[i] / (Math.sqrt(v[i]) + settings.epsilon)) + lr * settings.weightDecay * w[i];
    }
  }
  const error = relativeError(await engine.read(weights), w);
  assert.ok(error <= tolerance, `relative error ${error}`);
  for (const t of [weights, grads, m1, m2, schedule]) t.release();
});

test('gather copies indexed rows exactly', async () => {
  const engine = await testEngine();
  const random = new Random(8);
  const [n, dx, dy, rows, start] = [97, 11, 3, 45, 20];
  const xData = randomArray(random, n * dx);
  const yData = randomArray(random, n * dy);
  const order = random.shuffle(Uint32Array.from({ length: n }, (_, i) => i));
  const x = engine.tensor(n, dx, xData);
  const y = engine.tensor(n, dy, yData);
  const index = engine.tensorU32(n, 1, order);
  const xOut = engine.tensor(64, dx);
  const yOut = engine.tensor(64, dy);
  engine.runOnce((p) => gatherRows(p, x, y, index, start, rows, xOut, yOut));
  const gotX = await engine.read(xOut);
  const gotY = await engine.read(yOut);
  for (let r = 0; r < rows; r++) {
    const source = order[start + r];
    assert.equal(Array.from(gotX.subarray(r * dx, (r + 1) * dx)), Array.from(xData.subarray(source * dx, (source + 1) * dx)), `x row ${r}`);
    assert.equal(Array.from(gotY.subarray(r * dy, (r + 1) * dy)), Array.from(yData.subarray(source * dy, (source + 1) * dy)), `y row ${r}`);
  }
  for (const t of [x, y, index, xOut, yOut]) t.release();
});

test('philox matches Random123 known answers', () => {
  // Known-answer vectors published with Random123 (kat_vectors) for philox4x32 with 10 rounds.
  const cases: Array<[number[], number[], number[]]> = [
    [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
    [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
  ];
  for (const [counter, key, expected] of cases) {
    assert.equal(Array.from(philox4x32(counter, key)), expected);
  }
});

test('random kernel reproduces CPU philox', async () => {
  const engine = await testEngine();
  const count = 1031;
  const seed = 2 ** 33 + 12345;
  const stream = 7;
  const out = engine.tensor(1, count);
  engine.runOnce((p) => fillRandom(p, out, { seed, stream, distribution: 'uniform', scale: 2, shift: -1 }));
  const got = await engine.read(out);
  const key = [seed >>> 0, Math.floor(seed / 2 ** 32)];
  for (let e = 0; e < count; e++) {
    const words = philox4x32([Math.floor(e / 4), stream, 0, 0], key);
    assert.is(got[e], Math.fround(-1 + 2 * wordToUniform(words[e % 4])), `element ${e}`);
  }

  // Normal draws: Box-Muller of the same words, and the moments of 100,003 draws.
  const normals = engine.tensor(1, 100003);
  engine.runOnce((p) => fillRandom(p, normals, { seed: 9, stream: 1, distribution: 'normal' }));
  const values = await engine.read(normals);
  const expected = new Float64Array(8);
  for (let block = 0; block < 2; block++) {
    const w = philox4x32([block, 1, 0, 0], [9, 0]);
    for (let pair = 0; pair < 2; pair++) {
      const radius = Math.sqrt(-2 * Math.log(((w[2 * pair] >>> 8) + 1) / 16777216));
      const angle = 2 * Math.PI * wordToUniform(w[2 * pair + 1]) - Math.PI;
      expected[block * 4 + pair * 2] = radius * Math.cos(angle);
      expected[block * 4 + pair * 2 + 1] = radius * Math.sin(angle);
    }
  }
  // WGSL allows cos and sin an absolute error of 2^-11 (and log a few ulp), so GPU normals can
  // differ from float64 by about 5e-4 of their scale; SwiftShader in Chromium uses that latitude.
  const boxMullerError = relativeError(values.subarray(0, 8), expected);
  assert.ok(boxMullerError <= transcendentalTolerance, `Box-Muller values: relative error ${boxMullerError}`);
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  variance /= values.length - 1;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
  out.release();
  normals.release();
});

test('munge kernel matches float64 reference', async () => {
  const engine = await testEngine();
  const random = new Random(10);
  // Three continuous columns, then a nominal attribute one-hot over 3 columns, then one continuous.
  const n = 67;
  const d = 7;
  const groups = Uint32Array.of(0, 1, 0, 1, 1, 0, 2, 1, 0, 3, 3, 1, 6, 1, 0);
  const attributes = groups.length / 3;
  const xData = new Float32Array(n * d);
  const neighbourData = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    for (const c of [0, 1, 2, 6]) xData[i * d + c] = random.uniform();
    xData[i * d + 3 + random.int(3)] = 1;
    neighbourData[i] = (i + 1 + random.int(n - 1)) % n;
  }
  const copies = 3;
  const options = { copies, swapProbability: 0.6, spread: 2, seed: 77 };
  const x = engine.tensor(n, d, xData);
  const neighbour = engine.tensorU32(n, 1, neighbourData);
  const groupTensor = engine.tensorU32(attributes, 3, groups);
  const out = engine.tensor(copies * n, d);
  engine.runOnce((p) => mungeRows(p, x, neighbour, groupTensor, out, options));
  const got = await engine.read(out);

  const expected = new Float64Array(copies * n * d);
  let swaps = 0;
  for (let r = 0; r < copies * n; r++) {
    const i = r % n;
    const j = neighbourData[i];
    for (let a = 0; a < attributes; a++) {
      const [first, count, nominal] = groups.subarray(a * 3, a * 3 + 3);
      const w = philox4x32([r, a, 0x4d554e47, 0], [77, 0]);
      const swap = wordToUniform(w[0]) < options.swapProbability;
      if (swap) swaps++;
      for (let c = first; c < first + count; c++) {
        const own = xData[i * d + c];
        const other = xData[j * d + c];
        let value = own;
        if (swap && nominal) value = other;
        if (swap && !nominal) {
          const normal = Math.sqrt(-2 * Math.log(((w[1] >>> 8) + 1) / 16777216)) * Math.cos(2 * Math.PI * wordToUniform(w[2]) - Math.PI);
          value = other + (Math.abs(own - other) / options.spread) * normal;
        }
        expected[r * d + c] = value;
      }
    }
  }
  const error = relativeError(got, expected);
  assert.ok(error <= transcendentalTolerance, `relative error ${error}`);
  const rate = swaps / (copies * n * attributes);
  assert.ok(Math.abs(rate - 0.6) < 0.08, `swap rate ${rate}`);
  for (const t of [x, neighbour, groupTensor, out]) t.release();
});

test.run();
