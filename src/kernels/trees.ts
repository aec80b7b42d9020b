import treePredictShader from '../../shaders/tree_predict.wgsl';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { expectDType, expectShape, grid64 } from './common.js';

/**
 * Flattened trees on the GPU, in the layout of src/models/trees/flat.ts:
 *   nodes: u32, nodeCount x 4; trees: u32, treeCount x 2; values: f32 leaf values;
 *   base: f32, 1 x outputs. Each tensor has at least one row, because WebGPU cannot bind an
 *   empty array.
 */
export interface TreeTensors {
  nodes: Tensor;
  trees: Tensor;
  values: Tensor;
  base: Tensor;
  treeCount: number;
  cols: number;
  outputs: number;
  maxDepth: number;
}

/**
 * Trees per dispatch. It bounds the work of one dispatch, so that a GPU watchdog (about 2 s on
 * Windows) is less likely to stop it. NOTE: chosen without measurements on real GPUs.
 */
const TREES_PER_DISPATCH = 256;

/**
 * Records out = base + the sum of every tree's leaf values, one invocation per row, in dispatches
 * of `treesPerDispatch` trees that run in tree order.
 *   x: rows x cols, out: rows x outputs
 */
export function sumTrees(program: Program, trees: TreeTensors, x: Tensor, out: Tensor, treesPerDispatch = TREES_PER_DISPATCH): void {
  expectDType('sumTrees nodes', trees.nodes, 'u32');
  expectDType('sumTrees trees', trees.trees, 'u32');
  expectShape('sumTrees x', x, x.rows, trees.cols);
  expectShape('sumTrees output', out, x.rows, trees.outputs);
  if (!Number.isInteger(treesPerDispatch) || treesPerDispatch < 1) throw new RangeError(`treesPerDispatch must be a positive integer, got ${treesPerDispatch}`);
  if (x.rows === 0) return;
  const kernel = x.engine.kernel(treePredictShader);
  const resources = { x, nodes: trees.nodes, trees: trees.trees, leaf_values: trees.values, base: trees.base, out };
  // One dispatch even without trees, because the first one writes the base values.
  for (let first = 0; first === 0 || first < trees.treeCount; first += treesPerDispatch) {
    const last = Math.min(first + treesPerDispatch, trees.treeCount);
    program.dispatch(kernel, resources, grid64(x.engine, x.rows), [
      ['u32', x.rows],
      ['u32', trees.cols],
      ['u32', trees.outputs],
      ['u32', first],
      ['u32', last],
      ['u32', trees.maxDepth],
    ]);
  }
}
