import type { Encoder } from '../data/encode.js';
import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';

/**
 * The kinds of model in the teacher's library. Each family has its own fitting code, but every
 * fitted model predicts through the same `TeacherModel` interface.
 */
export type ModelFamily =
  | 'mlp'
  | 'logistic'
  | 'knn'
  | 'naive-bayes'
  | 'tree'
  | 'random-forest'
  | 'extra-trees'
  | 'boosted-trees'
  | 'rff';

/**
 * Everything a model may fit on: the training rows on the GPU and on the CPU, their labels, and
 * the validation rows for early stopping. Shapes, with N training rows, D encoded columns and
 * `outputs` = 1 for a binary problem or K for K classes:
 *   x: N x D (GPU), xHost: N x D (CPU, the same values), labels: N class indices,
 *   targets: N x outputs (GPU; 0/1 for binary, one-hot otherwise)
 */
export interface FitData {
  engine: Engine;
  x: Tensor;
  xHost: Float32Array;
  labels: Int32Array;
  targets: Tensor;
  /** Number of classes, at least 2. */
  classes: number;
  /** 1 for a binary problem (the probability of class 1), else `classes`. */
  outputs: number;
  /** Mapping of raw columns onto encoded columns, for models that treat nominal columns apart. */
  encoder: Encoder;
  /** M x D validation rows (GPU) and their labels, for models that stop early. */
  validation: { x: Tensor; labels: Int32Array };
  /** Called now and then by long fits, so the caller can report progress. */
  onProgress?: (message: string, fraction: number) => void;
}

/**
 * A fitted model. `predict` returns class probabilities for `x` (rows x D) as a new GPU tensor of
 * rows x outputs, owned by the caller. Its rows sum to 1 when outputs > 1.
 */
export interface TeacherModel {
  /** Short unique description, e.g. "mlp 256x128 lr 0.002 seed 3". */
  readonly name: string;
  readonly family: ModelFamily;
  /** Storage the model needs to predict, in bytes (parameters, trees, or kept training rows). */
  readonly bytes: number;
  predict(x: Tensor): Tensor;
  release(): void;
}
