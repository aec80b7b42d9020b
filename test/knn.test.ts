// kNN teacher models: probabilities on a case worked out by hand, against a float64 CPU kNN
// written here, the shared neighbour search, and accuracy on letter.csv.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Random } from '../src/data/random.js';
import { MimicError } from '../src/errors.js';
import { knnVote } from '../src/kernels/knn_vote.js';
import { accuracy, rmse } from '../src/metrics/metrics.js';
import { fitKnnModels, KnnModel, type KnnSpec, type NeighbourIndex } from '../src/models/knn.js';
import type { TeacherModel } from '../src/models/model.js';
import { letterSplit, makeEncoder, makeFitData, releaseFitData } from './fit_data.js';
import { randomArray, testEngine, thrown } from './helpers.js';

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

function indexOf(model: TeacherModel): NeighbourIndex {
  assert.instance(model, KnnModel);
  return (model as KnnModel).index;
}

function assertClose(actual: ArrayLike<number>, expected: number[], label: string): void {
  assert.is(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${label}: value ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

// One continuous column. Training x = 0, 1/4, 1/2, 3/4, 1, all exact in f32. Query 3/8 has
// neighbours, nearest first: row 1 (1/8), row 2 (1/8, the tie goes to the lower index), row 0
// (3/8), row 3 (3/8), row 4 (5/8). Query 7/8: row 3 (1/8), row 4 (1/8), row 2 (3/8), row 1 (5/8),
// row 0 (7/8). The distance weighting is 1 - dist / dist_(k+1), floored at 1e-6.
const handX = Float32Array.from([0, 0.25, 0.5, 0.75, 1]);
const handQueries = Float32Array.from([0.375, 0.875]);

test('knn multiclass probabilities by hand', async () => {
  const engine = await testEngine();
  const data = makeFitData(engine, makeEncoder(1), handX, Int32Array.from([0, 0, 1, 2, 1]), 3);
  // The neighbours of query 3/8 have labels 0, 1, 0, 2, 1, those of query 7/8 have 2, 1, 1, 0, 0.
  const cases: Array<[KnnSpec, number[]]> = [
    [{ k: 1, weighting: 'uniform' }, [1, 0, 0, 0, 0, 1]],
    [{ k: 2, weighting: 'uniform' }, [1 / 2, 1 / 2, 0, 0, 1 / 2, 1 / 2]],
    [{ k: 3, weighting: 'uniform' }, [2 / 3, 1 / 3, 0, 0, 2 / 3, 1 / 3]],
    [{ k: 4, weighting: 'uniform' }, [1 / 2, 1 / 4, 1 / 4, 1 / 4, 1 / 2, 1 / 4]],
    [{ k: 5, weighting: 'uniform' }, [2 / 5, 2 / 5, 1 / 5, 2 / 5, 2 / 5, 1 / 5]],
    // k = 1: the bandwidth neighbour ties with the only voter, whose weight is floored; it still wins.
    [{ k: 1, weighting: 'distance' }, [1, 0, 0, 0, 0, 1]],
    // k = 2, bandwidth 3/8: weights 2/3, 2/3 (query 3/8) and 2/3, 2/3 (query 7/8).
    [{ k: 2, weighting: 'distance' }, [1 / 2, 1 / 2, 0, 0, 1 / 2, 1 / 2]],
    // k = 3: query 3/8 has bandwidth 3/8, weights 2/3, 2/3 and the floor; query 7/8 has bandwidth
    // 5/8, weights 4/5, 4/5, 2/5, total 2.
    [{ k: 3, weighting: 'distance' }, [1 / 2, 1 / 2, 0, 0, 3 / 5, 2 / 5]],
    // k = 4: query 3/8 has bandwidth 5/8, weights 4/5, 4/5, 2/5, 2/5, total 12/5; query 7/8 has
    // bandwidth 7/8, weights 6/7, 6/7, 4/7, 2/7, total 18/7.
    [{ k: 4, weighting: 'distance' }, [1 / 2, 1 / 3, 1 / 6, 1 / 9, 5 / 9, 1 / 3]],
    // k = 5 uses all rows, so the bandwidth is the 5th neighbour itself (weight floored).
    [{ k: 5, weighting: 'distance' }, [1 / 2, 1 / 3, 1 / 6, 1 / 9, 5 / 9, 1 / 3]],
  ];
  const models = fitKnnModels(data, cases.map(([spec]) => spec));
  for (const [i, [spec, expected]] of cases.entries()) {
    const model = models[i];
    assert.is(model.name, `knn k=${spec.k} ${spec.weighting}`);
    assertClose(await predict(model, handQueries, 1), expected, model.name);
  }
  assert.is(models[0].family, 'knn');
  assert.is(models[0].bytes, 5 * 4 + 5 * 4, 'bytes: 5 rows of 1 column and 5 labels');
  for (const model of models) model.release();
  releaseFitData(data);
});

test('knn binary probabilities by hand', async () => {
  const engine = await testEngine();
  // The neighbours of query 3/8 have labels 0, 1, 0, 1, 1, those of query 7/8 have 1, 1, 1, 0, 0.
  const data = makeFitData(engine, makeEncoder(1), handX, Int32Array.from([0, 0, 1, 1, 1]), 2);
  const cases: Array<[KnnSpec, number[]]> = [
    [{ k: 1, weighting: 'uniform' }, [0, 1]],
    [{ k: 3, weighting: 'uniform' }, [1 / 3, 1]],
    [{ k: 4, weighting: 'uniform' }, [1 / 2, 3 / 4]],
    // Weights as in the multiclass case: query 3/8 (4/5, 4/5, 2/5, 2/5), query 7/8 (6/7, 6/7, 4/7, 2/7).
    [{ k: 4, weighting: 'distance' }, [1 / 2, 8 / 9]],
  ];
  const models = fitKnnModels(data, cases.map(([spec]) => spec));
  for (const [i, [, expected]] of cases.entries()) {
    const probabilities = await predict(models[i], handQueries, 1);
    assertClose(probabilities, expected, models[i].name);
  }
  for (const model of models) model.release();
  releaseFitData(data);
});

test('knn nominal mismatch counts as 1', async () => {
  const engine = await testEngine();
  // Two continuous columns and one nominal attribute of 2 categories (one-hot columns 2 and 3).
  // Query (0, 0, v1): row 0 (0, 0, v0) is at 1 (the mismatch), row 1 (1, 3/4, v1) at 1 + 9/16.
  // A one-hot weight of 1 instead of 1/2 would put row 0 at 2, behind row 1.
  const encoder = makeEncoder(2, [2]);
  const x = Float32Array.from([0, 0, 1, 0, 1, 0.75, 0, 1]);
  const data = makeFitData(engine, encoder, x, Int32Array.from([0, 1]), 2);
  const [model] = fitKnnModels(data, [{ k: 1, weighting: 'uniform' }]);
  assertClose(await predict(model, Float32Array.from([0, 0, 0, 1]), 4), [0], 'P(class 1)');
  model.release();
  releaseFitData(data);
});

/** Float64 kNN: sorts every training row by weighted squared distance (index breaks ties) and votes. */
function knnReference(
  train: Float32Array,
  labels: Int32Array,
  query: Float32Array,
  weight: number[],
  spec: KnnSpec,
  outputs: number,
): Float64Array {
  const d = weight.length;
  const n = labels.length;
  const m = query.length / d;
  const out = new Float64Array(m * outputs);
  for (let i = 0; i < m; i++) {
    const order: Array<[number, number]> = [];
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let c = 0; c < d; c++) sum += weight[c] * (query[i * d + c] - train[j * d + c]) ** 2;
      order.push([Math.sqrt(sum), j]);
    }
    order.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const k = Math.min(spec.k, n);
    const bandwidth = order[Math.min(k, n - 1)][0];
    const votes = new Float64Array(Math.max(outputs, 2));
    let total = 0;
    for (let p = 0; p < k; p++) {
      const [distance, j] = order[p];
      const w = spec.weighting === 'uniform' || bandwidth === 0 ? 1 : Math.max(1 - distance / bandwidth, 1e-6);
      votes[labels[j]] += w;
      total += w;
    }
    for (let o = 0; o < outputs; o++) out[i * outputs + o] = votes[outputs === 1 ? 1 : o] / total;
  }
  return out;
}

test('knn matches float64 reference', async () => {
  const engine = await testEngine();
  const random = new Random(21);
  // 3 continuous columns and nominal attributes of 3 and 2 categories; 157 training rows and 203
  // queries, neither a multiple of the kernels' tiles.
  const encoder = makeEncoder(3, [3, 2]);
  const weight = [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5];
  const rows = (count: number) => {
    const x = new Float32Array(count * encoder.width);
    for (let r = 0; r < count; r++) {
      x.set(randomArray(random, 3, 0, 1), r * encoder.width);
      x[r * encoder.width + 3 + Math.floor(random.uniform() * 3)] = 1;
      x[r * encoder.width + 6 + Math.floor(random.uniform() * 2)] = 1;
    }
    return x;
  };
  const train = rows(157);
  const query = rows(203);
  const specs: KnnSpec[] = [1, 4, 13, 40].flatMap((k) => [
    { k, weighting: 'uniform' as const },
    { k, weighting: 'distance' as const },
  ]);
  for (const classes of [2, 5]) {
    const labels = Int32Array.from({ length: 157 }, () => Math.floor(random.uniform() * classes));
    const data = makeFitData(engine, encoder, train, labels, classes);
    const models = fitKnnModels(data, specs);
    for (const [i, spec] of specs.entries()) {
      const got = await predict(models[i], query, encoder.width);
      const expected = knnReference(train, labels, query, weight, spec, data.outputs);
      for (let v = 0; v < expected.length; v++) {
        assert.ok(Math.abs(got[v] - expected[v]) <= tolerance, `${classes} classes, ${models[i].name}: value ${v} is ${got[v]}, expected ${expected[v]}`);
      }
    }
    for (const model of models) model.release();
    releaseFitData(data);
  }
});

test('knn models share one search per input', async () => {
  const engine = await testEngine();
  const random = new Random(22);
  const encoder = makeEncoder(4);
  const train = randomArray(random, 90 * 4, 0, 1);
  const data = makeFitData(engine, encoder, train, Int32Array.from({ length: 90 }, (_, r) => r % 3), 3);
  const specs: KnnSpec[] = [
    { k: 2, weighting: 'uniform' },
    { k: 7, weighting: 'distance' },
    { k: 5, weighting: 'uniform' },
  ];
  const bytesBefore = engine.pool.inUseBytes;
  const models = fitKnnModels(data, specs);
  const index = indexOf(models[0]);
  for (const model of models) assert.is(indexOf(model), index, `${model.name} shares the index`);
  assert.is(index.searchK, 8, 'search k: largest k plus one for distance weighting');

  const queryData = randomArray(random, 203 * 4, 0, 1);
  const x = engine.tensor(203, 4, queryData);
  const first = models.map((model) => model.predict(x));
  assert.is(index.searches, 1, 'one search for three models on one tensor');
  const again = models[1].predict(x);
  assert.is(index.searches, 1, 'a repeated input reuses the lists');

  // Another tensor with the same values searches again and gives the same probabilities.
  const y = engine.tensor(203, 4, queryData);
  const other = models[1].predict(y);
  assert.is(index.searches, 2, 'a new tensor searches again');
  assert.equal(Array.from(await engine.read(other)), Array.from(await engine.read(first[1])), 'same values, same probabilities');
  assert.equal(Array.from(await engine.read(again)), Array.from(await engine.read(first[1])), 'cached lists, same probabilities');

  // forget() drops the cache, for callers that overwrite a tensor in place.
  index.forget();
  models[0].predict(y).release();
  assert.is(index.searches, 3, 'forget() makes the next prediction search');

  for (const t of [x, y, again, other, ...first]) t.release();
  models[0].release();
  models[0].release();
  models[1].release();
  assert.ok(engine.pool.inUseBytes > bytesBefore, 'the index stays while a model uses it');
  models[2].release();
  assert.is(engine.pool.inUseBytes, bytesBefore, 'releasing every model frees the rows and the cached lists');
  releaseFitData(data);
});

test('knn splits large inputs into blocks', async () => {
  const engine = await testEngine();
  const random = new Random(23);
  const encoder = makeEncoder(3);
  const train = randomArray(random, 70 * 3, 0, 1);
  const labels = Int32Array.from({ length: 70 }, () => Math.floor(random.uniform() * 4));
  const data = makeFitData(engine, encoder, train, labels, 4);
  const specs: KnnSpec[] = [
    { k: 6, weighting: 'uniform' },
    { k: 6, weighting: 'distance' },
  ];
  const whole = fitKnnModels(data, specs);
  // 64 rows per block: 203 query rows take 4 blocks, the last of 11 rows.
  const blocked = fitKnnModels(data, specs, { blockRows: 64 });
  const query = randomArray(random, 203 * 3, 0, 1);
  for (const [i, spec] of specs.entries()) {
    const expected = await predict(whole[i], query, 3);
    const got = await predict(blocked[i], query, 3);
    assert.equal(Array.from(got), Array.from(expected), `k=${spec.k} ${spec.weighting}`);
  }
  for (const model of [...whole, ...blocked]) model.release();
  releaseFitData(data);
});

test('knn vote on a 2-D grid', async () => {
  const engine = await testEngine();
  const random = new Random(24);
  // One invocation per row: 65,535 workgroups of 64 cover 4,194,240 rows, so 4,200,000 rows
  // need a second grid row. Synthetic neighbour lists of 2 references out of 97, nearest first.
  const m = 4_200_000;
  const n = 97;
  const labelData = Uint32Array.from({ length: n }, () => Math.floor(random.uniform() * 2));
  const indexData = new Uint32Array(m * 2);
  const distanceData = new Float32Array(m * 2);
  for (let r = 0; r < m; r++) {
    indexData[2 * r] = (r * 7) % n;
    indexData[2 * r + 1] = (r * 7 + 3) % n;
    distanceData[2 * r] = (r % 5) / 8;
    distanceData[2 * r + 1] = (r % 5) / 8 + 0.25;
  }
  const index = engine.tensorU32(m, 2, indexData);
  const distances = engine.tensor(m, 2, distanceData);
  const labels = engine.tensorU32(n, 1, labelData);
  const out = engine.tensor(m, 1);
  // k = 1 with distance weighting: the bandwidth is the second neighbour, so the vote is the
  // first neighbour's label whatever its weight.
  engine.runOnce((p) => knnVote(p, index, distances, labels, out, 1, 'distance'));
  const got = await engine.read(out);
  let wrong = 0;
  for (let r = 0; r < m; r++) if (got[r] !== labelData[indexData[2 * r]]) wrong++;
  assert.is(wrong, 0, 'rows whose probability is not the nearest label');
  assert.is(got[m - 1], labelData[indexData[2 * (m - 1)]], 'last row, in the second grid row');
  for (const t of [index, distances, labels, out]) t.release();
});

test('knn rejects invalid specs', async () => {
  const engine = await testEngine();
  const data = makeFitData(engine, makeEncoder(1), handX, Int32Array.from([0, 1, 0, 1, 1]), 2);
  const cases: Array<[KnnSpec[], string]> = [
    [[{ k: 0, weighting: 'uniform' }], 'k = 0 is invalid'],
    [[{ k: 65, weighting: 'uniform' }], 'k = 65 is invalid'],
    [[{ k: 2.5, weighting: 'distance' }], 'k = 2.5 is invalid'],
    [[{ k: 3, weighting: 'gaussian' as 'uniform' }], "weighting 'gaussian' is invalid"],
    [
      [
        { k: 3, weighting: 'uniform' },
        { k: 3, weighting: 'uniform' },
      ],
      'listed twice',
    ],
  ];
  for (const [specs, message] of cases) {
    const error = thrown(() => fitKnnModels(data, specs));
    assert.instance(error, MimicError);
    assert.match(error.message, message);
  }
  releaseFitData(data);
});

test('knn caps k at the training rows', async () => {
  const engine = await testEngine();
  const data = makeFitData(engine, makeEncoder(1), handX, Int32Array.from([0, 0, 1, 2, 1]), 3);
  const [capped] = fitKnnModels(data, [{ k: 30, weighting: 'uniform' }]);
  assert.is(capped.name, 'knn k=30 uniform');
  assertClose(await predict(capped, handQueries, 1), [2 / 5, 2 / 5, 1 / 5, 2 / 5, 2 / 5, 1 / 5], 'all 5 rows vote');
  capped.release();
  releaseFitData(data);
});

// Measured with seed 1 (4,000 training and 1,000 validation rows), accuracy and RMSE:
//   LETTER.p2:  k = 1 uniform 0.942, 0.241;  k = 5 distance 0.952, 0.194
//   26 classes: k = 1 uniform 0.894, 0.090;  k = 5 distance 0.899, 0.078
// The bounds leave a margin of 2 to 3 accuracy points and about 10% of RMSE.
const letterBounds: Record<string, { accuracy: number; rmse: number }> = {
  'binary knn k=1 uniform': { accuracy: 0.92, rmse: 0.265 },
  'binary knn k=5 distance': { accuracy: 0.93, rmse: 0.215 },
  '26 classes knn k=1 uniform': { accuracy: 0.87, rmse: 0.1 },
  '26 classes knn k=5 distance': { accuracy: 0.87, rmse: 0.086 },
};

test('knn accuracy on letter.csv', async () => {
  const engine = await testEngine();
  for (const binary of [true, false]) {
    const split = letterSplit(binary);
    const data = makeFitData(engine, split.encoder, split.train.x, split.train.labels, split.classes);
    const models = fitKnnModels(data, [
      { k: 1, weighting: 'uniform' },
      { k: 5, weighting: 'distance' },
    ]);
    for (const model of models) {
      const probabilities = await predict(model, split.validation.x, split.encoder.width);
      const name = `${binary ? 'binary' : '26 classes'} ${model.name}`;
      const bound = letterBounds[name];
      const score = accuracy(probabilities, split.validation.labels, data.outputs);
      const error = rmse(probabilities, split.validation.labels, data.outputs);
      assert.ok(score >= bound.accuracy, `${name}: accuracy ${score.toFixed(3)} < ${bound.accuracy}`);
      assert.ok(error <= bound.rmse, `${name}: RMSE ${error.toFixed(4)} > ${bound.rmse}`);
    }
    for (const model of models) model.release();
    releaseFitData(data);
  }
});

test.run();
