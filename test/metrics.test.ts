import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { thrown } from './helpers.js';
import { Random } from '../src/data/random.js';
import { accuracy, auc, logLoss, rmse } from '../src/metrics/metrics.js';

function closeTo(actual: number, expected: number, tolerance = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);
}

/** ROC AUC by comparing every positive with every negative: the definition, at O(n^2). */
function aucByPairs(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      if (scores[i] > scores[j]) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

// ---------------------------------------------------------------- rmse

test('rmse binary by hand', () => {
  // Errors 0.1, 0.2 and 0.6: squares sum to 0.41.
  closeTo(rmse([0.9, 0.2, 0.6], [1, 0, 0], 1), Math.sqrt(0.41 / 3));
});

test('rmse multiclass by hand', () => {
  // Row 0, label 0: errors -0.3, 0.2, 0.1, squares 0.09 + 0.04 + 0.01 = 0.14.
  // Row 1, label 2: errors 0.5, 0.5, -1, squares 0.25 + 0.25 + 1 = 1.5.
  const p = [0.7, 0.2, 0.1, 0.5, 0.5, 0];
  closeTo(rmse(p, [0, 2], 3), Math.sqrt((0.14 + 1.5) / 6));
});

test('rmse perfect and worst', () => {
  assert.is(rmse([1, 0, 1], [1, 0, 1], 1), 0);
  assert.is(rmse([0, 1], [1, 0], 1), 1);
  assert.is(rmse([1, 0, 0, 1], [0, 1], 2), 0);
  assert.is(rmse([0, 1, 1, 0], [0, 1], 2), 1);
});

test('rmse two-column softmax matches binary', () => {
  // With p1 = 1 - p0 both errors of a row are equal, so the mean over two columns is unchanged.
  const positive = [0.8, 0.3, 0.55, 0.1];
  const labels = [1, 0, 0, 1];
  const twoColumns = positive.flatMap((p) => [1 - p, p]);
  closeTo(rmse(twoColumns, labels, 2), rmse(positive, labels, 1));
});

test('rmse accepts typed arrays', () => {
  closeTo(rmse(Float32Array.of(0.5, 0.5), Int32Array.of(1, 0), 1), 0.5);
});

// ---------------------------------------------------------------- accuracy

test('accuracy binary threshold at half', () => {
  // 0.5 predicts positive and 0.49 negative.
  assert.is(accuracy([0.5, 0.5, 0.49], [1, 1, 0], 1), 1);
  assert.is(accuracy([0.5, 0.49], [0, 1], 1), 0);
  assert.is(accuracy([0.9, 0.1, 0.7, 0.2], [1, 0, 0, 1], 1), 0.5);
});

test('accuracy multiclass argmax', () => {
  const p = [0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.2, 0.2, 0.6];
  assert.is(accuracy(p, [1, 0, 2], 3), 1);
  assert.is(accuracy(p, [1, 1, 2], 3), 2 / 3);
});

test('accuracy ties go to lowest class', () => {
  const p = [0.4, 0.4, 0.2, 0.1, 0.45, 0.45];
  assert.is(accuracy(p, [0, 1], 3), 1);
  assert.is(accuracy(p, [1, 2], 3), 0);
});

// ---------------------------------------------------------------- auc

test('auc small case counted by hand', () => {
  // Positives score 0.35 and 0.8, negatives 0.1 and 0.4. Of the four pairs, 0.35 < 0.4 is the only
  // one ranked wrong, so AUC = 3 / 4.
  assert.is(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
});

test('auc ties count half by hand', () => {
  // Positives 0.5 and 0.9, negatives 0.5, 0.2 and 0.5. Pairs for 0.5: tie, win, tie = 2.
  // Pairs for 0.9: three wins = 3. AUC = 5 / 6.
  assert.is(auc([0.5, 0.9, 0.5, 0.2, 0.5], [1, 1, 0, 0, 0]), 5 / 6);
});

test('auc perfect inverted and constant', () => {
  assert.is(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.is(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  assert.is(auc([0.3, 0.3, 0.3, 0.3, 0.3], [0, 1, 1, 0, 1]), 0.5);
});

test('auc ignores score scale', () => {
  const scores = [0.2, 0.7, 0.4, 0.9, 0.1, 0.6];
  const labels = [0, 1, 0, 1, 0, 0];
  const logits = scores.map((p) => Math.log(p / (1 - p)) * 100);
  assert.is(auc(logits, labels), auc(scores, labels));
});

test('auc matches pair counting on random data', () => {
  const random = new Random(3);
  for (let trial = 0; trial < 20; trial++) {
    const n = 50 + random.int(300);
    const labels = Array.from({ length: n }, () => (random.uniform() < 0.3 ? 1 : 0));
    labels[0] = 0;
    labels[1] = 1;
    // Rounded scores produce many ties, and positives score a little higher on average.
    const scores = labels.map((y) => Math.round((random.uniform() + 0.3 * y) * 20) / 20);
    closeTo(auc(scores, labels), aucByPairs(scores, labels));
  }
});

test('auc NaN without both classes', () => {
  assert.ok(Number.isNaN(auc([0.1, 0.9], [1, 1])));
  assert.ok(Number.isNaN(auc([0.1, 0.9], [0, 0])));
});

test('auc rejects other labels', () => {
  const error = thrown(() => auc([0.1, 0.9, 0.5], [0, 1, 2]));
  assert.instance(error, RangeError);
  assert.match(error.message, 'label 2 in row 2');
});

// ---------------------------------------------------------------- logLoss

test('logLoss binary by hand', () => {
  closeTo(logLoss([0.8, 0.3], [1, 0], 1), -(Math.log(0.8) + Math.log(0.7)) / 2);
});

test('logLoss multiclass by hand', () => {
  const p = [0.7, 0.2, 0.1, 0.25, 0.25, 0.5];
  closeTo(logLoss(p, [0, 2], 3), -(Math.log(0.7) + Math.log(0.5)) / 2);
});

test('logLoss clips certain mistakes', () => {
  const clipped = -Math.log(1e-15);
  closeTo(logLoss([0], [1], 1), clipped, 1e-9);
  closeTo(logLoss([1], [0], 1), -Math.log(1 - (1 - 1e-15)), 1e-6);
  closeTo(logLoss([1, 0], [1], 2), clipped, 1e-9);
  assert.ok(Number.isFinite(logLoss([1, 0, 0], [1, 0, 1], 1)));
});

test('logLoss perfect is near zero', () => {
  const loss = logLoss([1, 0], [1, 0], 1);
  assert.ok(loss >= 0, `loss ${loss}`);
  assert.ok(loss < 1e-14, `loss ${loss}`);
});

// ---------------------------------------------------------------- input checks

test('metrics reject length mismatch', () => {
  const cases: [string, () => unknown][] = [
    ['rmse', () => rmse([0.1, 0.2, 0.3], [0, 1], 1)],
    ['accuracy', () => accuracy([0.1, 0.2, 0.3], [0, 1], 1)],
    ['logLoss', () => logLoss([0.1, 0.2, 0.3], [0, 1], 1)],
    ['auc', () => auc([0.1, 0.2, 0.3], [0, 1])],
  ];
  for (const [name, fn] of cases) {
    const error = thrown(fn);
    assert.instance(error, RangeError, name);
    assert.match(error.message, name);
    assert.match(error.message, 'expected 2 x 1 = 2 values');
    assert.match(error.message, 'got 3');
  }
  const multi = thrown(() => rmse([0.1, 0.2, 0.3, 0.4, 0.5], [0, 1], 3));
  assert.match(multi.message, 'expected 2 x 3 = 6 values');
});

test('metrics reject NaN probabilities', () => {
  const p = [0.2, NaN, 0.7];
  const labels = [0, 1, 1];
  for (const fn of [() => rmse(p, labels, 1), () => accuracy(p, labels, 1), () => logLoss(p, labels, 1), () => auc(p, labels)]) {
    const error = thrown(fn);
    assert.not.instance(error, RangeError);
    assert.match(error.message, 'NaN');
    assert.match(error.message, 'row 1');
  }
});

test('metrics reject invalid labels', () => {
  for (const labels of [[0, 2], [0, -1], [0, 0.5]]) {
    const error = thrown(() => rmse([0.1, 0.2], labels, 1));
    assert.instance(error, RangeError);
    assert.match(error.message, `label ${labels[1]} in row 1`);
  }
  const multi = thrown(() => accuracy([0.5, 0.5, 0.5, 0.5], [0, 2], 2));
  assert.match(multi.message, 'expected an integer in [0, 1]');
});

test('metrics reject empty input and bad classesOut', () => {
  const empty = thrown(() => rmse([], [], 1));
  assert.instance(empty, RangeError);
  assert.match(empty.message, 'at least one row');
  for (const classesOut of [0, -1, 1.5]) {
    const error = thrown(() => accuracy([0.5], [0], classesOut));
    assert.instance(error, RangeError);
    assert.match(error.message, `got ${classesOut}`);
  }
});

test.run();
