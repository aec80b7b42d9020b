// The parallel GPU MUNGE against a plain sequential CPU implementation of the published algorithm
// (Bucilua, Caruana and Niculescu-Mizil, KDD 2006, Figure 1), on the letter data set.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCsv } from '../src/data/csv.js';
import { attributeGroups, distanceWeights, encodeRows, fitEncoder } from '../src/data/encode.js';
import { defineProblem } from '../src/data/problem.js';
import { Random } from '../src/data/random.js';
import { splitRows } from '../src/data/split.js';
import { munge } from '../src/pseudo/munge.js';
import { testEngine } from './helpers.js';

const letterPath = new URL('../../data/letter.csv', import.meta.url);

/**
 * Runs the published MUNGE, one row at a time: for every row e of a fresh copy of the training set,
 * find its nearest other row e' in the copy as it is now, then for every attribute with
 * probability p either swap nominal values or redraw both continuous values around each other
 * with sd = |e - e'| / s. Rows are changed in place, so later rows see earlier changes.
 */
function sequentialMunge(train: Float64Array, n: number, d: number, groups: Uint32Array, weights: Float32Array, copies: number, p: number, s: number, random: Random): Float64Array {
  const out = new Float64Array(copies * n * d);
  const attributes = groups.length / 3;
  for (let copy = 0; copy < copies; copy++) {
    const t = train.slice();
    for (let e = 0; e < n; e++) {
      let best = Infinity;
      let neighbour = -1;
      for (let j = 0; j < n; j++) {
        if (j === e) continue;
        let sum = 0;
        for (let c = 0; c < d; c++) sum += weights[c] * (t[e * d + c] - t[j * d + c]) ** 2;
        if (sum < best) {
          best = sum;
          neighbour = j;
        }
      }
      for (let a = 0; a < attributes; a++) {
        if (random.uniform() >= p) continue;
        const first = groups[a * 3];
        const count = groups[a * 3 + 1];
        const nominal = groups[a * 3 + 2] === 1;
        for (let c = first; c < first + count; c++) {
          const x = t[e * d + c];
          const y = t[neighbour * d + c];
          if (nominal) {
            t[e * d + c] = y;
            t[neighbour * d + c] = x;
          } else {
            const sd = Math.abs(x - y) / s;
            t[e * d + c] = y + sd * random.normal();
            t[neighbour * d + c] = x + sd * random.normal();
          }
        }
      }
    }
    out.set(t, copy * n * d);
  }
  return out;
}

function columnMoments(values: ArrayLike<number>, rows: number, d: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(d);
  const variance = new Float64Array(d);
  for (let r = 0; r < rows; r++) for (let c = 0; c < d; c++) mean[c] += values[r * d + c];
  for (let c = 0; c < d; c++) mean[c] /= rows;
  for (let r = 0; r < rows; r++) for (let c = 0; c < d; c++) variance[c] += (values[r * d + c] - mean[c]) ** 2;
  for (let c = 0; c < d; c++) variance[c] /= rows - 1;
  return { mean, variance };
}

test('parallel MUNGE matches sequential moments on letter', async () => {
  const engine = await testEngine();
  const table = parseCsv(readFileSync(letterPath, 'utf8'), 'letter.csv');
  const problem = defineProblem(table, { target: 'lettr', positive: 'ABCDEFGHIJKLM'.split('') });
  const split = splitRows(problem.labels, 1);
  const encoder = fitEncoder(table, ['lettr'], split.train);
  const n = split.train.length;
  const d = encoder.width;
  const encoded = encodeRows(encoder, table, split.train);
  const groups = attributeGroups(encoder);
  const weights = distanceWeights(encoder);
  const copies = 3;
  const p = 0.5;
  const s = 2;

  const train = engine.tensor(n, d, encoded);
  const pseudo = munge(engine, train, groups, weights, { rows: copies * n, swapProbability: p, spread: s, seed: 11 });
  const parallel = await engine.read(pseudo);
  train.release();
  pseudo.release();
  const sequential = sequentialMunge(Float64Array.from(encoded), n, d, groups, weights, copies, p, s, new Random(11, 1));

  const original = columnMoments(encoded, n, d);
  const gpu = columnMoments(parallel, copies * n, d);
  const cpu = columnMoments(sequential, copies * n, d);
  for (let c = 0; c < d; c++) {
    // Both versions keep each attribute's distribution close to the training data's: means within
    // 0.01 on the [0, 1] scale and variances within 10% of each other. Sampling noise alone is
    // about 0.002 on the means for 12,000 rows.
    const name = encoder.attributes[c].name;
    assert.ok(Math.abs(gpu.mean[c] - cpu.mean[c]) < 0.01, `${name}: mean ${gpu.mean[c].toFixed(4)} (GPU) vs ${cpu.mean[c].toFixed(4)} (sequential)`);
    const ratio = gpu.variance[c] / cpu.variance[c];
    assert.ok(ratio > 0.9, `${name}: variance ${gpu.variance[c].toFixed(5)} (GPU) vs ${cpu.variance[c].toFixed(5)} (sequential)`);
    assert.ok(ratio < 1.1, `${name}: variance ${gpu.variance[c].toFixed(5)} (GPU) vs ${cpu.variance[c].toFixed(5)} (sequential)`);
    assert.ok(Math.abs(gpu.mean[c] - original.mean[c]) < 0.01, `${name}: GPU mean drifted from the training mean`);
  }
  // MUNGE must change rows. Letter's attributes are small integers, so a neighbour often has the
  // same value and a swap changes nothing; about 17% of values change with p = 0.5.
  let changed = 0;
  for (let i = 0; i < n * d; i++) if (parallel[i] !== encoded[i]) changed++;
  assert.ok(changed > 0.1 * n * d, `only ${changed} of ${n * d} values changed`);
});

test('munge is deterministic for one seed', async () => {
  const engine = await testEngine();
  const random = new Random(3);
  const n = 150;
  const d = 4;
  const data = Float32Array.from({ length: n * d }, () => random.uniform());
  const groups = Uint32Array.of(0, 1, 0, 1, 1, 0, 2, 1, 0, 3, 1, 0);
  const weights = new Float32Array(d).fill(1);
  const train = engine.tensor(n, d, data);
  const read = async (seed: number) => {
    const t = munge(engine, train, groups, weights, { rows: 400, swapProbability: 0.7, spread: 3, seed });
    const values = await engine.read(t);
    t.release();
    return Array.from(values);
  };
  const first = await read(5);
  assert.equal(await read(5), first);
  assert.not.equal(await read(6), first);
  assert.is(first.length, 400 * d);
  train.release();
});

test.run();
