import lossShader from '../../shaders/loss.wgsl';
import probabilitiesShader from '../../shaders/probabilities.wgsl';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { expectShape, grid64 } from './common.js';

/**
 * Training losses over probabilities p = sigmoid(z) (one output) or softmax(z):
 * - `cross-entropy`: against soft or hard targets, the usual classification loss;
 * - `probability-mse`: squared error between p and the targets;
 * - `logit-mse`: squared error between the logits and target logits (Ba and Caruana, 2014).
 */
export type LossKind = 'cross-entropy' | 'probability-mse' | 'logit-mse';
const lossCode: Record<LossKind, number> = { 'cross-entropy': 0, 'probability-mse': 1, 'logit-mse': 2 };

/**
 * Records per-row losses and grad = scale * dLoss/dLogits for the first `rows` rows.
 *   logits, targets, grad: M x C; rowLoss: losses land at rowLoss[lossOffset + r]
 */
export function lossAndGradient(
  program: Program,
  kind: LossKind,
  logits: Tensor,
  targets: Tensor,
  grad: Tensor,
  rowLoss: Tensor,
  scale: number,
  rows = logits.rows,
  lossOffset = 0,
): void {
  expectShape('loss targets', targets, logits.rows, logits.cols);
  expectShape('loss gradient', grad, logits.rows, logits.cols);
  if (rowLoss.length < lossOffset + rows) throw new RangeError(`loss: rowLoss must have ${lossOffset + rows} values`);
  if (rows > logits.rows) throw new RangeError(`loss: ${rows} rows requested from a ${logits.rows}-row batch`);
  program.dispatch(
    logits.engine.kernel(lossShader),
    { logits, targets, grad, row_loss: rowLoss },
    grid64(logits.engine, rows),
    [
      ['u32', rows],
      ['u32', logits.cols],
      ['f32', scale],
      ['u32', lossOffset],
    ],
    { LOSS: lossCode[kind] },
  );
}

/** Records out = sigmoid(logits) for one column, row-wise softmax otherwise. Both M x C. */
export function probabilities(program: Program, logits: Tensor, out: Tensor): void {
  expectShape('probabilities output', out, logits.rows, logits.cols);
  program.dispatch(logits.engine.kernel(probabilitiesShader), { logits, out }, grid64(logits.engine, logits.rows), [
    ['u32', logits.rows],
    ['u32', logits.cols],
  ]);
}
