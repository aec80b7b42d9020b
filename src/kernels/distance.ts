import nearestShader from '../../shaders/nearest_neighbour.wgsl';
import pairwiseShader from '../../shaders/pairwise_distance.wgsl';
import { linearGrid, type Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { bindingRowChunk, expectDType, expectShape, grid64 } from './common.js';

/**
 * Records distances[i, j] = sum_c weight[c] (x[i, c] - y[j, c])^2.
 *   x: M x D, y: N x D, weight: D values, distances: M x N
 */
export function pairwiseDistance(program: Program, x: Tensor, y: Tensor, weight: Tensor, distances: Tensor): void {
  const d = x.cols;
  expectShape('pairwiseDistance y', y, y.rows, d);
  if (weight.length !== d) throw new RangeError(`pairwiseDistance: weight must have ${d} values, got ${weight.length}`);
  expectShape('pairwiseDistance output', distances, x.rows, y.rows);
  if (x.rows === 0 || y.rows === 0) return;

  // Query rows (and their rows of distances) past one storage binding run in aligned row chunks.
  // y must fit one binding.
  const chunk = bindingRowChunk(x.engine, 'pairwiseDistance', x.rows, [d, y.rows]);
  for (let start = 0; start < x.rows; start += chunk) {
    const rows = Math.min(chunk, x.rows - start);
    const xPart = rows === x.rows ? x : x.rowsView(start, rows);
    const distancesPart = rows === x.rows ? distances : distances.rowsView(start, rows);
    program.dispatch(
      x.engine.kernel(pairwiseShader),
      { x: xPart, y, weight, distances: distancesPart },
      linearGrid(Math.ceil(rows / 32) * Math.ceil(y.rows / 32), x.engine.limits.maxComputeWorkgroupsPerDimension),
      [
        ['u32', rows],
        ['u32', y.rows],
        ['u32', d],
      ],
    );
  }
}

export interface NearestOptions {
  /** Query row i is reference row i + queryOffset and may not be its own neighbour. */
  excludeSelf?: boolean;
  queryOffset?: number;
}

/**
 * Records, for every query row, the index of and distance to its nearest reference row.
 *   query: M x D, reference: N x D, weight: D, index: M (u32), distances: M
 */
export function nearestNeighbour(
  program: Program,
  query: Tensor,
  reference: Tensor,
  weight: Tensor,
  index: Tensor,
  distances: Tensor,
  options: NearestOptions = {},
): void {
  const d = query.cols;
  expectShape('nearestNeighbour reference', reference, reference.rows, d);
  if (weight.length !== d) throw new RangeError(`nearestNeighbour: weight must have ${d} values, got ${weight.length}`);
  expectDType('nearestNeighbour index', index, 'u32');
  if (index.length !== query.rows || distances.length !== query.rows) {
    throw new RangeError(`nearestNeighbour: index and distances must have ${query.rows} values`);
  }
  if (options.excludeSelf && reference.rows < 2) throw new RangeError('nearestNeighbour: excluding self needs at least 2 reference rows');
  if (query.rows === 0) return;

  // Query rows past one storage binding run in aligned row chunks; the reference must fit one binding.
  const chunk = bindingRowChunk(query.engine, 'nearestNeighbour', query.rows, [d, 1]);
  for (let start = 0; start < query.rows; start += chunk) {
    const rows = Math.min(chunk, query.rows - start);
    const whole = rows === query.rows;
    program.dispatch(
      query.engine.kernel(nearestShader),
      {
        query: whole ? query : query.rowsView(start, rows),
        reference,
        weight,
        index: whole ? index : index.view(start, rows, 1),
        distances: whole ? distances : distances.view(start, rows, 1),
      },
      grid64(query.engine, Math.ceil(rows / 4)),
      [
        ['u32', rows],
        ['u32', reference.rows],
        ['u32', d],
        ['u32', (options.queryOffset ?? 0) + start],
      ],
      { EXCLUDE_SELF: options.excludeSelf ? 1 : 0 },
    );
  }
}
