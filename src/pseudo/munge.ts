import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import { nearestNeighbour } from '../kernels/distance.js';
import { mungeRows } from '../kernels/munge.js';

export interface MungeOptions {
  /** Pseudo rows to return; MUNGE makes ceil(rows / N) perturbed copies of the N training rows. */
  rows: number;
  /** p: probability that an attribute is taken from the nearest neighbour. */
  swapProbability: number;
  /** s: a continuous value is drawn with standard deviation |a - b| / s. */
  spread: number;
  seed: number;
}

/**
 * Generates MUNGE pseudo rows on the GPU (Bucilua, Caruana and Niculescu-Mizil, KDD 2006).
 *   train: N x D encoded rows (continuous in [0, 1], nominal one-hot)
 *   groups: G x 3 (first column, columns, 1 if nominal) describing the attributes
 *   weights: D distance weights (0.5 on one-hot columns: Hamming distance on nominal attributes)
 * Nearest neighbours are found once, among the other training rows. Every copy then perturbs
 * each row towards its neighbour with fresh random numbers. Returns rows x D.
 */
export function munge(engine: Engine, train: Tensor, groups: Uint32Array, weights: Float32Array, options: MungeOptions): Tensor {
  const n = train.rows;
  const copies = Math.max(1, Math.ceil(options.rows / n));
  const weightTensor = engine.tensor(1, train.cols, weights);
  const groupTensor = engine.tensorU32(groups.length / 3, 3, groups);
  const neighbour = engine.tensorU32(n, 1);
  const distances = engine.tensor(n, 1);
  const all = engine.tensor(copies * n, train.cols);
  try {
    engine.runOnce((program) => {
      nearestNeighbour(program, train, train, weightTensor, neighbour, distances, { excludeSelf: true });
      mungeRows(program, train, neighbour, groupTensor, all, { copies, swapProbability: options.swapProbability, spread: options.spread, seed: options.seed });
    });
    if (all.rows === options.rows) return all;
    const out = engine.tensor(options.rows, train.cols);
    engine.copy(all.rowsView(0, options.rows), out);
    all.release();
    return out;
  } catch (error) {
    all.release();
    throw error;
  } finally {
    for (const t of [weightTensor, groupTensor, neighbour, distances]) t.release();
  }
}
