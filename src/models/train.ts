import { MimicError } from '../errors.js';
import { Random } from '../data/random.js';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { gatherRows } from '../kernels/gather.js';
import { lossAndGradient, type LossKind } from '../kernels/loss.js';
import { matmul } from '../kernels/matmul.js';
import { adamStep, defaultAdam, type AdamSettings } from '../kernels/optimizer.js';
import { columnSum } from '../kernels/reduce.js';
import { rmse } from '../metrics/metrics.js';
import type { Mlp } from './mlp.js';

export interface TrainOptions {
  /** Maximum number of passes over the training rows. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** `cosine` decays the learning rate to 0 over `epochs`; `constant` keeps it. */
  schedule: 'cosine' | 'constant';
  /** Epochs without a better validation RMSE before training stops early. */
  patience: number;
  loss: LossKind;
  seed: number;
  adam?: AdamSettings;
  onEpoch?: (report: EpochReport) => void;
}

export interface TrainingData {
  /** N x inputs. */
  x: Tensor;
  /** N x outputs: probabilities (soft or one-hot targets) or logits for `logit-mse`. */
  targets: Tensor;
  /** Row numbers to train on, repeats allowed (bootstrap samples); all N rows by default. */
  rows?: Uint32Array;
}

export interface ValidationData {
  /** M x inputs. */
  x: Tensor;
  /** M class indices (binary: 0 or 1). */
  labels: Int32Array;
}

export interface EpochReport {
  epoch: number;
  /** Mean training loss over the epoch's rows. */
  trainLoss: number;
  validationRmse: number;
  learningRate: number;
  improved: boolean;
}

export interface TrainResult {
  epochs: number;
  bestEpoch: number;
  bestValidationRmse: number;
  history: EpochReport[];
}

/**
 * Records forward, loss and backward for one batch, leaving dLoss/dParameters in `grads` (laid out
 * like the MLP's parameter buffer) and the per-row losses at rowLoss[lossOffset ...].
 *   x: B x inputs, targets: B x outputs, activations[l] and deltas[l]: B x width of layer l
 * The loss is the batch mean, so gradients do not grow with the batch size.
 */
export function recordGradients(
  program: Program,
  mlp: Mlp,
  x: Tensor,
  targets: Tensor,
  activations: Tensor[],
  deltas: Tensor[],
  grads: Tensor,
  rowLoss: Tensor,
  lossOffset: number,
  loss: LossKind,
): void {
  const layers = mlp.slots.length;
  const count = x.rows;
  mlp.forward(program, x, activations);
  lossAndGradient(program, loss, activations[layers - 1], targets, deltas[layers - 1], rowLoss, 1 / count, count, lossOffset);

  // Backward, last layer first: dW = input^T delta, db = column sums of delta,
  // and the previous layer's delta = (delta W^T) * relu'(its output).
  for (let l = layers - 1; l >= 0; l--) {
    const input = l === 0 ? x : activations[l - 1];
    matmul(program, input, deltas[l], mlp.weights(l, grads), { transA: true });
    columnSum(program, deltas[l], mlp.bias(l, grads));
    if (l > 0) {
      matmul(program, deltas[l], mlp.weights(l), deltas[l - 1], { transB: true, gate: activations[l - 1] });
    }
  }
}

function learningRateAt(options: TrainOptions, epoch: number): number {
  if (options.schedule === 'constant') return options.learningRate;
  return 0.5 * options.learningRate * (1 + Math.cos((Math.PI * epoch) / options.epochs));
}

/**
 * Trains `mlp` with mini-batch Adam and keeps the weights of the epoch with the lowest validation
 * RMSE. Each epoch is one recorded program replayed without CPU work between steps: the CPU writes
 * the epoch's shuffled row order and learning rate, submits, and reads back the training losses and
 * validation probabilities once. Every buffer is allocated before the first epoch, so GPU memory
 * stays flat while training.
 */
export async function trainMlp(mlp: Mlp, data: TrainingData, validation: ValidationData, options: TrainOptions): Promise<TrainResult> {
  const engine = mlp.engine;
  const { inputs, outputs } = mlp.architecture;
  if (data.x.cols !== inputs || data.targets.cols !== outputs || data.x.rows !== data.targets.rows) {
    throw new RangeError(`training data must be N x ${inputs} inputs and N x ${outputs} targets`);
  }
  const rows = data.rows ?? Uint32Array.from({ length: data.x.rows }, (_, i) => i);
  const n = rows.length;
  if (n === 0) throw new MimicError('no training rows');
  const batch = Math.min(options.batchSize, n);
  const steps = Math.ceil(n / batch);

  // Buffers for the whole run; `fit` views cut the last, shorter batch.
  const index = engine.tensorU32(n, 1);
  const xBatch = engine.tensor(batch, inputs);
  const yBatch = engine.tensor(batch, outputs);
  const activations = mlp.allocateActivations(batch);
  const deltas = mlp.slots.map((slot) => engine.tensor(batch, slot.outputs));
  const grads = engine.tensor(1, mlp.bufferLength, new Float32Array(mlp.bufferLength));
  const moment1 = engine.tensor(1, mlp.bufferLength, new Float32Array(mlp.bufferLength));
  const moment2 = engine.tensor(1, mlp.bufferLength, new Float32Array(mlp.bufferLength));
  const schedule = engine.tensor(1, 2);
  const rowLoss = engine.tensor(n, 1);
  const best = engine.tensor(1, mlp.bufferLength);
  const validationProbabilities = engine.tensor(validation.x.rows, outputs);

  const epochProgram = engine.program();
  for (let step = 0; step < steps; step++) {
    const start = step * batch;
    const count = Math.min(batch, n - start);
    const fit = (t: Tensor) => (count === batch ? t : t.rowsView(0, count));

    gatherRows(epochProgram, data.x, data.targets, index, start, count, xBatch, yBatch);
    recordGradients(epochProgram, mlp, fit(xBatch), fit(yBatch), activations.map(fit), deltas.map(fit), grads, rowLoss, start, options.loss);
    adamStep(epochProgram, mlp.parameters, grads, moment1, moment2, schedule, step, options.adam ?? defaultAdam);
  }

  const validationProgram = engine.program();
  const validationTemporaries = mlp.recordPredict(validationProgram, validation.x, validationProbabilities);

  const random = new Random(options.seed, 0x5348);
  const order = rows.slice();
  const history: EpochReport[] = [];
  let bestRmse = Infinity;
  let bestEpoch = -1;
  let sinceBest = 0;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      random.shuffle(order);
      engine.write(index, order);
      const learningRate = learningRateAt(options, epoch);
      engine.write(schedule, Float32Array.of(epoch * steps, learningRate));
      engine.run(epochProgram, validationProgram);

      const [losses, probabilities] = await Promise.all([engine.read(rowLoss), engine.read(validationProbabilities)]);
      let lossSum = 0;
      for (const value of losses) lossSum += value;
      const trainLoss = lossSum / n;
      if (!Number.isFinite(trainLoss) || probabilities.some(Number.isNaN)) {
        throw new MimicError(`training diverged at epoch ${epoch + 1} (the loss or a prediction is not finite); lower --learning-rate`);
      }
      const validationRmse = rmse(probabilities, validation.labels, outputs);
      const improved = validationRmse < bestRmse;
      if (improved) {
        bestRmse = validationRmse;
        bestEpoch = epoch;
        sinceBest = 0;
        engine.copy(mlp.parameters, best);
      } else {
        sinceBest++;
      }
      const report = { epoch: epoch + 1, trainLoss, validationRmse, learningRate, improved };
      history.push(report);
      options.onEpoch?.(report);
      if (sinceBest >= options.patience) break;
    }
    engine.copy(best, mlp.parameters);
    await engine.finish();
  } finally {
    epochProgram.destroy();
    validationProgram.destroy();
    const temporaries = [index, xBatch, yBatch, grads, moment1, moment2, schedule, rowLoss, best, validationProbabilities];
    for (const t of [...temporaries, ...activations, ...deltas, ...validationTemporaries]) t.release();
  }
  return { epochs: history.length, bestEpoch: bestEpoch + 1, bestValidationRmse: bestRmse, history };
}
