import { distanceWeights } from '../data/encode.js';
import { Random } from '../data/random.js';
import type { Engine } from '../gpu/engine.js';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { cosineFeatures } from '../kernels/features.js';
import { matmul } from '../kernels/matmul.js';
import { fillRandom } from '../kernels/random.js';
import type { FitData, TeacherModel } from './model.js';
import { Mlp } from './mlp.js';
import { trainMlp, type EpochReport, type TrainResult } from './train.js';

/** Settings shared by every family trained with mini-batch Adam and early stopping. */
interface GradientSettings {
  learningRate: number;
  /** Maximum epochs; the cosine schedule decays the learning rate to 0 over them. */
  epochs: number;
  batchSize: number;
  /** Decoupled weight decay (AdamW). */
  weightDecay: number;
  /** Epochs without a better validation RMSE before training stops. */
  patience: number;
  seed: number;
}

/** An MLP with ReLU hidden layers, trained on all training rows or on a bootstrap sample. */
export interface MlpSpec extends GradientSettings {
  family: 'mlp';
  hidden: number[];
  bootstrap: boolean;
}

/** Multinomial (or binary) logistic regression: an MLP without hidden layers. */
export interface LogisticSpec extends GradientSettings {
  family: 'logistic';
}

/**
 * Kernel logistic regression with a Gaussian kernel exp(-gamma |x - y|^2), approximated by
 * `features` random Fourier features (Rahimi and Recht, 2007) and a logistic layer on top.
 */
export interface RffSpec extends GradientSettings {
  family: 'rff';
  features: number;
  gamma: number;
}

export type NeuralSpec = MlpSpec | LogisticSpec | RffSpec;

/** Per-epoch progress of a gradient-trained model. */
export type EpochListener = (report: EpochReport) => void;

function formatNumber(value: number): string {
  return Number(value.toPrecision(3)).toString();
}

/** Returns a short unique description of a neural spec, used as the model's name. */
export function neuralName(spec: NeuralSpec): string {
  const training = `lr ${formatNumber(spec.learningRate)}${spec.weightDecay > 0 ? ` wd ${formatNumber(spec.weightDecay)}` : ''} seed ${spec.seed}`;
  if (spec.family === 'mlp') return `mlp ${spec.hidden.join('x')}${spec.bootstrap ? ' bagged' : ''} ${training}`;
  if (spec.family === 'logistic') return `logistic ${training}`;
  return `rff ${spec.features} gamma ${formatNumber(spec.gamma)} ${training}`;
}

function checkGradientSettings(spec: NeuralSpec): void {
  const positive = (name: string, value: number) => {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${spec.family}: ${name} must be above 0, got ${value}`);
  };
  positive('learningRate', spec.learningRate);
  positive('epochs', spec.epochs);
  positive('batchSize', spec.batchSize);
  positive('patience', spec.patience);
  if (!(spec.weightDecay >= 0)) throw new RangeError(`${spec.family}: weightDecay must be 0 or more, got ${spec.weightDecay}`);
  if (spec.family === 'rff') {
    positive('features', spec.features);
    positive('gamma', spec.gamma);
  }
}

async function train(net: Mlp, data: FitData, x: Tensor, validationX: Tensor, spec: NeuralSpec, rows: Uint32Array | undefined, onEpoch?: EpochListener): Promise<TrainResult> {
  return trainMlp(net, { x, targets: data.targets, rows }, { x: validationX, labels: data.validation.labels }, {
    epochs: spec.epochs,
    batchSize: spec.batchSize,
    learningRate: spec.learningRate,
    schedule: 'cosine',
    patience: spec.patience,
    loss: 'cross-entropy',
    seed: spec.seed,
    adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: spec.weightDecay },
    onEpoch,
  });
}

/** A trained MLP or logistic regression as a library model. */
class NetModel implements TeacherModel {
  constructor(
    readonly name: string,
    readonly family: 'mlp' | 'logistic',
    readonly net: Mlp,
    readonly result: TrainResult,
  ) {}

  get bytes(): number {
    return this.net.bytes;
  }

  predict(x: Tensor): Tensor {
    return this.net.predict(x);
  }

  release(): void {
    this.net.release();
  }
}

/**
 * Maps rows to random Fourier features: z = sqrt(2 / F) cos(x W + b), with W (D x F) drawn from
 * N(0, 2 gamma w_c) for column c's distance weight w_c and b uniform in [0, 2 pi). Then
 * z(x) . z(y) estimates exp(-gamma sum_c w_c (x_c - y_c)^2), the Gaussian kernel on the same
 * weighted distance that MUNGE and kNN use.
 */
export class FourierMap {
  /** Rows per feature chunk when mapping many rows, bounding memory at chunk x F floats. */
  static readonly chunkRows = 8192;

  private constructor(
    readonly engine: Engine,
    readonly projection: Tensor,
    readonly offset: Tensor,
  ) {}

  static create(engine: Engine, data: FitData, spec: RffSpec): FourierMap {
    const d = data.x.cols;
    const f = spec.features;
    const weights = distanceWeights(data.encoder);
    const random = new Random(spec.seed, 0x5246);
    const projection = new Float32Array(d * f);
    for (let c = 0; c < d; c++) {
      const std = Math.sqrt(2 * spec.gamma * weights[c]);
      for (let j = 0; j < f; j++) projection[c * f + j] = std * random.normal();
    }
    const offset = new Float32Array(f);
    for (let j = 0; j < f; j++) offset[j] = 2 * Math.PI * random.uniform();
    return new FourierMap(engine, engine.tensor(d, f, projection), engine.tensor(1, f, offset));
  }

  get features(): number {
    return this.projection.cols;
  }

  /** Records the features of `x` (rows x D) into `out` (rows x F). */
  record(program: Program, x: Tensor, out: Tensor): void {
    matmul(program, x, this.projection, out, { bias: this.offset });
    cosineFeatures(program, out, Math.sqrt(2 / this.features));
  }

  /** Returns the features of all rows of `x` as a new tensor. */
  map(x: Tensor): Tensor {
    const out = this.engine.tensor(x.rows, this.features);
    this.engine.runOnce((program) => this.record(program, x, out));
    return out;
  }

  get bytes(): number {
    return (this.projection.length + this.offset.length) * 4;
  }

  release(): void {
    this.projection.release();
    this.offset.release();
  }
}

/** Kernel logistic regression on random Fourier features. */
class RffModel implements TeacherModel {
  readonly family = 'rff';

  constructor(
    readonly name: string,
    readonly map: FourierMap,
    readonly net: Mlp,
    readonly result: TrainResult,
  ) {}

  get bytes(): number {
    return this.map.bytes + this.net.bytes;
  }

  /** Maps and classifies `x` in row chunks, so that the F-wide features never exceed one chunk. */
  predict(x: Tensor): Tensor {
    const engine = this.map.engine;
    const out = engine.tensor(x.rows, this.net.architecture.outputs);
    // Chunks stay a multiple of 64 rows, so that every row view of x and out is aligned for binding.
    const bindingRows = Math.floor(engine.maxStorageBufferBindingSize / (4 * this.map.features) / 64) * 64;
    const chunk = Math.min(FourierMap.chunkRows, Math.max(64, bindingRows), Math.max(x.rows, 1));
    const features = engine.tensor(chunk, this.map.features);
    try {
      for (let start = 0; start < x.rows; start += chunk) {
        const rows = Math.min(chunk, x.rows - start);
        const z = rows === chunk ? features : features.rowsView(0, rows);
        const program = engine.program();
        this.map.record(program, x.rowsView(start, rows), z);
        const temporaries = this.net.recordPredict(program, z, out.rowsView(start, rows));
        engine.run(program);
        program.destroy();
        for (const t of temporaries) t.release();
      }
    } finally {
      features.release();
    }
    return out;
  }

  release(): void {
    this.map.release();
    this.net.release();
  }
}

/**
 * Fits an MLP, a logistic regression or an RFF kernel model on the GPU with mini-batch Adam and
 * keeps the epoch with the lowest validation RMSE.
 */
export async function fitNeuralModel(data: FitData, spec: NeuralSpec, onEpoch?: EpochListener): Promise<TeacherModel> {
  checkGradientSettings(spec);
  const { engine } = data;
  if (spec.family === 'rff') {
    // The training rows' features are bound whole while training, so with many rows the feature
    // count shrinks (to a multiple of 64) until they fit one binding. The name shows the count used.
    const rows = Math.max(data.x.rows, data.validation.x.rows);
    const fitting = Math.floor(engine.maxStorageBufferBindingSize / (4 * rows) / 64) * 64;
    return fitRff(data, { ...spec, features: Math.max(64, Math.min(spec.features, fitting)) }, onEpoch);
  }

  const name = neuralName(spec);
  const hidden = spec.family === 'mlp' ? spec.hidden : [];
  const net = Mlp.create(engine, { inputs: data.x.cols, hidden, outputs: data.outputs }, spec.seed);
  let rows: Uint32Array | undefined;
  if (spec.family === 'mlp' && spec.bootstrap) {
    const random = new Random(spec.seed, 0x4241);
    const n = data.x.rows;
    rows = new Uint32Array(n);
    for (let r = 0; r < n; r++) rows[r] = random.int(n);
  }
  try {
    const result = await train(net, data, data.x, data.validation.x, spec, rows, onEpoch);
    return new NetModel(name, spec.family, net, result);
  } catch (error) {
    net.release();
    throw error;
  }
}

/** Fits kernel logistic regression on random Fourier features of the training rows. */
async function fitRff(data: FitData, spec: RffSpec, onEpoch?: EpochListener): Promise<TeacherModel> {
  const { engine } = data;
  const name = neuralName(spec);
  // The net first: it is the part that can fail for its size, before anything else is allocated.
  const net = Mlp.create(engine, { inputs: spec.features, hidden: [], outputs: data.outputs }, spec.seed);
  const map = FourierMap.create(engine, data, spec);
  const trainFeatures = map.map(data.x);
  const validationFeatures = map.map(data.validation.x);
  try {
    const result = await train(net, data, trainFeatures, validationFeatures, spec, undefined, onEpoch);
    return new RffModel(name, map, net, result);
  } catch (error) {
    map.release();
    net.release();
    throw error;
  } finally {
    trainFeatures.release();
    validationFeatures.release();
  }
}
