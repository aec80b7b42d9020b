/**
 * Classification metrics in float64 on the CPU.
 *
 * `probabilities` is rows x classesOut, row-major. With classesOut = 1 each row contains the
 * probability of the positive class and labels are 0 or 1. Otherwise each row contains one
 * probability per class and labels are class indices. Every function throws RangeError for
 * mismatched lengths or invalid labels, and Error for a NaN input, so a broken model never shows
 * up as a NaN score.
 */

/** Returns the root mean squared error against the one-hot labels, averaged over rows and classes. */
export function rmse(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classesOut: number): number {
  const rows = checkInputs('rmse', probabilities, labels, classesOut);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < classesOut; j++) {
      let target = labels[r];
      if (classesOut > 1) target = labels[r] === j ? 1 : 0;
      const error = probabilities[r * classesOut + j] - target;
      sum += error * error;
    }
  }
  return Math.sqrt(sum / (rows * classesOut));
}

/**
 * Returns the fraction of rows predicted correctly. A binary row predicts positive when its
 * probability is at least 0.5. A multiclass row predicts its most probable class, and the lowest
 * class index wins a tie.
 */
export function accuracy(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classesOut: number): number {
  const rows = checkInputs('accuracy', probabilities, labels, classesOut);
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    if (predictClass(probabilities, r, classesOut) === labels[r]) correct++;
  }
  return correct / rows;
}

function predictClass(probabilities: ArrayLike<number>, row: number, classesOut: number): number {
  if (classesOut === 1) return probabilities[row] >= 0.5 ? 1 : 0;
  const base = row * classesOut;
  let best = 0;
  for (let j = 1; j < classesOut; j++) {
    if (probabilities[base + j] > probabilities[base + best]) best = j;
  }
  return best;
}

/**
 * Returns the area under the ROC curve for 0/1 labels: the probability that a random positive row
 * scores above a random negative one, with ties counting one half. It is computed from the
 * Mann-Whitney U statistic with midranks for tied scores. Returns NaN when either class is absent,
 * because the area is undefined then.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const rows = checkInputs('auc', scores, labels, 1);

  const order = Array.from({ length: rows }, (_, i) => i);
  order.sort((a, b) => scores[a] - scores[b]);

  // Sum the 1-based ranks of the positive rows, giving each run of tied scores its mean rank.
  let positiveRankSum = 0;
  let positives = 0;
  for (let start = 0; start < rows; ) {
    let end = start + 1;
    while (end < rows && scores[order[end]] === scores[order[start]]) end++;
    const midrank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) {
      if (labels[order[i]] === 1) {
        positiveRankSum += midrank;
        positives++;
      }
    }
    start = end;
  }

  const negatives = rows - positives;
  if (positives === 0 || negatives === 0) return NaN;
  const u = positiveRankSum - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}

/** Model probabilities are clipped to [EPSILON, 1 - EPSILON] so that one confident mistake stays finite. */
const EPSILON = 1e-15;

/** Returns the mean negative log-likelihood of the labels, in nats. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classesOut: number): number {
  const rows = checkInputs('logLoss', probabilities, labels, classesOut);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    if (classesOut === 1) {
      const p = clip(probabilities[r]);
      sum -= Math.log(labels[r] === 1 ? p : 1 - p);
    } else {
      sum -= Math.log(clip(probabilities[r * classesOut + labels[r]]));
    }
  }
  return sum / rows;
}

function clip(p: number): number {
  return Math.min(Math.max(p, EPSILON), 1 - EPSILON);
}

/** Validates shapes, labels and values, and returns the number of rows. */
function checkInputs(name: string, values: ArrayLike<number>, labels: ArrayLike<number>, classesOut: number): number {
  if (!Number.isInteger(classesOut) || classesOut < 1) {
    throw new RangeError(`${name}: classesOut must be a positive integer, got ${classesOut}`);
  }
  const rows = labels.length;
  if (rows === 0) throw new RangeError(`${name}: needs at least one row, got 0 labels`);
  if (values.length !== rows * classesOut) {
    throw new RangeError(
      `${name}: expected ${rows} x ${classesOut} = ${rows * classesOut} values for ${rows} labels, got ${values.length}`,
    );
  }

  const labelLimit = classesOut === 1 ? 2 : classesOut;
  for (let r = 0; r < rows; r++) {
    const label = labels[r];
    if (!Number.isInteger(label) || label < 0 || label >= labelLimit) {
      throw new RangeError(`${name}: label ${label} in row ${r} is invalid; expected an integer in [0, ${labelLimit - 1}]`);
    }
  }
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new Error(`${name}: value ${i} (row ${Math.floor(i / classesOut)}) is NaN`);
  }
  return rows;
}
