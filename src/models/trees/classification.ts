import type { Random } from '../../data/random.js';
import type { Bins } from './bins.js';
import { ALL_OUTPUTS, type TreeBuilder } from './flat.js';

/** Options of one classification tree, as the tree, random forest and extra trees families set them. */
export interface ClassificationTreeOptions {
  maxDepth: number;
  /** Minimum training rows in a leaf, weights (bootstrap duplicates) counted. */
  minLeaf: number;
  /** Non-constant candidate columns to visit at each node; all columns make a plain CART tree. */
  features: number;
  /** Cut each candidate column at one uniform random threshold (extra trees) instead of the best one. */
  randomThresholds: boolean;
  /** Factor on the leaves' class frequencies: 1 / trees for a forest, so that the sum of trees is their mean. */
  leafScale: number;
}

/** The training rows with their labels, shared by every tree of a forest. */
export interface ClassificationData {
  bins: Bins;
  labels: Int32Array;
  classes: number;
  /** 1 for a binary problem (leaves store the frequency of class 1), else `classes`. */
  outputs: number;
}

interface PendingNode {
  node: number;
  depth: number;
  /** The node's rows are rows[start .. end - 1]. */
  start: number;
  end: number;
}

interface Split {
  feature: number;
  /** Rows whose bin in `feature` is at most `bin` go left. */
  bin: number;
  score: number;
}

/**
 * Grows one classification tree by the Gini index on binned columns, depth first. Each node
 * builds a class histogram per candidate column and picks the split that maximises
 *   sum_k L_k^2 / n_L + sum_k R_k^2 / n_R,
 * where L_k and R_k are the weights of class k left and right. That is the same as minimising the
 * weighted Gini impurity n_L (1 - sum_k (L_k / n_L)^2) + n_R (1 - sum_k (R_k / n_R)^2).
 *
 * Growth runs in steps (`grow` until a deadline), so that a caller without a worker can yield to
 * the event loop between nodes. Leaves store each class's weight share times `leafScale`.
 */
export class ClassificationTreeGrower {
  private readonly stack: PendingNode[] = [];
  private readonly rows: Int32Array;
  private readonly histogram: Float64Array;
  private readonly binWeight: Float64Array;
  private readonly classWeight: Float64Array;
  private readonly leftWeight: Float64Array;
  private readonly featureOrder: Int32Array;

  /**
   * `rows` lists the training rows of this tree, each once. `weights[r]` is the number of times
   * row r was drawn, or null when each row counts once.
   */
  constructor(
    private readonly data: ClassificationData,
    rows: Int32Array,
    private readonly weights: Float64Array | null,
    private readonly random: Random,
    private readonly options: ClassificationTreeOptions,
    private readonly builder: TreeBuilder,
  ) {
    const { bins, classes } = data;
    let widest = 0;
    for (let c = 0; c < bins.cols; c++) widest = Math.max(widest, bins.binCount[c]);
    this.rows = rows;
    this.histogram = new Float64Array(widest * classes);
    this.binWeight = new Float64Array(widest);
    this.classWeight = new Float64Array(classes);
    this.leftWeight = new Float64Array(classes);
    this.featureOrder = Int32Array.from({ length: bins.cols }, (_, c) => c);
    const root = builder.startTree(ALL_OUTPUTS);
    if (rows.length === 0) throw new RangeError('a classification tree needs at least one training row');
    this.stack.push({ node: root, depth: 0, start: 0, end: rows.length });
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

  private weightOf(row: number): number {
    return this.weights === null ? 1 : this.weights[row];
  }

  private growNode(pending: PendingNode): void {
    const { labels, classes } = this.data;
    const classWeight = this.classWeight;
    classWeight.fill(0);
    let total = 0;
    for (let i = pending.start; i < pending.end; i++) {
      const row = this.rows[i];
      const w = this.weightOf(row);
      classWeight[labels[row]] += w;
      total += w;
    }
    let present = 0;
    for (let k = 0; k < classes; k++) if (classWeight[k] > 0) present++;

    const { maxDepth, minLeaf } = this.options;
    const split = present > 1 && pending.depth < maxDepth && total >= 2 * minLeaf ? this.findSplit(pending, total) : null;
    if (split === null) {
      this.setLeaf(pending.node, total);
      return;
    }

    // Partition the node's rows in place: bins <= split.bin first.
    const codes = this.data.bins.byColumn;
    const offset = split.feature * this.data.bins.rows;
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
    const threshold = this.data.bins.edges[split.feature][split.bin];
    const [left, right] = this.builder.setSplit(pending.node, split.feature, threshold);
    this.stack.push({ node: right, depth: pending.depth + 1, start: i, end: pending.end });
    this.stack.push({ node: left, depth: pending.depth + 1, start: pending.start, end: i });
  }

  private setLeaf(node: number, total: number): void {
    const { outputs } = this.data;
    const scale = this.options.leafScale / total;
    const values = outputs === 1 ? [this.classWeight[1] * scale] : Array.from(this.classWeight, (w) => w * scale);
    this.builder.setLeaf(node, values);
  }

  /**
   * Visits candidate columns in random order until `features` non-constant ones were seen, and
   * returns the best split among them, or null when none leaves `minLeaf` rows on each side.
   * With every column a candidate, columns go in index order and no random number is drawn.
   */
  private findSplit(pending: PendingNode, total: number): Split | null {
    const cols = this.data.bins.cols;
    const order = this.featureOrder;
    const drawn = this.options.features < cols;
    let best: Split | null = null;
    let visited = 0;
    for (let i = 0; i < cols && visited < this.options.features; i++) {
      if (drawn) {
        const j = i + this.random.int(cols - i);
        const swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
      const feature = drawn ? order[i] : i;
      const candidate = this.evaluateFeature(pending, feature, total);
      if (candidate === 'constant') continue;
      visited++;
      if (candidate !== null && (best === null || candidate.score > best.score)) best = candidate;
    }
    return best;
  }

  /** Returns the split of one column (best or random), null if none is valid, or 'constant'. */
  private evaluateFeature(pending: PendingNode, feature: number, total: number): Split | null | 'constant' {
    const { bins, labels, classes } = this.data;
    const histogram = this.histogram;
    const binWeight = this.binWeight;
    const codes = bins.byColumn;
    const offset = feature * bins.rows;

    let minBin = Infinity;
    let maxBin = -1;
    for (let i = pending.start; i < pending.end; i++) {
      const row = this.rows[i];
      const bin = codes[offset + row];
      const w = this.weightOf(row);
      histogram[bin * classes + labels[row]] += w;
      binWeight[bin] += w;
      if (bin < minBin) minBin = bin;
      if (bin > maxBin) maxBin = bin;
    }

    let result: Split | null | 'constant' = 'constant';
    if (minBin < maxBin) {
      result = this.options.randomThresholds
        ? this.randomSplit(feature, minBin, maxBin, total)
        : this.bestSplit(feature, minBin, maxBin, total);
    }

    // Clear only the entries this node touched, so a node costs O(rows) and not O(bins x classes).
    for (let i = pending.start; i < pending.end; i++) {
      const row = this.rows[i];
      const bin = codes[offset + row];
      histogram[bin * classes + labels[row]] = 0;
      binWeight[bin] = 0;
    }
    return result;
  }

  /**
   * Scans the boundaries between the node's non-empty bins. Between two non-empty bins a and b,
   * a cut after any bin a .. b - 1 partitions the node's rows the same way. It takes the middle
   * one, so that unseen values between the two groups go to the nearer side.
   */
  private bestSplit(feature: number, minBin: number, maxBin: number, total: number): Split | null {
    const { classes } = this.data;
    const histogram = this.histogram;
    const left = this.leftWeight;
    const right = this.classWeight;
    left.fill(0);
    let leftTotal = 0;
    let leftSquares = 0;
    let rightSquares = 0;
    for (let k = 0; k < classes; k++) rightSquares += right[k] * right[k];

    let best: Split | null = null;
    let previous = minBin;
    for (let bin = minBin; bin <= maxBin; bin++) {
      const weight = this.binWeight[bin];
      if (weight === 0) continue;
      const rightTotal = total - leftTotal;
      if (bin > minBin && leftTotal >= this.options.minLeaf && rightTotal >= this.options.minLeaf) {
        const score = leftSquares / leftTotal + rightSquares / rightTotal;
        if (best === null || score > best.score) best = { feature, bin: (previous + bin - 1) >> 1, score };
      }
      // Move this bin's rows from the right side to the left.
      const base = bin * classes;
      for (let k = 0; k < classes; k++) {
        const c = histogram[base + k];
        if (c === 0) continue;
        leftSquares += c * (2 * left[k] + c);
        rightSquares += c * (c - 2 * (right[k] - left[k]));
        left[k] += c;
      }
      leftTotal += weight;
      previous = bin;
    }
    return best;
  }

  /**
   * Draws a cut point uniformly between the smallest and largest training values of the node's
   * bins (Geurts et al. 2006), and sends left the bins whose values all lie at or below it.
   */
  private randomSplit(feature: number, minBin: number, maxBin: number, total: number): Split | null {
    const { bins, classes } = this.data;
    const low = bins.low[feature][minBin];
    const high = bins.high[feature][maxBin];
    const cut = low + this.random.uniform() * (high - low);
    let split = minBin;
    while (split + 1 < maxBin && bins.high[feature][split + 1] <= cut) split++;

    const histogram = this.histogram;
    const left = this.leftWeight;
    left.fill(0);
    let leftTotal = 0;
    for (let bin = minBin; bin <= split; bin++) {
      leftTotal += this.binWeight[bin];
      for (let k = 0; k < classes; k++) left[k] += histogram[bin * classes + k];
    }
    const rightTotal = total - leftTotal;
    if (leftTotal < this.options.minLeaf || rightTotal < this.options.minLeaf) return null;
    let leftSquares = 0;
    let rightSquares = 0;
    for (let k = 0; k < classes; k++) {
      leftSquares += left[k] * left[k];
      const r = this.classWeight[k] - left[k];
      rightSquares += r * r;
    }
    return { feature, bin: split, score: leftSquares / leftTotal + rightSquares / rightTotal };
  }
}
