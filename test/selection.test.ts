// Ensemble selection: a case worked out by hand, and a plain reimplementation of greedy forward
// selection (Caruana et al., 2004) to compare against on random predictions for every metric.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Random } from '../src/data/random.js';
import { accuracy, auc, logLoss, rmse } from '../src/metrics/metrics.js';
import { bestSingle, selectEnsemble, type SelectionMetric, type SelectionOptions } from '../src/teacher/selection.js';

const once: SelectionOptions = { metric: 'rmse', initialModels: 1, steps: 10, bags: 1, bagFraction: 1, seed: 1 };

test('two complementary models by hand', () => {
  // Each model is right on two rows and unsure on the others: RMSE sqrt(0.145) = 0.3808 alone.
  // Their average [0.65, 0.35, 0.65, 0.35] has RMSE 0.35, and adding either model a third time
  // gives 0.3536, so the best ensemble is one of each.
  const labels = Int32Array.of(1, 0, 1, 0);
  const predictions = [Float32Array.of(0.8, 0.2, 0.5, 0.5), Float32Array.of(0.5, 0.5, 0.8, 0.2)];
  const result = selectEnsemble(predictions, labels, 1, once);
  assert.equal(Array.from(result.weights), [0.5, 0.5]);
  assert.ok(Math.abs(result.validationScore - 0.35) < 1e-6, `score ${result.validationScore}`);
});

test('a dominant model is chosen alone', () => {
  const labels = Int32Array.of(1, 0, 1, 0);
  const predictions = [Float32Array.of(0.6, 0.4, 0.6, 0.4), Float32Array.of(0.9, 0.1, 0.9, 0.1), Float32Array.of(0.5, 0.5, 0.5, 0.5)];
  const result = selectEnsemble(predictions, labels, 1, once);
  assert.equal(Array.from(result.weights), [0, 1, 0]);
  assert.is(bestSingle(predictions, labels, 1, 'rmse'), 1);
});

/** Computes the metric with src/metrics, negated where higher is better. */
function referenceLoss(metric: SelectionMetric, p: Float64Array, labels: Int32Array, outputs: number): number {
  if (metric === 'rmse') return rmse(p, labels, outputs);
  if (metric === 'logloss') return logLoss(p, labels, outputs);
  if (metric === 'accuracy') return -accuracy(p, labels, outputs);
  return -auc(p, labels);
}

/** Greedy forward selection without bags, written plainly: returns the pick counts. */
function referenceSelect(predictions: Float32Array[], labels: Int32Array, outputs: number, metric: SelectionMetric, initialModels: number, steps: number): number[] {
  const average = (picks: number[]) => {
    const out = new Float64Array(predictions[0].length);
    for (const m of picks) predictions[m].forEach((v, i) => (out[i] += v / picks.length));
    return out;
  };
  const loss = (picks: number[]) => referenceLoss(metric, average(picks), labels, outputs);
  const order = predictions.map((_, m) => m).sort((a, b) => loss([a]) - loss([b]) || a - b);
  let best: number[] = [];
  let bestLoss = Infinity;
  for (let n = 1; n <= initialModels; n++) {
    const value = loss(order.slice(0, n));
    if (value < bestLoss) {
      bestLoss = value;
      best = order.slice(0, n);
    }
  }
  let picks = best.slice();
  for (let step = 0; step < steps; step++) {
    const values = predictions.map((_, m) => loss([...picks, m]));
    const chosen = values.indexOf(Math.min(...values));
    picks = [...picks, chosen];
    if (values[chosen] < bestLoss) {
      bestLoss = values[chosen];
      best = picks.slice();
    }
  }
  const counts = new Array(predictions.length).fill(0);
  for (const m of best) counts[m]++;
  return counts;
}

function randomPredictions(random: Random, models: number, rows: number, outputs: number): Float32Array[] {
  return Array.from({ length: models }, () => {
    const p = new Float32Array(rows * outputs);
    for (let r = 0; r < rows; r++) {
      if (outputs === 1) {
        p[r] = random.uniform();
        continue;
      }
      let total = 0;
      for (let j = 0; j < outputs; j++) total += p[r * outputs + j] = random.uniform() ** 3;
      for (let j = 0; j < outputs; j++) p[r * outputs + j] /= total;
    }
    return p;
  });
}

const referenceCases: Array<{ metric: SelectionMetric; outputs: number }> = [
  { metric: 'rmse', outputs: 1 },
  { metric: 'rmse', outputs: 5 },
  { metric: 'logloss', outputs: 1 },
  { metric: 'logloss', outputs: 5 },
  { metric: 'accuracy', outputs: 5 },
  { metric: 'auc', outputs: 1 },
];

for (const { metric, outputs } of referenceCases) {
  test(`greedy matches reference: ${metric}, ${outputs} outputs`, () => {
    const random = new Random(7, outputs);
    const rows = 53;
    const labels = Int32Array.from({ length: rows }, () => random.int(outputs === 1 ? 2 : outputs));
    const predictions = randomPredictions(random, 9, rows, outputs);
    const expected = referenceSelect(predictions, labels, outputs, metric, 3, 12);
    const total = expected.reduce((a, b) => a + b, 0);
    const result = selectEnsemble(predictions, labels, outputs, { metric, initialModels: 3, steps: 12, bags: 1, bagFraction: 1, seed: 1 });
    for (let m = 0; m < predictions.length; m++) {
      assert.ok(Math.abs(result.weights[m] - expected[m] / total) < 1e-12, `model ${m}: weight ${result.weights[m]}, expected ${expected[m] / total}`);
    }
  });
}

test('bagged weights sum to 1 and repeat', () => {
  const random = new Random(3, 0);
  const labels = Int32Array.from({ length: 80 }, () => random.int(3));
  const predictions = randomPredictions(random, 12, 80, 3);
  const options: SelectionOptions = { metric: 'rmse', initialModels: 3, steps: 10, bags: 6, bagFraction: 0.5, seed: 4 };
  const first = selectEnsemble(predictions, labels, 3, options);
  const second = selectEnsemble(predictions, labels, 3, options);
  const total = first.weights.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-12, `weights sum to ${total}`);
  assert.equal(Array.from(first.weights), Array.from(second.weights));
  assert.ok(first.weights.every((w) => w >= 0));
});

test('auc needs a binary problem', () => {
  const predictions = randomPredictions(new Random(1, 1), 2, 10, 3);
  const labels = Int32Array.from({ length: 10 }, (_, i) => i % 3);
  assert.throws(() => selectEnsemble(predictions, labels, 3, { ...once, metric: 'auc' }), /auc selection metric needs a binary problem/);
});

test.run();
