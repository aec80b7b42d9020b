import columnSumShader from '../../shaders/column_sum.wgsl';
import scaleAddShader from '../../shaders/scale_add.wgsl';
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

/** Records y = alpha * y + beta * x over tensors of equal length. */
export function scaleAdd(program: Program, x: Tensor, y: Tensor, alpha: number, beta: number): void {
  if (x.length !== y.length) throw new RangeError(`scaleAdd: lengths differ (${x.length} and ${y.length})`);
  program.dispatch(y.engine.kernel(scaleAddShader), { x, y }, grid64(y.engine, y.length), [
    ['u32', y.length],
    ['f32', alpha],
    ['f32', beta],
  ]);
}
