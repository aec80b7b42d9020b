import { MimicError, check } from '../errors.js';
import { Random } from './random.js';

/** Row indices of each part of a split, each sorted ascending. */
export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/** Row counts of the training and validation parts. The test part gets every other labelled row. */
export interface SplitSizes {
  train: number;
  validation: number;
}

/** Random stream of the split ('SPLT' in ASCII). Other CPU draws from the run's seed use other streams. */
export const SPLIT_STREAM = 0x53504c54;

/**
 * Default sizes follow Bucilua, Caruana and Niculescu-Mizil, "Model Compression" (KDD 2006):
 * 4,000 training rows, 1,000 validation rows and the rest for test.
 */
const PAPER_TRAIN = 4000;
const PAPER_VALIDATION = 1000;
const PAPER_MIN_ROWS = 7000;

/**
 * Splits the labelled rows (label >= 0) into training, validation and test parts, stratified by
 * label so that each part keeps the class proportions up to rounding. Rows labelled -1 are left
 * out. The same labels and seed always give the same split.
 *
 * Without `sizes`, a file of at least 7,000 labelled rows gets the paper's 4,000 training and 1,000
 * validation rows. A smaller file gets 50% for training and 12.5% for validation, the same 4:1
 * ratio, and the rest for test. With two classes, each class needs at least 2 training rows.
 */
export function splitRows(labels: Int32Array, seed: number, sizes?: SplitSizes, classNames?: string[]): Split {
  const byClass = rowsByClass(labels);
  const total = byClass.reduce((sum, rows) => sum + rows.length, 0);
  check(total > 0, 'no labelled rows to split: the target is missing in every row');

  const { train, validation } = sizes ? checkSizes(sizes, total) : defaultSizes(total);
  // Round the cumulative boundaries (train, then train + validation) rather than each part, so that
  // training and test each stay within one row of their class shares.
  const counts = byClass.map((rows) => rows.length);
  const none = counts.map(() => 0);
  const trainCounts = apportion(train, counts, none, counts);
  const throughValidation = apportion(train + validation, counts, trainCounts, counts);
  const validationCounts = throughValidation.map((count, c) => count - trainCounts[c]);
  if (byClass.length === 2) checkTrainingClasses(trainCounts, counts, total, sizes !== undefined, classNames);

  // Shuffle each class and deal its rows out to the three parts in order.
  const random = new Random(seed, SPLIT_STREAM);
  const parts = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  byClass.forEach((rows, c) => {
    const shuffled = random.shuffle(Int32Array.from(rows));
    const trainEnd = trainCounts[c];
    const validationEnd = trainEnd + validationCounts[c];
    for (let i = 0; i < shuffled.length; i++) {
      if (i < trainEnd) parts.train.push(shuffled[i]);
      else if (i < validationEnd) parts.validation.push(shuffled[i]);
      else parts.test.push(shuffled[i]);
    }
  });

  return {
    train: Int32Array.from(parts.train).sort(),
    validation: Int32Array.from(parts.validation).sort(),
    test: Int32Array.from(parts.test).sort(),
  };
}

/** Returns the row indices of each class, in row order, for classes 0 .. max label. */
function rowsByClass(labels: Int32Array): number[][] {
  const byClass: number[][] = [];
  for (let r = 0; r < labels.length; r++) {
    const label = labels[r];
    if (label === -1) continue;
    if (label < 0) throw new RangeError(`splitRows: label ${label} in row ${r} is invalid; labels are class indices or -1`);
    while (byClass.length <= label) byClass.push([]);
    byClass[label].push(r);
  }
  return byClass;
}

function defaultSizes(total: number): SplitSizes {
  if (total >= PAPER_MIN_ROWS) return { train: PAPER_TRAIN, validation: PAPER_VALIDATION };
  const sizes = { train: Math.round(total * 0.5), validation: Math.round(total * 0.125) };
  if (sizes.train < 1 || sizes.validation < 1 || sizes.train + sizes.validation >= total) {
    throw new MimicError(
      `data set too small: ${total} labelled rows; need at least 4 so that training, validation and test ` +
        'each get a row, and more for a useful model',
    );
  }
  return sizes;
}

function checkSizes(sizes: SplitSizes, total: number): SplitSizes {
  const { train, validation } = sizes;
  const valid = Number.isInteger(train) && Number.isInteger(validation) && train >= 1 && validation >= 1;
  if (!valid || train + validation >= total) {
    throw new MimicError(
      `split sizes of ${train} training and ${validation} validation rows do not fit ${total} labelled rows; ` +
        `give whole numbers of at least 1 whose sum is at most ${total - 1}, so that the test part is not empty`,
    );
  }
  return sizes;
}

function checkTrainingClasses(trainCounts: number[], counts: number[], total: number, sized: boolean, classNames?: string[]): void {
  trainCounts.forEach((trainCount, c) => {
    if (trainCount >= 2) return;
    const name = classNames ? `'${classNames[c]}'` : String(c);
    if (counts[c] < 2 || !sized) {
      throw new MimicError(
        `data set too small: ${total} labelled rows; class ${name} has ${counts[c]} of them and gets ${trainCount} ` +
          'training rows, but each class needs at least 2; add rows of that class',
      );
    }
    throw new MimicError(
      `training size too small: class ${name} gets ${trainCount} of its ${counts[c]} rows for training, but each ` +
        'class needs at least 2; give a larger --train',
    );
  });
}

/**
 * Divides `total` among classes in proportion to `counts` by the largest remainder method, keeping
 * each class between its `lower` and `upper` bounds. Needs sum(lower) <= total <= sum(upper).
 *
 * Each class starts at its share rounded down, raised to `lower`. The rows left over go one each
 * to the classes with the largest fractional parts that are still at their rounded-down share.
 * Only when bounds leave rows over does a class move a second row away from its share.
 */
function apportion(total: number, counts: number[], lower: number[], upper: number[]): number[] {
  const sum = counts.reduce((a, b) => a + b, 0);
  const shares = counts.map((count) => (total * count) / sum);
  const result = shares.map((share, c) => Math.min(Math.max(Math.floor(share), lower[c]), upper[c]));
  let left = total - result.reduce((a, b) => a + b, 0);

  // Largest fractional part first, with the class index breaking ties.
  const fraction = shares.map((share) => share - Math.floor(share));
  const order = counts.map((_, c) => c).sort((a, b) => fraction[b] - fraction[a] || a - b);
  const reverse = [...order].reverse();

  const give = (c: number, limit: number) => {
    if (left > 0 && result[c] < Math.min(limit, upper[c])) {
      result[c]++;
      left--;
    }
  };
  const take = (c: number, limit: number) => {
    if (left < 0 && result[c] > Math.max(limit, lower[c])) {
      result[c]--;
      left++;
    }
  };
  for (const c of order) give(c, Math.ceil(shares[c]));
  for (const c of reverse) take(c, Math.floor(shares[c]));
  for (let pass = 0; left !== 0 && pass < total; pass++) {
    for (const c of order) give(c, Infinity);
    for (const c of reverse) take(c, -Infinity);
  }
  if (left !== 0) throw new Error(`apportion: cannot divide ${total} rows within bounds ${lower} to ${upper}`);
  return result;
}
