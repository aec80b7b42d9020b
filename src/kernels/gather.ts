import gatherShader from '../../shaders/gather_rows.wgsl';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { expectDType, grid64 } from './common.js';

/**
 * Records xOut[r] = x[index[start + r]] and yOut[r] = y[index[start + r]] for r < rows.
 *   x: N x Dx, y: N x Dy, index: u32 values, xOut: >= rows x Dx, yOut: >= rows x Dy
 */
export function gatherRows(program: Program, x: Tensor, y: Tensor, index: Tensor, start: number, rows: number, xOut: Tensor, yOut: Tensor): void {
  expectDType('gatherRows index', index, 'u32');
  if (x.rows !== y.rows) throw new RangeError(`gatherRows: x has ${x.rows} rows but y has ${y.rows}`);
  if (start + rows > index.length) throw new RangeError(`gatherRows: index has ${index.length} values, need ${start + rows}`);
  if (xOut.cols !== x.cols || yOut.cols !== y.cols || xOut.rows < rows || yOut.rows < rows) {
    throw new RangeError('gatherRows: output tensors are too small or have the wrong width');
  }
  program.dispatch(x.engine.kernel(gatherShader), { x, y, index, x_out: xOut, y_out: yOut }, grid64(x.engine, rows * (x.cols + y.cols)), [
    ['u32', rows],
    ['u32', x.cols],
    ['u32', y.cols],
    ['u32', start],
  ]);
}
