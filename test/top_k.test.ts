// The top-k kernel against a float64 CPU reference. Sizes are not multiples of its tiles (4 query
// rows and 4 references per invocation, 64 invocations per workgroup), k is both below and above a
// tile, and one test runs on data full of exact ties.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Random } from '../src/data/random.js';
import { MAX_TOP_K, topK } from '../src/kernels/top_k.js';
import type { Engine } from '../src/gpu/engine.js';
import { randomArray, testEngine, thrown } from './helpers.js';

const tolerance = 1e-4;

/** Returns every query's references sorted by float64 distance, then by index: M lists of [distance, index]. */
function sortedNeighbours(query: Float32Array, reference: Float32Array, weight: Float32Array, d: number): Array<Array<[number, number]>> {
  const m = query.length / d;
  const n = reference.length / d;
  const lists: Array<Array<[number, number]>> = [];
  for (let i = 0; i < m; i++) {
    const list: Array<[number, number]> = [];
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let c = 0; c < d; c++) sum += weight[c] * (query[i * d + c] - reference[j * d + c]) ** 2;
      list.push([sum, j]);
    }
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    lists.push(list);
  }
  return lists;
}

async function runTopK(engine: Engine, queryData: Float32Array, referenceData: Float32Array, weightData: Float32Array, k: number) {
  const d = weightData.length;
  const m = queryData.length / d;
  const query = engine.tensor(m, d, queryData);
  const reference = engine.tensor(referenceData.length / d, d, referenceData);
  const weight = engine.tensor(1, d, weightData);
  const index = engine.tensorU32(m, k);
  const distances = engine.tensor(m, k);
  engine.runOnce((p) => topK(p, query, reference, weight, index, distances));
  const result = { index: await engine.readU32(index), distances: await engine.read(distances) };
  for (const t of [query, reference, weight, index, distances]) t.release();
  return result;
}

test('top-k matches float64 reference', async () => {
  const engine = await testEngine();
  const random = new Random(11);
  const d = 7;
  const weightData = Float32Array.from({ length: d }, (_, c) => (c < 3 ? 0.5 : 1));
  // [queries, references, k]: one partial tile of queries and references, k = 1, k within a tile,
  // k above a tile, the largest k, and k equal to the number of references.
  const cases: Array<[number, number, number]> = [
    [203, 141, 1],
    [203, 141, 3],
    [203, 141, 17],
    [203, 141, MAX_TOP_K],
    [5, 50, 50],
    [1, 1, 1],
  ];
  for (const [m, n, k] of cases) {
    const queryData = randomArray(random, m * d, -0.5, 1.5);
    const referenceData = randomArray(random, n * d, 0, 1);
    const expected = sortedNeighbours(queryData, referenceData, weightData, d);
    const got = await runTopK(engine, queryData, referenceData, weightData, k);
    for (let i = 0; i < m; i++) {
      const list = expected[i];
      const distanceOf = new Map(list.map(([distance, j]) => [j, distance]));
      for (let p = 0; p < k; p++) {
        const label = `case ${m}x${n} k=${k}, query ${i}, position ${p}`;
        const gotIndex = got.index[i * k + p];
        const gotDistance = got.distances[i * k + p];
        const [distance, j] = list[p];
        assert.ok(Math.abs(gotDistance - distance) <= tolerance * Math.max(distance, 1e-3), `${label}: distance ${gotDistance} vs ${distance}`);
        assert.ok(distanceOf.has(gotIndex), `${label}: index ${gotIndex} is not a reference row`);
        const own = distanceOf.get(gotIndex)!;
        assert.ok(Math.abs(own - gotDistance) <= tolerance * Math.max(own, 1e-3), `${label}: index ${gotIndex} is at ${own}, not ${gotDistance}`);
        // Where no other reference is within rounding of this one, f32 and float64 must agree on it.
        const separated = (p === 0 || distance - list[p - 1][0] > 1e-5) && (p + 1 === list.length || list[p + 1][0] - distance > 1e-5);
        if (separated) assert.is(gotIndex, j, `${label}: index`);
      }
      const chosen = new Set(Array.from(got.index.subarray(i * k, (i + 1) * k)));
      assert.is(chosen.size, k, `case ${m}x${n} k=${k}, query ${i}: indices are distinct`);
    }
  }
});

test('top-k breaks ties by lower index', async () => {
  const engine = await testEngine();
  const random = new Random(12);
  // Values in {0, 0.5, 1} with weights 1 and 0.5 make every distance an exact sum of quarters, so
  // f32 and float64 agree exactly and most distances are tied. Rows 0..69 repeat as rows 70..139.
  const d = 3;
  const n = 141;
  const m = 37;
  const pick = () => Math.floor(random.uniform() * 3) / 2;
  const referenceData = Float32Array.from({ length: n * d }, pick);
  referenceData.copyWithin(70 * d, 0, 70 * d);
  const queryData = Float32Array.from({ length: m * d }, pick);
  const weightData = Float32Array.from([1, 0.5, 1]);
  const expected = sortedNeighbours(queryData, referenceData, weightData, d);
  for (const k of [1, 9, 64]) {
    const got = await runTopK(engine, queryData, referenceData, weightData, k);
    for (let i = 0; i < m; i++) {
      const want = expected[i].slice(0, k);
      assert.equal(Array.from(got.index.subarray(i * k, (i + 1) * k)), want.map(([, j]) => j), `k=${k}, query ${i}: indices`);
      assert.equal(Array.from(got.distances.subarray(i * k, (i + 1) * k)), want.map(([distance]) => distance), `k=${k}, query ${i}: distances`);
    }
  }
});

test('top-k on row views of a larger tensor', async () => {
  const engine = await testEngine();
  const random = new Random(13);
  const d = 5;
  const [m, n, k] = [300, 90, 12];
  const queryData = randomArray(random, m * d);
  const referenceData = randomArray(random, n * d);
  const weightData = new Float32Array(d).fill(1);
  const expected = sortedNeighbours(queryData, referenceData, weightData, d);
  const query = engine.tensor(m, d, queryData);
  const reference = engine.tensor(n, d, referenceData);
  const weight = engine.tensor(1, d, weightData);
  const index = engine.tensorU32(m, k);
  const distances = engine.tensor(m, k);
  // Two blocks, as kNN models search large inputs: rows 0..127 and 128..299.
  engine.runOnce((p) => {
    topK(p, query.rowsView(0, 128), reference, weight, index.rowsView(0, 128), distances.rowsView(0, 128));
    topK(p, query.rowsView(128, m - 128), reference, weight, index.rowsView(128, m - 128), distances.rowsView(128, m - 128));
  });
  const gotDistances = await engine.read(distances);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const want = expected[i][p][0];
      assert.ok(Math.abs(gotDistances[i * k + p] - want) <= tolerance * Math.max(want, 1e-3), `query ${i}, position ${p}: ${gotDistances[i * k + p]} vs ${want}`);
    }
  }
  for (const t of [query, reference, weight, index, distances]) t.release();
});

test('top-k rejects invalid k', async () => {
  const engine = await testEngine();
  const query = engine.tensor(4, 2, new Float32Array(8).fill(0.5));
  const reference = engine.tensor(10, 2, new Float32Array(20).fill(0.25));
  const weight = engine.tensor(1, 2, new Float32Array([1, 1]));
  const program = engine.program();
  const tooMany = [engine.tensorU32(4, 11), engine.tensor(4, 11)];
  assert.match(thrown(() => topK(program, query, reference, weight, tooMany[0], tooMany[1])).message, 'exceeds the 10 reference rows');
  const wrongType = engine.tensor(4, 3);
  assert.match(thrown(() => topK(program, query, reference, weight, wrongType, wrongType)).message, 'u32');
  const bigReference = engine.tensor(100, 2, new Float32Array(200));
  const aboveMax = [engine.tensorU32(4, MAX_TOP_K + 1), engine.tensor(4, MAX_TOP_K + 1)];
  assert.match(thrown(() => topK(program, query, bigReference, weight, aboveMax[0], aboveMax[1])).message, `1..${MAX_TOP_K}`);
  program.destroy();
  for (const t of [query, reference, weight, ...tooMany, wrongType, bigReference, ...aboveMax]) t.release();
});

test.run();
