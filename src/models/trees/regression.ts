import type { Bins } from './bins.js';
import type { TreeBuilder } from './flat.js';

/** Options of one boosting tree. */
export interface RegressionTreeOptions {
  maxDepth: number;
  /** Minimum sampled rows in a leaf. */
  minLeaf: number;
  /** L2 penalty on leaf values, added to the sum of Hessians. */
  l2: number;
  /** Factor on the Newton leaf values, so that the stored value is the step the tree adds. */
  learningRate: number;
}

interface PendingNode {
  node: number;
  depth: number;
  start: number;
  end: number;
  /** Gradient, Hessian and row count per bin of every column (null when the node cannot split). */
  histogram: Float64Array | null;
}

/** Returns G^2 / (H + l2), the loss reduction of a Newton step, or 0 when H + l2 is 0. */
function newtonScore(g: number, h: number, l2: number): number {
  const denominator = h + l2;
  return denominator > 0 ? (g * g) / denominator : 0;
}

/**
 * Grows one regression tree on per-row gradients g and Hessians h of the loss, depth first, as in
 * second-order gradient boosting (Chen and Guestrin, "XGBoost", KDD 2016). A split maximises
 *   G_L^2 / (H_L + l2) + G_R^2 / (H_R + l2) - G^2 / (H + l2)
 * and is made only when that gain is positive. A leaf stores -learningRate * G / (H + l2),
 * summed over the leaf's rows in row order.
 *
 * Each node needs a histogram of g, h and counts per bin of every column. The smaller child's is
 * built from its rows and the larger child's is the parent's minus the smaller one's, which
 * halves the passes over the rows.
 */
export class RegressionTreeGrower {
  private readonly stack: PendingNode[] = [];
  private readonly spare: Float64Array[] = [];

  /**
   * `rows` are the rows sampled for this tree; the grower reorders them. `output` is the output
   * column the tree writes to.
   */
  constructor(
    private readonly bins: Bins,
    private readonly rows: Int32Array,
    private readonly gradient: Float64Array,
    private readonly hessian: Float64Array,
    private readonly options: RegressionTreeOptions,
    private readonly builder: TreeBuilder,
    output: number,
  ) {
    if (rows.length === 0) throw new RangeError('a boosting tree needs at least one training row');
    const root = builder.startTree(output);
    const pending: PendingNode = { node: root, depth: 0, start: 0, end: rows.length, histogram: null };
    if (this.canSplit(pending)) pending.histogram = this.buildHistogram(pending.start, pending.end);
    this.stack.push(pending);
  }

  get done(): boolean {
    return this.stack.length === 0;
  }

  /** Splits or closes pending nodes until none is left or performance.now() passes `deadline`. */
  grow(deadline = Infinity): void {
    let count = 0;
    while (this.stack.length > 0) {
      this.growNode(this.stack.pop()!);
      if (++count % 8 === 0 && performance.now() >= deadline) return;
    }
  }

  private canSplit(pending: PendingNode): boolean {
    return pending.depth < this.options.maxDepth && pending.end - pending.start >= 2 * this.options.minLeaf;
  }

  private takeHistogram(): Float64Array {
    const histogram = this.spare.pop();
    if (histogram) {
      histogram.fill(0);
      return histogram;
    }
    return new Float64Array(this.bins.totalBins * 3);
  }

  private buildHistogram(start: number, end: number): Float64Array {
    const histogram = this.takeHistogram();
    const { byRow, binOffset, cols } = this.bins;
    for (let i = start; i < end; i++) {
      const row = this.rows[i];
      const g = this.gradient[row];
      const h = this.hessian[row];
      const base = row * cols;
      for (let c = 0; c < cols; c++) {
        const at = (binOffset[c] + byRow[base + c]) * 3;
        histogram[at] += g;
        histogram[at + 1] += h;
        histogram[at + 2] += 1;
      }
    }
    return histogram;
  }

  private growNode(pending: PendingNode): void {
    const split = pending.histogram ? this.findSplit(pending.histogram) : null;
    if (split === null) {
      if (pending.histogram) this.spare.push(pending.histogram);
      this.setLeaf(pending);
      return;
    }

    const codes = this.bins.byColumn;
    const offset = split.feature * this.bins.rows;
    let i = pending.start;
    let j = pending.end - 1;
    while (i <= j) {
      if (codes[offset + this.rows[i]] <= split.bin) {
        i++;
      } else {
        const swap = this.rows[i];
        this.rows[i] = this.rows[j];
        this.rows[j] = swap;
        j--;
      }
    }
    const threshold = this.bins.edges[split.feature][split.bin];
    const [leftNode, rightNode] = this.builder.setSplit(pending.node, split.feature, threshold);
    const depth = pending.depth + 1;
    const left: PendingNode = { node: leftNode, depth, start: pending.start, end: i, histogram: null };
    const right: PendingNode = { node: rightNode, depth, start: i, end: pending.end, histogram: null };

    const parent = pending.histogram!;
    const leftSplits = this.canSplit(left);
    const rightSplits = this.canSplit(right);
    if (leftSplits || rightSplits) {
      const leftSmaller = left.end - left.start <= right.end - right.start;
      const small = leftSmaller ? left : right;
      const large = leftSmaller ? right : left;
      small.histogram = this.buildHistogram(small.start, small.end);
      for (let k = 0; k < parent.length; k++) parent[k] -= small.histogram[k];
      large.histogram = parent;
      for (const child of [left, right]) {
        if (!this.canSplit(child) && child.histogram) {
          this.spare.push(child.histogram);
          child.histogram = null;
        }
      }
    } else {
      this.spare.push(parent);
    }
    this.stack.push(right, left);
  }

  private setLeaf(pending: PendingNode): void {
    let g = 0;
    let h = 0;
    for (let i = pending.start; i < pending.end; i++) {
      g += this.gradient[this.rows[i]];
      h += this.hessian[this.rows[i]];
    }
    const denominator = h + this.options.l2;
    const value = denominator > 0 ? (-this.options.learningRate * g) / denominator : 0;
    this.builder.setLeaf(pending.node, [value]);
  }

  /**
   * Returns the best split of a node with a positive gain, or null. Between two non-empty bins it
   * cuts after the middle bin, as the classification trees do.
   */
  private findSplit(histogram: Float64Array): { feature: number; bin: number } | null {
    const { cols, binCount, binOffset } = this.bins;
    const { l2, minLeaf } = this.options;

    let g = 0;
    let h = 0;
    let n = 0;
    for (let b = 0; b < binCount[0]; b++) {
      const at = (binOffset[0] + b) * 3;
      g += histogram[at];
      h += histogram[at + 1];
      n += histogram[at + 2];
    }

    let best: { feature: number; bin: number } | null = null;
    let bestScore = newtonScore(g, h, l2);
    for (let c = 0; c < cols; c++) {
      let gl = 0;
      let hl = 0;
      let nl = 0;
      let previous = -1;
      for (let b = 0; b < binCount[c]; b++) {
        const at = (binOffset[c] + b) * 3;
        const count = histogram[at + 2];
        if (count === 0) continue;
        if (previous >= 0 && nl >= minLeaf && n - nl >= minLeaf) {
          const score = newtonScore(gl, hl, l2) + newtonScore(g - gl, h - hl, l2);
          if (score > bestScore) {
            bestScore = score;
            best = { feature: c, bin: (previous + b - 1) >> 1 };
          }
        }
        gl += histogram[at];
        hl += histogram[at + 1];
        nl += count;
        previous = b;
      }
    }
    return best;
  }
}
