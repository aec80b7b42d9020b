import columnSumShader from '../../shaders/column_sum.wgsl';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { grid64 } from './common.js';

/** Records out[j] = sum_i x[i, j]. x: M x N, out: N values. */
export function columnSum(program: Program, x: Tensor, out: Tensor): void {
  if (out.length !== x.cols) throw new RangeError(`columnSum: output must have ${x.cols} values, got ${out.length}`);
  program.dispatch(x.engine.kernel(columnSumShader), { x, out }, grid64(x.engine, x.cols), [
    ['u32', x.rows],
    ['u32', x.cols],
  ]);
}
