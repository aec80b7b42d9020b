import topKShader from '../../shaders/top_k.wgsl';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { expectDType, expectShape, grid64 } from './common.js';

/** Largest k that `topK` supports, fixed by the size of the shader's private lists. */
export const MAX_TOP_K = 64;

/**
 * Records, for every query row, its k nearest reference rows under weighted squared Euclidean
 * distance, nearest first, with the lower reference index first among equal distances.
 *   query: M x D, reference: N x D, weight: D values, index: M x k (u32), distances: M x k
 * Needs 1 <= k <= min(N, MAX_TOP_K).
 */
export function topK(program: Program, query: Tensor, reference: Tensor, weight: Tensor, index: Tensor, distances: Tensor): void {
  const d = query.cols;
  const k = index.cols;
  expectShape('topK reference', reference, reference.rows, d);
  if (weight.length !== d) throw new RangeError(`topK: weight must have ${d} values, got ${weight.length}`);
  expectDType('topK index', index, 'u32');
  expectDType('topK distances', distances, 'f32');
  expectShape('topK index', index, query.rows, k);
  expectShape('topK distances', distances, query.rows, k);
  if (!Number.isInteger(k) || k < 1 || k > MAX_TOP_K) throw new RangeError(`topK: k must be in 1..${MAX_TOP_K}, got ${k}`);
  if (k > reference.rows) throw new RangeError(`topK: k = ${k} exceeds the ${reference.rows} reference rows`);
  program.dispatch(
    query.engine.kernel(topKShader),
    { query, reference, weight, index, distances },
    grid64(query.engine, Math.ceil(query.rows / 4)),
    [
      ['u32', query.rows],
      ['u32', reference.rows],
      ['u32', d],
      ['u32', k],
    ],
  );
}
