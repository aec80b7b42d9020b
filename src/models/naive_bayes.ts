import type { Encoder } from '../data/encode.js';
import { MimicError, check } from '../errors.js';
import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import { probabilities } from '../kernels/loss.js';
import { NaiveBayesColumn, naiveBayesLogits } from '../kernels/naive_bayes.js';
import type { FitData, TeacherModel } from './model.js';

/**
 * A naive Bayes model. Nominal attributes are categorical in both kinds. Continuous columns are
 * - 'gaussian': normal per class. Each class variance is increased by `varianceSmoothing` times
 *   the largest variance of any continuous column over all training rows, so that none is 0. This
 *   is var_smoothing of scikit-learn's GaussianNB (0.20 and later), whose default is 1e-9.
 * - 'binned': categorical over `bins` equal-width bins of the training range.
 * Categorical probabilities use Laplace smoothing: (count + laplace) / (total + laplace * values).
 */
export type NaiveBayesSpec =
  | { kind: 'gaussian'; varianceSmoothing: number; laplace?: number }
  | { kind: 'binned'; bins: number; laplace?: number };

/** Logit of a class without training rows: its probability is 0 after softmax or sigmoid. */
const ABSENT_CLASS_LOGIT = -1e30;

/**
 * Smallest class variance, in encoded units (the training range is 1). It bounds -1 / (2 variance)
 * so that the Gaussian term of a value a million ranges away still fits f32 instead of reaching
 * -Infinity, which can turn the softmax into NaN.
 */
const MIN_VARIANCE = 1e-12;

/** Largest number of bins per continuous column. */
const MAX_BINS = 1000;

/**
 * Parameters of a fitted naive Bayes model in the layout of shaders/naive_bayes.wgsl: per encoded
 * column its kind and the offset of its coefficients, the packed coefficients, and one bias per
 * class (log prior plus the Gaussian log normalisers).
 */
export interface NaiveBayesParameters {
  columns: Uint32Array;
  coefficients: Float32Array;
  bias: Float32Array;
  bins: number;
}

/**
 * Fits naive Bayes on the CPU from `data.xHost` and `data.labels` in float64, and returns a model
 * that predicts on the GPU: naive_bayes.wgsl computes the logits and `probabilities` applies the
 * softmax (sigmoid of the log odds for binary problems). Named like "naive-bayes gaussian smoothing=1e-9" or "naive-bayes bins=10".
 */
export function fitNaiveBayes(data: FitData, spec: NaiveBayesSpec): TeacherModel {
  const parameters = fitNaiveBayesParameters(data, spec);
  const name = spec.kind === 'gaussian' ? `naive-bayes gaussian smoothing=${spec.varianceSmoothing}` : `naive-bayes bins=${spec.bins}`;
  const laplace = spec.laplace ?? 1;
  return new NaiveBayesModel(data.engine, laplace === 1 ? name : `${name} laplace=${laplace}`, parameters, data.classes, data.outputs);
}

/** Fits the parameters of `fitNaiveBayes` on the CPU, without touching the GPU. */
export function fitNaiveBayesParameters(data: FitData, spec: NaiveBayesSpec): NaiveBayesParameters {
  checkSpec(spec);
  const { encoder, labels, classes, xHost } = data;
  const n = labels.length;
  const d = encoder.width;
  if (xHost.length !== n * d) throw new RangeError(`fitNaiveBayes: xHost has ${xHost.length} values, expected ${n} x ${d}`);
  if (n === 0) throw new MimicError('naive Bayes: no training rows; a naive Bayes model needs at least one');
  const counts = new Float64Array(classes);
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`naive Bayes: label ${label} of training row ${r} is not a class index below ${classes}`);
    }
    counts[label]++;
  }

  const laplace = spec.laplace ?? 1;
  const bins = spec.kind === 'binned' ? spec.bins : 1;
  const columns = new Uint32Array(2 * d);
  const coefficients: number[] = [];
  const bias = Float64Array.from(counts, (count) => Math.log(count / n));
  const epsilon = spec.kind === 'gaussian' ? varianceEpsilon(encoder, xHost, n, spec.varianceSmoothing) : 0;

  for (const attribute of encoder.attributes) {
    const j = attribute.column;
    if (attribute.kind === 'nominal') {
      const logs = categoryLogProbabilities(xHost, labels, d, j, attribute.categories.length, classes, laplace);
      attribute.categories.forEach((_, v) => {
        columns[2 * (j + v)] = NaiveBayesColumn.indicator;
        columns[2 * (j + v) + 1] = coefficients.length;
        coefficients.push(...logs[v]);
      });
    } else if (spec.kind === 'gaussian') {
      columns[2 * j] = NaiveBayesColumn.gaussian;
      columns[2 * j + 1] = coefficients.length;
      const { mean, variance } = classMoments(xHost, labels, d, j, counts);
      for (let c = 0; c < classes; c++) {
        if (counts[c] === 0) {
          coefficients.push(0, 0);
          continue;
        }
        const v = Math.max(variance[c] + epsilon, MIN_VARIANCE);
        coefficients.push(mean[c], -1 / (2 * v));
        bias[c] -= 0.5 * Math.log(2 * Math.PI * v);
      }
    } else {
      columns[2 * j] = NaiveBayesColumn.binned;
      columns[2 * j + 1] = coefficients.length;
      coefficients.push(...binLogProbabilities(xHost, labels, d, j, bins, classes, counts, laplace));
    }
  }

  for (let c = 0; c < classes; c++) if (counts[c] === 0) bias[c] = ABSENT_CLASS_LOGIT;
  return { columns, coefficients: Float32Array.from(coefficients), bias: Float32Array.from(bias), bins };
}

/**
 * Returns the bin of an encoded continuous value as the GPU computes it: the product is rounded
 * to f32 first, so that values on a bin edge land in the same bin on both.
 */
export function binOf(value: number, bins: number): number {
  const bin = Math.floor(Math.fround(value * bins));
  return Math.min(Math.max(bin, 0), bins - 1);
}

function checkSpec(spec: NaiveBayesSpec): void {
  const laplace = spec.laplace ?? 1;
  check(Number.isFinite(laplace) && laplace > 0, `naive Bayes: laplace = ${laplace} is invalid; give a positive number such as 1`);
  if (spec.kind === 'gaussian') {
    const s = spec.varianceSmoothing;
    check(Number.isFinite(s) && s > 0, `naive Bayes: varianceSmoothing = ${s} is invalid; give a positive fraction such as 1e-9`);
  } else if (spec.kind === 'binned') {
    check(
      Number.isInteger(spec.bins) && spec.bins >= 2 && spec.bins <= MAX_BINS,
      `naive Bayes: bins = ${spec.bins} is invalid; give a whole number from 2 to ${MAX_BINS}`,
    );
  } else {
    throw new MimicError(`naive Bayes: kind '${(spec as { kind: string }).kind}' is invalid; use 'gaussian' or 'binned'`);
  }
}

/**
 * Returns the variance added to every class variance: `smoothing` times the largest variance of a
 * continuous column over all rows, or times 1 (the encoded range) when every such column is constant.
 */
function varianceEpsilon(encoder: Encoder, xHost: Float32Array, n: number, smoothing: number): number {
  let largest = 0;
  for (const attribute of encoder.attributes) {
    if (attribute.kind !== 'continuous') continue;
    let sum = 0;
    for (let r = 0; r < n; r++) sum += xHost[r * encoder.width + attribute.column];
    const mean = sum / n;
    let squares = 0;
    for (let r = 0; r < n; r++) squares += (xHost[r * encoder.width + attribute.column] - mean) ** 2;
    largest = Math.max(largest, squares / n);
  }
  return smoothing * (largest > 0 ? largest : 1);
}

/** Returns the mean and the population variance of column j within each class. */
function classMoments(xHost: Float32Array, labels: Int32Array, d: number, j: number, counts: Float64Array): { mean: Float64Array; variance: Float64Array } {
  const classes = counts.length;
  const mean = new Float64Array(classes);
  const variance = new Float64Array(classes);
  for (let r = 0; r < labels.length; r++) mean[labels[r]] += xHost[r * d + j];
  for (let c = 0; c < classes; c++) if (counts[c] > 0) mean[c] /= counts[c];
  for (let r = 0; r < labels.length; r++) variance[labels[r]] += (xHost[r * d + j] - mean[labels[r]]) ** 2;
  for (let c = 0; c < classes; c++) if (counts[c] > 0) variance[c] /= counts[c];
  return { mean, variance };
}

/**
 * Returns log P(category v | class c) as logs[v][c] for the nominal attribute whose one-hot columns
 * start at j. Rows where the attribute is missing (all its columns 0) are left out of the counts.
 */
function categoryLogProbabilities(
  xHost: Float32Array,
  labels: Int32Array,
  d: number,
  j: number,
  values: number,
  classes: number,
  laplace: number,
): number[][] {
  const counts = Array.from({ length: values }, () => new Float64Array(classes));
  const present = new Float64Array(classes);
  for (let r = 0; r < labels.length; r++) {
    for (let v = 0; v < values; v++) {
      if (xHost[r * d + j + v] !== 1) continue;
      counts[v][labels[r]]++;
      present[labels[r]]++;
    }
  }
  return counts.map((row) => Array.from(row, (count, c) => Math.log((count + laplace) / (present[c] + laplace * values))));
}

/** Returns log P(bin b | class c) at b * classes + c for the continuous column j. */
function binLogProbabilities(
  xHost: Float32Array,
  labels: Int32Array,
  d: number,
  j: number,
  bins: number,
  classes: number,
  classCounts: Float64Array,
  laplace: number,
): Float64Array {
  const logs = new Float64Array(bins * classes);
  for (let r = 0; r < labels.length; r++) logs[binOf(xHost[r * d + j], bins) * classes + labels[r]]++;
  for (let b = 0; b < bins; b++) {
    for (let c = 0; c < classes; c++) {
      logs[b * classes + c] = Math.log((logs[b * classes + c] + laplace) / (classCounts[c] + laplace * bins));
    }
  }
  return logs;
}

/** A fitted naive Bayes model; its parameters live on the GPU. */
class NaiveBayesModel implements TeacherModel {
  readonly family = 'naive-bayes';
  readonly bytes: number;
  private readonly columns: Tensor;
  private readonly coefficients: Tensor;
  private readonly bias: Tensor;
  private readonly bins: number;
  private released = false;

  constructor(
    private readonly engine: Engine,
    readonly name: string,
    parameters: NaiveBayesParameters,
    private readonly classes: number,
    private readonly outputs: number,
  ) {
    const { columns, coefficients, bias } = parameters;
    this.columns = engine.tensorU32(columns.length, 1, columns);
    this.coefficients = engine.tensor(coefficients.length, 1, coefficients);
    this.bias = engine.tensor(bias.length, 1, bias);
    this.bins = parameters.bins;
    this.bytes = (columns.length + coefficients.length + bias.length) * 4;
  }

  predict(x: Tensor): Tensor {
    if (this.released) throw new Error(`${this.name}: predict() after release()`);
    const logits = this.engine.tensor(x.rows, this.outputs);
    const out = this.engine.tensor(x.rows, this.outputs);
    this.engine.runOnce((program) => {
      naiveBayesLogits(program, x, this.columns, this.coefficients, this.bias, logits, this.classes, this.bins);
      probabilities(program, logits, out);
    });
    logits.release();
    return out;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.columns.release();
    this.coefficients.release();
    this.bias.release();
  }
}
