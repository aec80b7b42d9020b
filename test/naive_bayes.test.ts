// Naive Bayes teacher models: posteriors on a tiny table worked out by hand, against a float64 CPU
// naive Bayes written here, and accuracy on letter.csv.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Encoder } from '../src/data/encode.js';
import { Random } from '../src/data/random.js';
import { MimicError } from '../src/errors.js';
import { accuracy, rmse } from '../src/metrics/metrics.js';
import type { TeacherModel } from '../src/models/model.js';
import { fitNaiveBayes, type NaiveBayesSpec } from '../src/models/naive_bayes.js';
import { letterSplit, makeEncoder, makeFitData, releaseFitData } from './fit_data.js';
import { randomArray, testEngine, thrown } from './helpers.js';

/** Probabilities pass through exp and log in f32 on the GPU. */
const tolerance = 1e-4;

async function predict(model: TeacherModel, x: Float32Array, cols: number): Promise<Float32Array> {
  const engine = await testEngine();
  const input = engine.tensor(x.length / cols, cols, x);
  const out = model.predict(input);
  const values = await engine.read(out);
  input.release();
  out.release();
  return values;
}

function assertClose(actual: ArrayLike<number>, expected: number[], label: string): void {
  assert.is(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${label}: value ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Normalises joint probabilities (prior times likelihoods) into posteriors. */
function posterior(joint: number[]): number[] {
  const total = joint.reduce((a, b) => a + b, 0);
  return joint.map((p) => p / total);
}

/** Returns the normal density at x. */
function normal(x: number, mean: number, variance: number): number {
  return Math.exp(-((x - mean) ** 2) / (2 * variance)) / Math.sqrt(2 * Math.PI * variance);
}

// The tiny table: a continuous column c and a nominal attribute of categories v0, v1 (one-hot
// columns 1 and 2). Rows (c, category): (0, v0), (1/2, v0), (1/2, v1), (1, v1), (1, v0).
const tinyEncoder = makeEncoder(1, [2]);
const tinyX = Float32Array.from([0, 1, 0, 0.5, 1, 0, 0.5, 0, 1, 1, 0, 1, 1, 1, 0]);
// Queries: (1/4, v1), (3/4, v0), (3/8, missing category), (3/2, v1). With 2 bins, 3/8 is in bin 0
// (2c rounds to bin 1 but floors to bin 0), and 3/2 is past the training range, in the last bin.
const tinyQueries = Float32Array.from([0.25, 0, 1, 0.75, 1, 0, 0.375, 0, 0, 1.5, 0, 1]);

test('naive bayes binned posteriors by hand, binary', async () => {
  const engine = await testEngine();
  const data = makeFitData(engine, tinyEncoder, tinyX, Int32Array.from([0, 0, 1, 1, 1]), 2);
  const bytesBefore = engine.pool.inUseBytes;
  const model = fitNaiveBayes(data, { kind: 'binned', bins: 2 });
  // Priors 2/5 and 3/5. Bins floor(2c): c = 0 is bin 0, 1/2 and 1 are bin 1 (1 is clamped).
  // Laplace with 1: P(bin | 0) = (1+1)/(2+2) = 1/2 for both bins; P(bin 0 | 1) = 1/5, P(bin 1 | 1) = 4/5.
  // P(v0 | 0) = 3/4, P(v1 | 0) = 1/4; P(v0 | 1) = 2/5, P(v1 | 1) = 3/5.
  const expected = [
    posterior([(2 / 5) * (1 / 2) * (1 / 4), (3 / 5) * (1 / 5) * (3 / 5)])[1], // 36/61
    posterior([(2 / 5) * (1 / 2) * (3 / 4), (3 / 5) * (4 / 5) * (2 / 5)])[1], // 32/57
    posterior([(2 / 5) * (1 / 2), (3 / 5) * (1 / 5)])[1], // 3/8
    posterior([(2 / 5) * (1 / 2) * (1 / 4), (3 / 5) * (4 / 5) * (3 / 5)])[1], // 144/169
  ];
  assertClose(await predict(model, tinyQueries, 3), expected, 'P(class 1)');
  assert.is(model.name, 'naive-bayes bins=2');
  assert.is(model.family, 'naive-bayes');
  // 3 columns (kind, offset), 2 bins x 2 classes + 2 categories x 2 classes, 2 biases.
  assert.is(model.bytes, (6 + 8 + 2) * 4);
  model.release();
  assert.is(engine.pool.inUseBytes, bytesBefore, 'release frees the parameters');
  releaseFitData(data);
});

test('naive bayes binned posteriors by hand, 3 classes', async () => {
  const engine = await testEngine();
  const data = makeFitData(engine, tinyEncoder, tinyX, Int32Array.from([0, 0, 1, 2, 2]), 3);
  const model = fitNaiveBayes(data, { kind: 'binned', bins: 2 });
  // Priors 2/5, 1/5, 2/5. P(bin 0 | class) = 1/2, 1/3, 1/4 (bin 1 takes the rest).
  // P(v0 | class) = 3/4, 1/3, 1/2 (v1 takes the rest).
  const expected = [
    ...posterior([(2 / 5) * (1 / 2) * (1 / 4), (1 / 5) * (1 / 3) * (2 / 3), (2 / 5) * (1 / 4) * (1 / 2)]), // 9, 8, 9 / 26
    ...posterior([(2 / 5) * (1 / 2) * (3 / 4), (1 / 5) * (2 / 3) * (1 / 3), (2 / 5) * (3 / 4) * (1 / 2)]), // 27, 8, 27 / 62
    ...posterior([(2 / 5) * (1 / 2), (1 / 5) * (1 / 3), (2 / 5) * (1 / 4)]), // 6, 2, 3 / 11
    ...posterior([(2 / 5) * (1 / 2) * (1 / 4), (1 / 5) * (2 / 3) * (2 / 3), (2 / 5) * (3 / 4) * (1 / 2)]),
  ];
  assertClose(await predict(model, tinyQueries, 3), expected, 'posteriors');
  model.release();
  releaseFitData(data);
});

test('naive bayes gaussian posteriors by hand', async () => {
  const engine = await testEngine();
  // Over all rows c has mean 3/5, and its deviations -3/5, -1/10, -1/10, 2/5, 2/5 square to a
  // sum of 0.7. The variance is 0.14, so smoothing 1/2 adds 0.07 to every class variance.
  const epsilon = 0.07;

  // Binary, labels 0 0 1 1 1. Class 0: c = 0, 1/2, mean 1/4, variance 1/16. Class 1: c = 1/2, 1, 1,
  // mean 5/6, variance 1/18. Nominal probabilities as in the binned binary case.
  let data = makeFitData(engine, tinyEncoder, tinyX, Int32Array.from([0, 0, 1, 1, 1]), 2);
  let model = fitNaiveBayes(data, { kind: 'gaussian', varianceSmoothing: 0.5 });
  const v0 = 1 / 16 + epsilon;
  const v1 = 1 / 18 + epsilon;
  const binary = [
    posterior([(2 / 5) * normal(0.25, 0.25, v0) * (1 / 4), (3 / 5) * normal(0.25, 5 / 6, v1) * (3 / 5)])[1],
    posterior([(2 / 5) * normal(0.75, 0.25, v0) * (3 / 4), (3 / 5) * normal(0.75, 5 / 6, v1) * (2 / 5)])[1],
    posterior([(2 / 5) * normal(0.375, 0.25, v0), (3 / 5) * normal(0.375, 5 / 6, v1)])[1],
    posterior([(2 / 5) * normal(1.5, 0.25, v0) * (1 / 4), (3 / 5) * normal(1.5, 5 / 6, v1) * (3 / 5)])[1],
  ];
  assertClose(await predict(model, tinyQueries, 3), binary, 'binary P(class 1)');
  assert.is(model.name, 'naive-bayes gaussian smoothing=0.5');
  model.release();
  releaseFitData(data);

  // 3 classes, labels 0 0 1 2 2. Class 1 has the single row c = 1/2, variance 0 before smoothing.
  // Class 2: c = 1, 1, mean 1, variance 0 before smoothing.
  data = makeFitData(engine, tinyEncoder, tinyX, Int32Array.from([0, 0, 1, 2, 2]), 3);
  model = fitNaiveBayes(data, { kind: 'gaussian', varianceSmoothing: 0.5 });
  const joint = (c: number, nominal: number[]) => [
    (2 / 5) * normal(c, 0.25, v0) * nominal[0],
    (1 / 5) * normal(c, 0.5, epsilon) * nominal[1],
    (2 / 5) * normal(c, 1, epsilon) * nominal[2],
  ];
  const v1Given = [1 / 4, 2 / 3, 1 / 2];
  const v0Given = [3 / 4, 1 / 3, 1 / 2];
  const multiclass = [
    ...posterior(joint(0.25, v1Given)),
    ...posterior(joint(0.75, v0Given)),
    ...posterior(joint(0.375, [1, 1, 1])),
    ...posterior(joint(1.5, v1Given)),
  ];
  assertClose(await predict(model, tinyQueries, 3), multiclass, '3-class posteriors');
  model.release();
  releaseFitData(data);
});

/**
 * Float64 naive Bayes from the definitions: for each query and class, the log prior plus the log
 * likelihood of each attribute, then a softmax. Missing nominal values contribute nothing.
 */
function naiveBayesReference(
  encoder: Encoder,
  train: Float32Array,
  labels: Int32Array,
  classes: number,
  query: Float32Array,
  spec: NaiveBayesSpec,
): Float64Array {
  const d = encoder.width;
  const n = labels.length;
  const m = query.length / d;
  const laplace = spec.laplace ?? 1;
  const rowsOf = Array.from({ length: classes }, (_, c) => Array.from({ length: n }, (_, r) => r).filter((r) => labels[r] === c));
  const value = (x: Float32Array, r: number, j: number) => x[r * d + j];
  const mean = (rows: number[], j: number) => rows.reduce((s, r) => s + value(train, r, j), 0) / rows.length;
  const variance = (rows: number[], j: number) => {
    const mu = mean(rows, j);
    return rows.reduce((s, r) => s + (value(train, r, j) - mu) ** 2, 0) / rows.length;
  };
  const all = Array.from({ length: n }, (_, r) => r);
  let largest = 0;
  for (const a of encoder.attributes) if (a.kind === 'continuous') largest = Math.max(largest, variance(all, a.column));
  const bin = (x: number, bins: number) => Math.min(Math.max(Math.floor(Math.fround(x * bins)), 0), bins - 1);

  const out = new Float64Array(m * (classes === 2 ? 1 : classes));
  for (let i = 0; i < m; i++) {
    const logs = rowsOf.map((rows) => {
      let sum = Math.log(rows.length / n);
      for (const a of encoder.attributes) {
        if (a.kind === 'nominal') {
          const v = a.categories.findIndex((_, k) => value(query, i, a.column + k) === 1);
          if (v < 0) continue;
          const present = rows.filter((r) => a.categories.some((_, k) => value(train, r, a.column + k) === 1)).length;
          const count = rows.filter((r) => value(train, r, a.column + v) === 1).length;
          sum += Math.log((count + laplace) / (present + laplace * a.categories.length));
        } else if (spec.kind === 'gaussian') {
          sum += Math.log(normal(value(query, i, a.column), mean(rows, a.column), variance(rows, a.column) + spec.varianceSmoothing * largest));
        } else {
          const b = bin(value(query, i, a.column), spec.bins);
          const count = rows.filter((r) => bin(value(train, r, a.column), spec.bins) === b).length;
          sum += Math.log((count + laplace) / (rows.length + laplace * spec.bins));
        }
      }
      return sum;
    });
    const top = Math.max(...logs);
    const p = posterior(logs.map((l) => Math.exp(l - top)));
    if (classes === 2) out[i] = p[1];
    else out.set(p, i * classes);
  }
  return out;
}

test('naive bayes matches float64 reference', async () => {
  const engine = await testEngine();
  const random = new Random(31);
  // 3 continuous columns and nominal attributes of 3 and 2 categories, with about 1 in 8 nominal
  // values missing. Queries reach a quarter of the range past each end.
  const encoder = makeEncoder(3, [3, 2]);
  const rows = (count: number, low: number, high: number) => {
    const x = new Float32Array(count * encoder.width);
    for (let r = 0; r < count; r++) {
      x.set(randomArray(random, 3, low, high), r * encoder.width);
      if (random.uniform() > 0.125) x[r * encoder.width + 3 + Math.floor(random.uniform() * 3)] = 1;
      if (random.uniform() > 0.125) x[r * encoder.width + 6 + Math.floor(random.uniform() * 2)] = 1;
    }
    return x;
  };
  const train = rows(157, 0, 1);
  const query = rows(203, -0.25, 1.25);
  const specs: NaiveBayesSpec[] = [
    { kind: 'gaussian', varianceSmoothing: 1e-9 },
    { kind: 'gaussian', varianceSmoothing: 0.1, laplace: 0.5 },
    { kind: 'binned', bins: 7 },
    { kind: 'binned', bins: 3, laplace: 2 },
  ];
  for (const classes of [2, 5]) {
    // Labels depend on the first column, so that the posteriors are far from uniform.
    const labels = Int32Array.from({ length: 157 }, (_, r) => Math.min(Math.floor(train[r * encoder.width] * classes + random.uniform()), classes - 1));
    const data = makeFitData(engine, encoder, train, labels, classes);
    for (const spec of specs) {
      const model = fitNaiveBayes(data, spec);
      const got = await predict(model, query, encoder.width);
      const expected = naiveBayesReference(encoder, train, labels, classes, query, spec);
      for (let v = 0; v < expected.length; v++) {
        assert.ok(Math.abs(got[v] - expected[v]) <= tolerance, `${classes} classes, ${model.name}: value ${v} is ${got[v]}, expected ${expected[v]}`);
      }
      model.release();
    }
    releaseFitData(data);
  }
});

test('naive bayes on a 2-D grid', async () => {
  const engine = await testEngine();
  const random = new Random(32);
  // One invocation per output value: 26 classes x 170,000 rows need 69,063 workgroups of 64, more
  // than the 65,535 of one grid row. The rows repeat 101 distinct rows, checked against float64.
  const encoder = makeEncoder(2, [3]);
  const classes = 26;
  const distinct = 101;
  const m = 170_000;
  const rows = (count: number) => {
    const x = new Float32Array(count * encoder.width);
    for (let r = 0; r < count; r++) {
      x.set(randomArray(random, 2, 0, 1), r * encoder.width);
      x[r * encoder.width + 2 + Math.floor(random.uniform() * 3)] = 1;
    }
    return x;
  };
  const train = rows(260);
  const labels = Int32Array.from({ length: 260 }, (_, r) => r % classes);
  const unique = rows(distinct);
  const query = new Float32Array(m * encoder.width);
  for (let r = 0; r < m; r++) query.set(unique.subarray((r % distinct) * encoder.width, ((r % distinct) + 1) * encoder.width), r * encoder.width);

  const data = makeFitData(engine, encoder, train, labels, classes);
  const spec: NaiveBayesSpec = { kind: 'binned', bins: 4 };
  const model = fitNaiveBayes(data, spec);
  const got = await predict(model, query, encoder.width);
  const expected = naiveBayesReference(encoder, train, labels, classes, unique, spec);
  let worst = 0;
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < classes; c++) {
      worst = Math.max(worst, Math.abs(got[r * classes + c] - expected[(r % distinct) * classes + c]));
    }
  }
  assert.ok(worst <= tolerance, `largest probability error ${worst}`);
  model.release();
  releaseFitData(data);
});

test('naive bayes gives absent classes probability 0', async () => {
  const engine = await testEngine();
  // Class 1 of 3 has no training rows.
  const data = makeFitData(engine, tinyEncoder, tinyX, Int32Array.from([0, 0, 2, 2, 2]), 3);
  for (const spec of [{ kind: 'gaussian', varianceSmoothing: 0.5 }, { kind: 'binned', bins: 2 }] as NaiveBayesSpec[]) {
    const model = fitNaiveBayes(data, spec);
    const got = await predict(model, tinyQueries, 3);
    for (let q = 0; q < 4; q++) {
      assert.is(got[q * 3 + 1], 0, `${model.name}, query ${q}: P(class 1)`);
      assert.ok(Math.abs(got[q * 3] + got[q * 3 + 2] - 1) <= tolerance, `${model.name}, query ${q}: the other classes sum to 1`);
    }
    model.release();
  }
  releaseFitData(data);

  // Binary, class 1 has no training rows: P(class 1) is 0 up to the clamp of the log odds at -88.
  const binary = makeFitData(engine, tinyEncoder, tinyX, Int32Array.from([0, 0, 0, 0, 0]), 2);
  for (const spec of [{ kind: 'gaussian', varianceSmoothing: 0.5 }, { kind: 'binned', bins: 2 }] as NaiveBayesSpec[]) {
    const model = fitNaiveBayes(binary, spec);
    const got = await predict(model, tinyQueries, 3);
    for (let q = 0; q < 4; q++) assert.ok(got[q] >= 0 && got[q] <= 1e-30, `binary ${model.name}, query ${q}: P(class 1) = ${got[q]}`);
    model.release();
  }
  releaseFitData(binary);
});

test('naive bayes rejects invalid specs', async () => {
  const engine = await testEngine();
  const data = makeFitData(engine, tinyEncoder, tinyX, Int32Array.from([0, 0, 1, 1, 1]), 2);
  const cases: Array<[NaiveBayesSpec, string]> = [
    [{ kind: 'gaussian', varianceSmoothing: 0 }, 'varianceSmoothing = 0 is invalid'],
    [{ kind: 'gaussian', varianceSmoothing: Number.NaN }, 'varianceSmoothing = NaN is invalid'],
    [{ kind: 'binned', bins: 1 }, 'bins = 1 is invalid'],
    [{ kind: 'binned', bins: 2.5 }, 'bins = 2.5 is invalid'],
    [{ kind: 'binned', bins: 4, laplace: -1 }, 'laplace = -1 is invalid'],
    [{ kind: 'poisson' } as unknown as NaiveBayesSpec, "kind 'poisson' is invalid"],
  ];
  for (const [spec, message] of cases) {
    const error = thrown(() => fitNaiveBayes(data, spec));
    assert.instance(error, MimicError);
    assert.match(error.message, message);
  }
  releaseFitData(data);
});

// Measured with seed 1 (4,000 training and 1,000 validation rows), accuracy and RMSE:
//   LETTER.p2:  gaussian 1e-9 0.698, 0.440;  bins=10 0.763, 0.404
//   26 classes: gaussian 1e-9 0.608, 0.146;  bins=10 0.683, 0.133
// The bounds leave a margin of about 3 accuracy points and 5% of RMSE.
const letterBounds: Record<string, { accuracy: number; rmse: number }> = {
  'binary naive-bayes gaussian smoothing=1e-9': { accuracy: 0.67, rmse: 0.46 },
  'binary naive-bayes bins=10': { accuracy: 0.73, rmse: 0.425 },
  '26 classes naive-bayes gaussian smoothing=1e-9': { accuracy: 0.58, rmse: 0.154 },
  '26 classes naive-bayes bins=10': { accuracy: 0.65, rmse: 0.14 },
};

test('naive bayes accuracy on letter.csv', async () => {
  const engine = await testEngine();
  for (const binary of [true, false]) {
    const split = letterSplit(binary);
    const data = makeFitData(engine, split.encoder, split.train.x, split.train.labels, split.classes);
    for (const spec of [{ kind: 'gaussian', varianceSmoothing: 1e-9 }, { kind: 'binned', bins: 10 }] as NaiveBayesSpec[]) {
      const model = fitNaiveBayes(data, spec);
      const probabilities = await predict(model, split.validation.x, split.encoder.width);
      const name = `${binary ? 'binary' : '26 classes'} ${model.name}`;
      const bound = letterBounds[name];
      const score = accuracy(probabilities, split.validation.labels, data.outputs);
      const error = rmse(probabilities, split.validation.labels, data.outputs);
      assert.ok(score >= bound.accuracy, `${name}: accuracy ${score.toFixed(3)} < ${bound.accuracy}`);
      assert.ok(error <= bound.rmse, `${name}: RMSE ${error.toFixed(4)} > ${bound.rmse}`);
      model.release();
    }
    releaseFitData(data);
  }
});

test.run();
