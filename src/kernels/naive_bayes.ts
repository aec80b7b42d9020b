import naiveBayesShader from '../../shaders/naive_bayes.wgsl';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { expectDType, grid64 } from './common.js';

/** Kinds of encoded column in the `columns` table of `naiveBayesLogits`. */
export const NaiveBayesColumn = { indicator: 0, gaussian: 1, binned: 2 } as const;

/**
 * Records the naive Bayes logits of every row: per class, the bias plus one term per encoded
 * column, whose kind and coefficients `columns` gives (see naive_bayes.wgsl for the layout).
 *   x: M x D, columns: 2D values (u32: kind, offset), coefficients: packed f32, bias: classes,
 *   logits: M x outputs (outputs = 1: the log odds of class 1 against class 0)
 */
export function naiveBayesLogits(
  program: Program,
  x: Tensor,
  columns: Tensor,
  coefficients: Tensor,
  bias: Tensor,
  logits: Tensor,
  classes: number,
  bins: number,
): void {
  expectDType('naiveBayesLogits columns', columns, 'u32');
  if (columns.length !== 2 * x.cols) throw new RangeError(`naiveBayesLogits: columns must have ${2 * x.cols} values, got ${columns.length}`);
  if (bias.length !== classes) throw new RangeError(`naiveBayesLogits: bias must have ${classes} values, got ${bias.length}`);
  const outputs = logits.cols;
  if (logits.rows !== x.rows || (outputs !== classes && !(outputs === 1 && classes === 2))) {
    throw new RangeError(`naiveBayesLogits: logits must be ${x.rows}x${classes === 2 ? '1 or 2' : classes}, got ${logits.rows}x${outputs}`);
  }
  program.dispatch(
    x.engine.kernel(naiveBayesShader),
    { x, columns, coefficients, bias, logits },
    grid64(x.engine, x.rows * outputs),
    [
      ['u32', x.rows],
      ['u32', x.cols],
      ['u32', classes],
      ['u32', outputs],
      ['u32', bins],
    ],
  );
}
