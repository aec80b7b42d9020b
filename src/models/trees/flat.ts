/**
 * Trees flattened into typed arrays, the form that the GPU kernel shaders/tree_predict.wgsl walks
 * and that workers send back to the main thread.
 *
 * Node i is nodes[4i .. 4i + 3]:
 *   split: [feature, threshold as f32 bits, left child, right child]; rows with x[feature] <= threshold go left
 *   leaf:  [LEAF, 0, offset of its values in `values`, 0]
 * Tree t is trees[2t .. 2t + 1]: [root node, output column], where the column ALL_OUTPUTS means that
 * each leaf stores `outputs` values, one per output (forest trees), and any other column means
 * that each leaf stores one value for that output (a boosting tree).
 *
 * The sum for row r and output j is base[j] plus, tree by tree in order, the value of the leaf
 * that row r reaches. Leaf values are already multiplied by the tree's weight (1 / trees for a
 * forest, the learning rate for boosting). So the sum has no multiplication that a GPU compiler
 * could fuse into a multiply-add, and the CPU can repeat it in f32 bit for bit.
 */
export interface FlatTrees {
  /** Encoded columns that the trees read. */
  cols: number;
  /** Output columns: 1 for a binary problem, else the number of classes. */
  outputs: number;
  nodes: Uint32Array;
  trees: Uint32Array;
  values: Float32Array;
  base: Float32Array;
  /** Most splits on any path from a root to a leaf. */
  maxDepth: number;
  /**
   * Link from sums to probabilities: `identity` for forests, whose leaves store class frequencies,
   * and `logistic` (sigmoid or softmax of the logits) for boosting.
   */
  link: 'identity' | 'logistic';
}

export const LEAF = 0xffffffff;
export const ALL_OUTPUTS = 0xffffffff;

/** Smallest positive normal f32. GPUs may flush smaller (subnormal) values to zero. */
const MIN_NORMAL_F32 = 2 ** -126;

/** Rounds to f32, flushing subnormals to zero so that the CPU and a GPU store the same leaf value. */
export function leafValue(value: number): number {
  const rounded = Math.fround(value);
  return Math.abs(rounded) < MIN_NORMAL_F32 ? 0 : rounded;
}

/** Storage of the flattened trees in bytes. */
export function flatBytes(flat: FlatTrees): number {
  return flat.nodes.byteLength + flat.trees.byteLength + flat.values.byteLength + flat.base.byteLength;
}

/**
 * Collects trees node by node. Training code calls `startTree`, then `addNode` for each child
 * before it decides whether that child splits (`setSplit`) or is a leaf (`setLeaf`).
 */
export class TreeBuilder {
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly depth: number[] = [];
  private readonly values: number[] = [];
  private readonly treeRoots: number[] = [];
  private readonly treeOutputs: number[] = [];
  /** Node and value counts when each tree started, so that `truncate` can drop whole trees. */
  private readonly treeNodeStart: number[] = [];
  private readonly treeValueStart: number[] = [];

  constructor(
    readonly cols: number,
    readonly outputs: number,
  ) {}

  get treeCount(): number {
    return this.treeRoots.length;
  }

  /** Root node of tree t. */
  rootOf(t: number): number {
    return this.treeRoots[t];
  }

  /** Starts a tree writing to output `output` (or ALL_OUTPUTS) and returns its root node. */
  startTree(output: number): number {
    this.treeNodeStart.push(this.feature.length);
    this.treeValueStart.push(this.values.length);
    this.treeRoots.push(this.feature.length);
    this.treeOutputs.push(output);
    return this.addNode(0);
  }

  addNode(depth: number): number {
    this.feature.push(LEAF);
    this.threshold.push(0);
    this.left.push(0);
    this.right.push(0);
    this.depth.push(depth);
    return this.feature.length - 1;
  }

  /** Makes `node` a split and returns its new [left, right] children. */
  setSplit(node: number, feature: number, threshold: number): [number, number] {
    const depth = this.depth[node] + 1;
    const left = this.addNode(depth);
    const right = this.addNode(depth);
    this.feature[node] = feature;
    this.threshold[node] = Math.fround(threshold);
    this.left[node] = left;
    this.right[node] = right;
    return [left, right];
  }

  /** Makes `node` a leaf with the given values, which `leafValue` rounds to f32. */
  setLeaf(node: number, values: ArrayLike<number>): void {
    this.feature[node] = LEAF;
    this.left[node] = this.values.length;
    for (let i = 0; i < values.length; i++) this.values.push(leafValue(values[i]));
  }

  /** Returns the leaf node that x[row] (row-major, `cols` wide) reaches from `root`. */
  leafOf(root: number, x: Float32Array, row: number): number {
    let node = root;
    const base = row * this.cols;
    while (this.feature[node] !== LEAF) {
      node = x[base + this.feature[node]] <= this.threshold[node] ? this.left[node] : this.right[node];
    }
    return node;
  }

  /** Returns the first value of a leaf node. */
  leafValueAt(node: number): number {
    return this.values[this.left[node]];
  }

  /** Drops every tree after the first `count`. */
  truncate(count: number): void {
    if (count >= this.treeRoots.length) return;
    const nodes = this.treeNodeStart[count];
    const values = this.treeValueStart[count];
    for (const list of [this.feature, this.threshold, this.left, this.right, this.depth]) list.length = nodes;
    this.values.length = values;
    for (const list of [this.treeRoots, this.treeOutputs, this.treeNodeStart, this.treeValueStart]) list.length = count;
  }

  finish(base: ArrayLike<number>, link: FlatTrees['link']): FlatTrees {
    const count = this.feature.length;
    const nodes = new Uint32Array(count * 4);
    const thresholds = new Float32Array(nodes.buffer);
    let maxDepth = 0;
    for (let i = 0; i < count; i++) {
      nodes[4 * i] = this.feature[i];
      if (this.feature[i] === LEAF) {
        nodes[4 * i + 2] = this.left[i];
        maxDepth = Math.max(maxDepth, this.depth[i]);
      } else {
        thresholds[4 * i + 1] = this.threshold[i];
        nodes[4 * i + 2] = this.left[i];
        nodes[4 * i + 3] = this.right[i];
      }
    }
    const trees = new Uint32Array(this.treeRoots.length * 2);
    this.treeRoots.forEach((root, t) => {
      trees[2 * t] = root;
      trees[2 * t + 1] = this.treeOutputs[t];
    });
    return {
      cols: this.cols,
      outputs: this.outputs,
      nodes,
      trees,
      values: Float32Array.from(this.values),
      base: Float32Array.from(base, leafValue),
      maxDepth,
      link,
    };
  }
}

/**
 * Sums the trees' leaf values for each row of x (rows x cols, row-major) in f32, in the same order
 * as the GPU kernel, and returns rows x outputs sums. The Float32Array store after each addition
 * rounds like an f32 add, because a double contains the exact sum of two floats.
 */
export function sumTreesCpu(flat: FlatTrees, x: Float32Array, rows: number): Float32Array {
  const { cols, outputs, nodes, trees, values, base } = flat;
  if (x.length !== rows * cols) throw new RangeError(`sumTreesCpu: x has ${x.length} values, expected ${rows}x${cols}`);
  const thresholds = new Float32Array(nodes.buffer, nodes.byteOffset, nodes.length);
  const out = new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    const at = r * outputs;
    for (let j = 0; j < outputs; j++) out[at + j] = base[j];
    for (let t = 0; t < trees.length / 2; t++) {
      let node = trees[2 * t];
      while (nodes[4 * node] !== LEAF) {
        const i = 4 * node;
        node = x[r * cols + nodes[i]] <= thresholds[i + 1] ? nodes[i + 2] : nodes[i + 3];
      }
      const offset = nodes[4 * node + 2];
      const output = trees[2 * t + 1];
      if (output === ALL_OUTPUTS) {
        for (let j = 0; j < outputs; j++) out[at + j] += values[offset + j];
      } else {
        out[at + output] += values[offset];
      }
    }
  }
  return out;
}
