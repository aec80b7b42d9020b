import mungeShader from '../../shaders/munge.wgsl';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { expectDType, expectShape, grid64, seedWords } from './common.js';

export interface MungeKernelOptions {
  copies: number;
  swapProbability: number;
  spread: number;
  seed: number;
}

/**
 * Records MUNGE perturbation of every training row, `copies` times.
 *   x: N x D, neighbour: N (u32), groups: G x 3 (u32: first column, columns, nominal flag),
 *   out: (copies*N) x D
 */
export function mungeRows(program: Program, x: Tensor, neighbour: Tensor, groups: Tensor, out: Tensor, options: MungeKernelOptions): void {
  expectDType('munge neighbour', neighbour, 'u32');
  expectDType('munge groups', groups, 'u32');
  if (neighbour.length !== x.rows) throw new RangeError(`munge: neighbour must have ${x.rows} values`);
  if (groups.cols !== 3) throw new RangeError('munge: groups must have 3 columns');
  expectShape('munge output', out, options.copies * x.rows, x.cols);
  const [seedLo, seedHi] = seedWords(options.seed);
  program.dispatch(
    x.engine.kernel(mungeShader),
    { x, neighbour, groups, out },
    grid64(x.engine, options.copies * x.rows * groups.rows),
    [
      ['u32', x.rows],
      ['u32', x.cols],
      ['u32', groups.rows],
      ['u32', options.copies],
      ['f32', options.swapProbability],
      ['f32', options.spread],
      ['u32', seedLo],
      ['u32', seedHi],
    ],
  );
}
