import { distanceWeights } from '../data/encode.js';
import { MimicError, check } from '../errors.js';
import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import { knnVote, type KnnWeighting } from '../kernels/knn_vote.js';
import { MAX_TOP_K, topK } from '../kernels/top_k.js';
import type { FitData, TeacherModel } from './model.js';

/**
 * One k-nearest-neighbour model: how many neighbours vote, and how their votes are weighted.
 * 'uniform' is a plain vote. 'distance' weights each neighbour by the triangular kernel
 * 1 - dist / dist_(k+1) on Euclidean distance. In a float64 comparison on one 4,000/1,000 split
 * of letter.csv, it gave a lower validation RMSE than inverse distance, inverse squared distance
 * and a Gaussian kernel at every k from 3 to 32, binary and 26 classes. Unlike inverse distance,
 * it needs no offset for neighbours at distance 0, which letter.csv has many of.
 */
export interface KnnSpec {
  k: number;
  weighting: KnnWeighting;
}

export interface KnnOptions {
  /**
   * Maximum query rows per neighbour search. By default a block is as large as one storage
   * binding of the neighbour lists allows. Tests set it small to exercise the split.
   */
  blockRows?: number;
}

/** Neighbour lists of query rows start .. start + rows - 1: index (u32) and squared distances, rows x S. */
interface NeighbourBlock {
  start: number;
  rows: number;
  index: Tensor;
  distances: Tensor;
}

/**
 * The training rows that a family of kNN models shares, and the neighbour lists of the most
 * recent input tensor. Every model of the family predicts from the same lists, found once at the
 * family's largest k (plus one for the bandwidth of distance weighting), so predicting all of
 * them on the same tensor costs one neighbour search.
 *
 * NOTE: the cache is keyed by the Tensor object, not by its values. A caller that writes new values
 * into a tensor it already predicted on must call `forget()` first (through `KnnModel.index`), or
 * the models return the old rows' results.
 */
export class NeighbourIndex {
  private cachedInput: Tensor | undefined;
  private blocks: NeighbourBlock[] = [];
  private users = 0;
  /** Number of neighbour searches run so far, one per input tensor that missed the cache. */
  searches = 0;

  /**
   * reference: N x D training rows, labels: N class indices (u32), weight: D distance weights.
   * The index owns these tensors and releases them with its last user.
   */
  constructor(
    readonly engine: Engine,
    readonly reference: Tensor,
    readonly labels: Tensor,
    readonly weight: Tensor,
    /** Neighbours per query row in the lists, at most N. */
    readonly searchK: number,
    private readonly blockRows: number,
  ) {}

  /** Returns the neighbour lists of `x` (M x D), searching only when `x` is not the previous input. */
  neighbours(x: Tensor): NeighbourBlock[] {
    if (x.cols !== this.reference.cols) {
      throw new RangeError(`kNN: input rows have ${x.cols} columns but the training rows have ${this.reference.cols}`);
    }
    if (x === this.cachedInput) return this.blocks;
    this.forget();

    // A block's first row is a multiple of 64, which keeps row views of x and of the output aligned
    // for binding whatever their widths.
    const blockRows = Math.max(64, Math.floor(this.blockRows / 64) * 64);
    const program = this.engine.program();
    try {
      for (let start = 0; start < x.rows; start += blockRows) {
        const rows = Math.min(blockRows, x.rows - start);
        const query = rows === x.rows ? x : x.rowsView(start, rows);
        const block = {
          start,
          rows,
          index: this.engine.tensorU32(rows, this.searchK),
          distances: this.engine.tensor(rows, this.searchK),
        };
        this.blocks.push(block);
        topK(program, query, this.reference, this.weight, block.index, block.distances);
      }
      this.engine.run(program);
      this.searches++;
    } catch (error) {
      this.forget();
      throw error;
    } finally {
      program.destroy();
    }
    this.cachedInput = x;
    return this.blocks;
  }

  /** Releases the cached neighbour lists; the next prediction searches again. */
  forget(): void {
    for (const block of this.blocks) {
      block.index.release();
      block.distances.release();
    }
    this.blocks = [];
    this.cachedInput = undefined;
  }

  retain(): void {
    this.users++;
  }

  /** Drops one user, and releases every tensor of the index when none is left. */
  release(): void {
    this.users--;
    if (this.users > 0) return;
    this.forget();
    this.reference.release();
    this.labels.release();
    this.weight.release();
  }
}

/** A fitted kNN model; it keeps the training rows through its family's shared index. */
export class KnnModel implements TeacherModel {
  readonly family = 'knn';
  private released = false;

  constructor(
    readonly name: string,
    readonly bytes: number,
    readonly index: NeighbourIndex,
    /** Neighbours that vote: the requested k, capped at the number of training rows. */
    private readonly k: number,
    private readonly weighting: KnnWeighting,
    private readonly outputs: number,
  ) {
    index.retain();
  }

  predict(x: Tensor): Tensor {
    if (this.released) throw new Error(`${this.name}: predict() after release()`);
    const engine = this.index.engine;
    const blocks = this.index.neighbours(x);
    const out = engine.tensor(x.rows, this.outputs);
    engine.runOnce((program) => {
      for (const block of blocks) {
        const target = block.rows === x.rows ? out : out.rowsView(block.start, block.rows);
        knnVote(program, block.index, block.distances, this.index.labels, target, this.k, this.weighting);
      }
    });
    return out;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.index.release();
  }
}

/**
 * Fits one kNN model per spec on the training rows, all sharing one copy of the rows and one
 * neighbour search per input tensor (see `NeighbourIndex`). Distances are weighted squared
 * Euclidean on the encoded columns with `distanceWeights`, so a nominal mismatch counts as much as
 * a continuous column's full range. Models are named like "knn k=8 distance".
 *
 * A k larger than the number of training rows is capped at it. Where no (k+1)-th neighbour exists
 * (k = 64, the search's maximum, or k >= N), distance weighting takes the k-th neighbour as the
 * bandwidth, whose own weight is then floored near 0. Every model's `bytes` counts the training
 * rows and labels that it needs, although the family stores them once.
 */
export function fitKnnModels(data: FitData, specs: KnnSpec[], options: KnnOptions = {}): KnnModel[] {
  checkSpecs(specs);
  checkLabels(data);
  if (specs.length === 0) return [];
  const { engine, encoder, labels } = data;
  const n = labels.length;
  const d = encoder.width;
  if (data.xHost.length !== n * d) throw new RangeError(`fitKnnModels: xHost has ${data.xHost.length} values, expected ${n} x ${d}`);

  // Distance weighting needs one neighbour beyond k for its bandwidth.
  const largest = Math.max(...specs.map((spec) => spec.k + (spec.weighting === 'distance' ? 1 : 0)));
  const searchK = Math.min(largest, MAX_TOP_K, n);
  const bindingRows = Math.floor(engine.limits.maxStorageBufferBindingSize / (searchK * 4));
  const blockRows = Math.min(options.blockRows ?? bindingRows, bindingRows);

  const reference = engine.tensor(n, d, data.xHost);
  const labelTensor = engine.tensorU32(n, 1, Uint32Array.from(labels));
  const weight = engine.tensor(1, d, distanceWeights(encoder));
  const index = new NeighbourIndex(engine, reference, labelTensor, weight, searchK, blockRows);

  const bytes = n * d * 4 + n * 4;
  return specs.map(
    (spec) => new KnnModel(`knn k=${spec.k} ${spec.weighting}`, bytes, index, Math.min(spec.k, n), spec.weighting, data.outputs),
  );
}

function checkSpecs(specs: KnnSpec[]): void {
  const names = new Set<string>();
  for (const spec of specs) {
    check(
      Number.isInteger(spec.k) && spec.k >= 1 && spec.k <= MAX_TOP_K,
      `kNN: k = ${spec.k} is invalid; give a whole number from 1 to ${MAX_TOP_K}`,
    );
    check(spec.weighting === 'uniform' || spec.weighting === 'distance', `kNN: weighting '${spec.weighting}' is invalid; use 'uniform' or 'distance'`);
    const name = `k=${spec.k} ${spec.weighting}`;
    check(!names.has(name), `kNN: the model ${name} is listed twice; list each k and weighting once`);
    names.add(name);
  }
}

function checkLabels(data: FitData): void {
  const { labels, classes } = data;
  if (labels.length === 0) throw new MimicError('kNN: no training rows; a kNN model needs at least one');
  for (let r = 0; r < labels.length; r++) {
    if (!Number.isInteger(labels[r]) || labels[r] < 0 || labels[r] >= classes) {
      throw new RangeError(`kNN: label ${labels[r]} of training row ${r} is not a class index below ${classes}`);
    }
  }
}
