import type { Engine } from '../../gpu/engine.js';
import type { Tensor } from '../../gpu/tensor.js';
import { expectShape } from '../../kernels/common.js';
import { probabilities } from '../../kernels/loss.js';
import { sumTrees, type TreeTensors } from '../../kernels/trees.js';
import type { FitData, TeacherModel } from '../model.js';
import { flatBytes, type FlatTrees } from './flat.js';
import { runTreeTraining, type RunTrainingOptions, type TrainingPlace } from './run.js';
import { resolveTreeSpec, treeModelName, type TreeFamily, type TreeSpec } from './spec.js';

/** Uploads flattened trees to the GPU, padding each empty array to one element. */
export function uploadTrees(engine: Engine, flat: FlatTrees): TreeTensors {
  const nodeCount = flat.nodes.length / 4;
  const treeCount = flat.trees.length / 2;
  const nodes = engine.tensorU32(Math.max(1, nodeCount), 4);
  const trees = engine.tensorU32(Math.max(1, treeCount), 2);
  const values = engine.tensor(1, Math.max(1, flat.values.length));
  const base = engine.tensor(1, flat.outputs, flat.base);
  if (nodeCount > 0) engine.write(nodes, flat.nodes);
  if (treeCount > 0) engine.write(trees, flat.trees);
  if (flat.values.length > 0) engine.write(values, flat.values);
  return { nodes, trees, values, base, treeCount, cols: flat.cols, outputs: flat.outputs, maxDepth: flat.maxDepth };
}

/**
 * A fitted tree model: flattened trees on the GPU, walked by shaders/tree_predict.wgsl. Forests
 * predict the mean of their leaves' class frequencies; boosting passes the summed logits through
 * the sigmoid or softmax.
 */
export class TreeModel implements TeacherModel {
  readonly bytes: number;
  private readonly tensors: TreeTensors;

  constructor(
    readonly engine: Engine,
    readonly name: string,
    readonly family: TreeFamily,
    /** The trees on the CPU, for export and for checking the GPU against `sumTreesCpu`. */
    readonly trees: FlatTrees,
    /** Boosting rounds kept after early stopping; null for the other families. */
    readonly rounds: number | null = null,
    /** Training place (worker or inline), or null for trees made elsewhere. */
    readonly place: TrainingPlace | null = null,
  ) {
    this.tensors = uploadTrees(engine, trees);
    this.bytes = flatBytes(trees);
  }

  /** Returns rows x outputs sums of the trees for x (rows x D): probabilities for forests, logits for boosting. */
  predictSums(x: Tensor): Tensor {
    expectShape('tree model input', x, x.rows, this.trees.cols);
    const out = this.engine.tensor(x.rows, this.trees.outputs);
    this.engine.runOnce((program) => sumTrees(program, this.tensors, x, out));
    return out;
  }

  predict(x: Tensor): Tensor {
    if (this.trees.link === 'identity') return this.predictSums(x);
    const sums = this.predictSums(x);
    const out = this.engine.tensor(x.rows, this.trees.outputs);
    this.engine.runOnce((program) => probabilities(program, sums, out));
    sums.release();
    return out;
  }

  release(): void {
    for (const tensor of [this.tensors.nodes, this.tensors.trees, this.tensors.values, this.tensors.base]) tensor.release();
  }
}

/** Options of `fitTreeModel` beyond the spec; the defaults suit every caller but tests. */
export type FitTreeOptions = Pick<RunTrainingOptions, 'worker' | 'sliceMs' | 'workerUrl'>;

/**
 * Fits the tree model that `spec` describes on `data.xHost` and `data.labels`, off the main thread
 * where a worker starts, and uploads the trees to `data.engine`. Boosting reads the validation
 * rows back from the GPU for early stopping. Throws RangeError for an option out of range.
 */
export async function fitTreeModel(data: FitData, spec: TreeSpec, options: FitTreeOptions = {}): Promise<TreeModel> {
  const { x, xHost, labels, classes, outputs, engine, validation } = data;
  const resolved = resolveTreeSpec(spec, x.cols);
  if (xHost.length !== x.rows * x.cols) throw new RangeError(`xHost has ${xHost.length} values, expected ${x.rows}x${x.cols}`);
  if (validation.x.rows > 0) expectShape('validation rows', validation.x, validation.labels.length, x.cols);

  const validationX = resolved.family === 'boosted-trees' && validation.x.rows > 0 ? await engine.read(validation.x) : new Float32Array(0);
  const validationLabels = validationX.length > 0 ? validation.labels : new Int32Array(0);
  const { result, place } = await runTreeTraining(
    {
      spec: resolved,
      x: xHost,
      rows: x.rows,
      cols: x.cols,
      labels,
      classes,
      outputs,
      validationX,
      validationRows: validationLabels.length,
      validationLabels,
    },
    {
      ...options,
      // Several tree fits run at once, so each message names its model.
      onProgress: data.onProgress && ((message, fraction) => data.onProgress?.(`${treeModelName(resolved)}: ${message.replace(/^[a-z-]+: /, '')}`, fraction)),
    },
  );
  return new TreeModel(engine, treeModelName(resolved), resolved.family, result.trees, result.rounds, place);
}
