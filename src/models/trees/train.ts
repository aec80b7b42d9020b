import { Random } from '../../data/random.js';
import { fitBins, type Bins } from './bins.js';
import { ClassificationTreeGrower } from './classification.js';
import { TreeBuilder, type FlatTrees } from './flat.js';
import { RegressionTreeGrower } from './regression.js';
import type { ResolvedTreeSpec } from './spec.js';

/** Everything tree training reads, in plain arrays so that it can be sent to a worker. */
export interface TreeTrainingInput {
  spec: ResolvedTreeSpec;
  /** rows x cols training rows, row-major, and their class indices. */
  x: Float32Array;
  rows: number;
  cols: number;
  labels: Int32Array;
  classes: number;
  /** 1 for a binary problem, else `classes`. */
  outputs: number;
  /** Validation rows (validationRows x cols) for early stopping; boosting alone reads them. */
  validationX: Float32Array;
  validationRows: number;
  validationLabels: Int32Array;
}

export interface TreeTrainingResult {
  trees: FlatTrees;
  /** Boosting rounds kept after early stopping (null for the other families). */
  rounds: number | null;
  /** Validation log loss after each boosting round (empty for the other families). */
  validationLoss: number[];
}

export type ProgressCallback = (message: string, fraction: number) => void;

/**
 * Decides when long CPU work yields to the event loop. Inline training on the page's thread uses
 * a slice of a few milliseconds; a worker uses Infinity and never yields.
 */
export class Pacer {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs: number) {}

  /** Time (performance.now()) after which the current slice should end. */
  get deadline(): number {
    return this.sliceStart + this.sliceMs;
  }

  /** Yields to the event loop through a zero-delay timer when the slice is over. */
  async pause(): Promise<void> {
    if (performance.now() < this.deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.sliceStart = performance.now();
  }
}

/** Random stream of tree t, or of boosting round t, under the model's seed ('TR' in the top bits). */
const TREE_STREAM = 0x54520000;

/** Trains the trees that `input.spec` describes. The same input always gives the same trees. */
export async function trainTrees(input: TreeTrainingInput, pacer: Pacer, onProgress?: ProgressCallback): Promise<TreeTrainingResult> {
  checkInput(input);
  const bins = fitBins(input.x, input.rows, input.cols, input.spec.maxBins);
  if (input.spec.family === 'boosted-trees') return trainBoosting(input, input.spec, bins, pacer, onProgress);
  return { trees: await trainForest(input, input.spec, bins, pacer, onProgress), rounds: null, validationLoss: [] };
}

function checkInput(input: TreeTrainingInput): void {
  const { rows, cols, classes, outputs } = input;
  if (rows < 1) throw new RangeError('tree training needs at least one training row');
  if (input.x.length !== rows * cols) throw new RangeError(`x has ${input.x.length} values, expected ${rows}x${cols}`);
  if (input.labels.length !== rows) throw new RangeError(`labels has ${input.labels.length} values, expected ${rows}`);
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`classes must be an integer >= 2, got ${classes}`);
  if (outputs !== (classes === 2 ? 1 : classes)) throw new RangeError(`outputs must be 1 for 2 classes, else the class count; got ${outputs} for ${classes}`);
  if (input.validationX.length !== input.validationRows * cols || input.validationLabels.length !== input.validationRows) {
    throw new RangeError('validation rows and labels do not match validationRows x cols');
  }
  for (const labels of [input.labels, input.validationLabels]) {
    for (let r = 0; r < labels.length; r++) {
      if (!(labels[r] >= 0 && labels[r] < classes)) throw new RangeError(`label ${labels[r]} in row ${r} is not a class index below ${classes}`);
    }
  }
}

type ForestSpec = Extract<ResolvedTreeSpec, { family: 'tree' | 'random-forest' | 'extra-trees' }>;
type BoostingSpec = Extract<ResolvedTreeSpec, { family: 'boosted-trees' }>;

/** Grows one tree or a forest. Forest trees store class frequencies / trees, so their sum is the mean. */
async function trainForest(input: TreeTrainingInput, spec: ForestSpec, bins: Bins, pacer: Pacer, onProgress?: ProgressCallback): Promise<FlatTrees> {
  const { rows, cols, labels, classes, outputs } = input;
  const builder = new TreeBuilder(cols, outputs);
  const data = { bins, labels, classes, outputs };
  const options = {
    maxDepth: spec.maxDepth,
    minLeaf: spec.minLeaf,
    features: spec.features,
    randomThresholds: spec.family === 'extra-trees',
    leafScale: 1 / spec.trees,
  };
  const every = Math.max(1, Math.round(spec.trees / 20));

  for (let t = 0; t < spec.trees; t++) {
    const random = new Random(spec.seed, TREE_STREAM + t);
    let treeRows: Int32Array;
    let weights: Float64Array | null = null;
    if (spec.family === 'random-forest') {
      // A bootstrap sample of `rows` draws with replacement, kept as a count per distinct row.
      weights = new Float64Array(rows);
      for (let i = 0; i < rows; i++) weights[random.int(rows)]++;
      const drawn: number[] = [];
      for (let r = 0; r < rows; r++) if (weights[r] > 0) drawn.push(r);
      treeRows = Int32Array.from(drawn);
    } else {
      treeRows = Int32Array.from({ length: rows }, (_, r) => r);
    }

    const grower = new ClassificationTreeGrower(data, treeRows, weights, random, options, builder);
    while (!grower.done) {
      grower.grow(pacer.deadline);
      await pacer.pause();
    }
    if (onProgress && ((t + 1) % every === 0 || t + 1 === spec.trees)) onProgress(`${spec.family}: tree ${t + 1} of ${spec.trees}`, (t + 1) / spec.trees);
  }
  return builder.finish(new Float32Array(outputs), 'identity');
}

/** Clips a class share away from 0 and 1, so that the starting logits stay finite. */
function clipShare(share: number): number {
  return Math.min(Math.max(share, 1e-6), 1 - 1e-6);
}

/**
 * Returns the starting logits: the log odds of class 1 for a binary problem, else the log of each
 * class's share of the training rows, so that the first round starts from the class priors.
 */
export function startingLogits(labels: Int32Array, classes: number, outputs: number): Float64Array {
  const counts = new Float64Array(classes);
  for (const label of labels) counts[label]++;
  if (outputs === 1) {
    const share = clipShare(counts[1] / labels.length);
    return Float64Array.of(Math.log(share / (1 - share)));
  }
  return Float64Array.from(counts, (count) => Math.log(clipShare(count / labels.length)));
}

/**
 * Writes the gradient and Hessian of the log loss with respect to each logit: with p the sigmoid
 * or softmax of the row's logits and y its one-hot label, g = p - y and h = p (1 - p).
 * gradient and hessian are outputs x rows (one row of values per output column).
 */
export function logLossDerivatives(scores: Float32Array, labels: Int32Array, outputs: number, gradient: Float64Array, hessian: Float64Array): void {
  const rows = labels.length;
  const p = new Float64Array(outputs);
  for (let r = 0; r < rows; r++) {
    probabilitiesOf(scores, r, outputs, p);
    for (let k = 0; k < outputs; k++) {
      let y = labels[r] === k ? 1 : 0;
      if (outputs === 1) y = labels[r];
      gradient[k * rows + r] = p[k] - y;
      hessian[k * rows + r] = p[k] * (1 - p[k]);
    }
  }
}

/** Writes the sigmoid (one output) or softmax of row r's logits into p, in float64. */
function probabilitiesOf(scores: Float32Array, r: number, outputs: number, p: Float64Array): void {
  const at = r * outputs;
  if (outputs === 1) {
    p[0] = 1 / (1 + Math.exp(-scores[at]));
    return;
  }
  let top = -Infinity;
  for (let k = 0; k < outputs; k++) top = Math.max(top, scores[at + k]);
  let total = 0;
  for (let k = 0; k < outputs; k++) {
    p[k] = Math.exp(scores[at + k] - top);
    total += p[k];
  }
  for (let k = 0; k < outputs; k++) p[k] /= total;
}

/** Mean log loss of logits against labels, with probabilities clipped to [1e-15, 1]. */
function meanLogLoss(scores: Float32Array, labels: Int32Array, outputs: number): number {
  const p = new Float64Array(outputs);
  let total = 0;
  for (let r = 0; r < labels.length; r++) {
    probabilitiesOf(scores, r, outputs, p);
    let q = p[labels[r]];
    if (outputs === 1) q = labels[r] === 1 ? p[0] : 1 - p[0];
    total -= Math.log(Math.max(q, 1e-15));
  }
  return total / labels.length;
}

/** Adds one tree's leaf values to the f32 logits of every row, as prediction does. */
function addTree(builder: TreeBuilder, root: number, output: number, x: Float32Array, scores: Float32Array, outputs: number): void {
  const rows = scores.length / outputs;
  for (let r = 0; r < rows; r++) {
    scores[r * outputs + output] += builder.leafValueAt(builder.leafOf(root, x, r));
  }
}

/**
 * Gradient boosting on the log loss: per round, one tree on the logistic loss (binary) or one
 * tree per class on the softmax loss, each fitted to the gradients at the round's start. Training
 * stops when the validation log loss has not fallen for `patience` rounds, and keeps the rounds up
 * to its minimum. Logits are kept in f32 and summed tree by tree, as the GPU does.
 */
async function trainBoosting(input: TreeTrainingInput, spec: BoostingSpec, bins: Bins, pacer: Pacer, onProgress?: ProgressCallback): Promise<TreeTrainingResult> {
  const { rows, cols, labels, classes, outputs, validationRows } = input;
  const builder = new TreeBuilder(cols, outputs);
  const base = startingLogits(labels, classes, outputs);
  const scores = new Float32Array(rows * outputs);
  const validationScores = new Float32Array(validationRows * outputs);
  for (let r = 0; r < rows; r++) for (let k = 0; k < outputs; k++) scores[r * outputs + k] = base[k];
  for (let r = 0; r < validationRows; r++) for (let k = 0; k < outputs; k++) validationScores[r * outputs + k] = base[k];

  const gradient = new Float64Array(outputs * rows);
  const hessian = new Float64Array(outputs * rows);
  const sampleSize = Math.max(1, Math.round(spec.subsample * rows));
  const allRows = Int32Array.from({ length: rows }, (_, r) => r);
  const options = { maxDepth: spec.maxDepth, minLeaf: spec.minLeaf, l2: spec.l2, learningRate: spec.learningRate };
  const validationLoss: number[] = [];
  let bestRounds = 0;
  let bestLoss = validationRows > 0 ? meanLogLoss(validationScores, input.validationLabels, outputs) : Infinity;

  for (let round = 0; round < spec.rounds; round++) {
    logLossDerivatives(scores, labels, outputs, gradient, hessian);
    let sample = allRows;
    if (sampleSize < rows) {
      // Partial Fisher-Yates: the first sampleSize entries become a sample without replacement.
      const random = new Random(spec.seed, TREE_STREAM + round);
      sample = allRows.slice();
      for (let i = 0; i < sampleSize; i++) {
        const j = i + random.int(rows - i);
        const swap = sample[i];
        sample[i] = sample[j];
        sample[j] = swap;
      }
      sample = sample.subarray(0, sampleSize).sort();
    }

    for (let k = 0; k < outputs; k++) {
      const root = builder.treeCount;
      const grower = new RegressionTreeGrower(
        bins,
        sample.slice(),
        gradient.subarray(k * rows, (k + 1) * rows),
        hessian.subarray(k * rows, (k + 1) * rows),
        options,
        builder,
        k,
      );
      while (!grower.done) {
        grower.grow(pacer.deadline);
        await pacer.pause();
      }
      const rootNode = builder.rootOf(root);
      addTree(builder, rootNode, k, input.x, scores, outputs);
      addTree(builder, rootNode, k, input.validationX, validationScores, outputs);
    }

    if (validationRows > 0) {
      const loss = meanLogLoss(validationScores, input.validationLabels, outputs);
      validationLoss.push(loss);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestRounds = round + 1;
      }
      if (round + 1 - bestRounds >= spec.patience) break;
    } else {
      bestRounds = round + 1;
    }
    // Every 25th round, so that boosting reports as often as a forest of a few hundred trees.
    if ((round + 1) % 25 === 0) onProgress?.(`boosted-trees: round ${round + 1} of at most ${spec.rounds}`, (round + 1) / spec.rounds);
  }

  builder.truncate(bestRounds * outputs);
  return { trees: builder.finish(base, 'logistic'), rounds: bestRounds, validationLoss };
}
