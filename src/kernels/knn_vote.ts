import voteShader from '../../shaders/knn_vote.wgsl';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { expectDType, expectShape, grid64 } from './common.js';

export type KnnWeighting = 'uniform' | 'distance';

/**
 * Records k-nearest-neighbour class probabilities from sorted neighbour lists, as `topK` returns
 * them. 'uniform' is a plain vote; 'distance' weights neighbour p by the triangular kernel
 * 1 - dist_p / dist_(k+1) on Euclidean distance (see knn_vote.wgsl).
 *   index: M x S (u32), distances: M x S squared distances, labels: N class indices (u32),
 *   out: M x outputs (outputs = 1: the probability of class 1)
 * Needs 1 <= k <= S, and labels below `outputs` (below 2 with one output). The bandwidth neighbour is column k when S > k, else the last column.
 */
export function knnVote(program: Program, index: Tensor, distances: Tensor, labels: Tensor, out: Tensor, k: number, weighting: KnnWeighting): void {
  const stride = index.cols;
  expectDType('knnVote index', index, 'u32');
  expectDType('knnVote labels', labels, 'u32');
  expectShape('knnVote distances', distances, index.rows, stride);
  if (out.rows !== index.rows) throw new RangeError(`knnVote: out must have ${index.rows} rows, got ${out.rows}`);
  if (!Number.isInteger(k) || k < 1 || k > stride) throw new RangeError(`knnVote: k must be in 1..${stride}, got ${k}`);
  program.dispatch(
    index.engine.kernel(voteShader),
    { index, distances, labels, out },
    grid64(index.engine, index.rows),
    [
      ['u32', index.rows],
      ['u32', stride],
      ['u32', k],
      ['u32', out.cols],
      ['u32', Math.min(k, stride - 1)],
    ],
    { DISTANCE_WEIGHTED: weighting === 'distance' ? 1 : 0 },
  );
}
