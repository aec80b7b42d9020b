import { MimicError } from '../errors.js';
import type { LossKind } from '../kernels/loss.js';
import type { ModelSpec } from '../teacher/library.js';
import { librarySizes, listChoices, parseLibrary, type LibrarySize } from '../teacher/presets.js';
import { selectionMetrics, type SelectionMetric } from '../teacher/selection.js';
import type { ProgressEvent } from './compress.js';

export interface CompressOptions {
  /** Target column. */
  target: string;
  /** Target values counted as positive, making the problem binary. */
  positive?: string[];
  /** Columns to leave out of the attributes besides the target (identifiers, leaks). */
  ignore?: string[];
  /** Name for reports, e.g. "LETTER.p2"; defaults to the problem's description. */
  problemName?: string;
  /** Training and validation rows; the compression paper's 4,000 and 1,000 by default. */
  split?: { train: number; validation: number };
  /** MUNGE pseudo rows added to the original training rows for the student. */
  pseudo: number;
  /** MUNGE p: probability of taking an attribute from the nearest neighbour. */
  swapProbability: number;
  /** MUNGE s: continuous values are drawn with standard deviation |a - b| / s. */
  spread: number;
  /** Hidden units of the student (and of `ann`, the same net trained on original rows). */
  hidden: number;
  /** The teacher's model library: a named make-up or a list of model specs. */
  library: LibrarySize | Array<Partial<ModelSpec>>;
  /** The validation metric that ensemble selection climbs and that picks `single`. */
  selectionMetric: SelectionMetric;
  /** Student loss against the ensemble's probabilities. */
  loss: LossKind;
  learningRate: number;
  /** Mini-batch rows for ann. */
  batchSize: number;
  /** Mini-batch rows for the student, which trains on many more rows per epoch. */
  studentBatchSize: number;
  annEpochs: number;
  studentEpochs: number;
  /** Epochs without a better validation RMSE before a net stops training. */
  patience: number;
  seed: number;
  onProgress?: (event: ProgressEvent) => void;
}

export const defaultCompressOptions: Omit<CompressOptions, 'target'> = {
  pseudo: 400000,
  swapProbability: 0.5,
  spread: 2,
  hidden: 256,
  library: 'default',
  selectionMetric: 'rmse',
  loss: 'cross-entropy',
  learningRate: 2e-3,
  batchSize: 64,
  studentBatchSize: 256,
  annEpochs: 300,
  studentEpochs: 100,
  patience: 40,
  seed: 1,
};

/** Largest value accepted for counts such as --pseudo and --hidden, to catch typos before allocating. */
const maxRows = 50_000_000;

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MimicError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function requireNumber(name: string, value: number, min: number, max: number, exclusiveMin = false): void {
  const belowMin = exclusiveMin ? value <= min : value < min;
  if (!Number.isFinite(value) || belowMin || value > max) {
    throw new MimicError(`${name} must be a number ${exclusiveMin ? 'above' : 'from'} ${min}${Number.isFinite(max) ? ` ${exclusiveMin ? 'and at most' : 'to'} ${max}` : ''}, got ${value}`);
  }
}

/** Checks option ranges and throws a MimicError naming the command-line flag for the first bad one. */
export function validateOptions(options: CompressOptions): void {
  requireInteger('--pseudo', options.pseudo, 0, maxRows);
  requireNumber('--munge-p', options.swapProbability, 0, 1);
  requireNumber('--munge-s', options.spread, 0, Infinity, true);
  requireInteger('--hidden', options.hidden, 1, 16384);
  requireInteger('--seed', options.seed, 0, 2 ** 31 - 1);
  requireInteger('--epochs', options.studentEpochs, 1, 100000);
  requireInteger('--ann-epochs', options.annEpochs, 1, 100000);
  requireInteger('--patience', options.patience, 1, 100000);
  requireInteger('--batch-size', options.studentBatchSize, 1, 65536);
  requireInteger('ann batch size', options.batchSize, 1, 65536);
  requireNumber('--learning-rate', options.learningRate, 0, 10, true);
  if (typeof options.library === 'string' && !librarySizes.includes(options.library)) {
    throw new MimicError(`--library must be ${librarySizes.join(', ')} or a .json file of model specs, got ${options.library}`);
  }
  if (Array.isArray(options.library)) parseLibrary(options.library, 'the library');
  if (!selectionMetrics.includes(options.selectionMetric)) {
    throw new MimicError(`--selection-metric must be ${listChoices(selectionMetrics)}, got ${options.selectionMetric}`);
  }
  if (!['cross-entropy', 'probability-mse', 'logit-mse'].includes(options.loss)) {
    throw new MimicError(`--loss must be cross-entropy or probability-mse, got ${options.loss}`);
  }
  if (options.loss === 'logit-mse') {
    throw new MimicError('--loss logit-mse needs the teacher\'s logits, which an averaged ensemble does not have; use cross-entropy or probability-mse');
  }
}
