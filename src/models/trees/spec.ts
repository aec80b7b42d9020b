/**
 * The tree families of the teacher library and their options. Every option is optional in a
 * `TreeSpec`; `resolveTreeSpec` fills in the defaults and rejects values out of range.
 */

interface CommonOptions {
  /** Seed of every random choice (bootstrap samples, candidate features, thresholds, row samples). */
  seed?: number;
  /** Most quantile bins per encoded column, 2 to 256. */
  maxBins?: number;
}

interface ForestOptions extends CommonOptions {
  /** Number of trees. */
  trees?: number;
  /** Candidate features drawn at each node; by default floor(sqrt(D)) for D encoded columns. */
  features?: number;
  /** Deepest level a node may split at, with the root at depth 0; no limit by default. */
  maxDepth?: number;
  /** Minimum training rows in a leaf, bootstrap duplicates counted. */
  minLeaf?: number;
}

/**
 * A tree family and its options:
 * - `tree`: one CART classification tree on all features, split by the Gini index. It makes no
 *   random choice, so `seed` does not change it.
 * - `random-forest`: trees on bootstrap samples, each node choosing among `features` random
 *   columns (Breiman, "Random Forests", Machine Learning 2001).
 * - `extra-trees`: trees on all rows, each candidate column cut at a uniform random threshold
 *   (Geurts, Ernst and Wehenkel, "Extremely randomized trees", Machine Learning 2006).
 * - `boosted-trees`: gradient boosting of regression trees on the log loss with Newton leaf values
 *   (Friedman, "Greedy function approximation", Annals of Statistics 2001), stopped early on the
 *   validation rows' log loss.
 */
export type TreeSpec =
  | ({ family: 'tree'; maxDepth?: number; minLeaf?: number } & CommonOptions)
  | ({ family: 'random-forest' } & ForestOptions)
  | ({ family: 'extra-trees' } & ForestOptions)
  | ({
      family: 'boosted-trees';
      /** Most boosting rounds; each round adds one tree (binary) or one tree per class. */
      rounds?: number;
      learningRate?: number;
      maxDepth?: number;
      minLeaf?: number;
      /** Fraction of the training rows drawn without replacement for each round. */
      subsample?: number;
      /** L2 penalty on leaf values, added to each leaf's sum of Hessians. */
      l2?: number;
      /** Rounds without a lower validation log loss before training stops. */
      patience?: number;
    } & CommonOptions);

export type TreeFamily = TreeSpec['family'];

/** A spec with every option set, as the training code reads it. */
export type ResolvedTreeSpec =
  | { family: 'tree' | 'random-forest' | 'extra-trees'; trees: number; features: number; maxDepth: number; minLeaf: number; seed: number; maxBins: number }
  | {
      family: 'boosted-trees';
      rounds: number;
      learningRate: number;
      maxDepth: number;
      minLeaf: number;
      subsample: number;
      l2: number;
      patience: number;
      seed: number;
      maxBins: number;
    };

export const treeDefaults = {
  seed: 1,
  maxBins: 256,
  tree: { maxDepth: 12, minLeaf: 2 },
  forest: { trees: 100, maxDepth: Infinity, minLeaf: 1 },
  boosting: { rounds: 500, learningRate: 0.1, maxDepth: 6, minLeaf: 2, subsample: 0.8, l2: 1, patience: 30 },
} as const;

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function checkDepth(value: number): void {
  if (value === Infinity) return;
  checkInteger('maxDepth', value, 1, 1000);
}

/**
 * Fills in the defaults of `spec` for data with `columns` encoded columns and checks each option,
 * throwing RangeError for a value out of range.
 */
export function resolveTreeSpec(spec: TreeSpec, columns: number): ResolvedTreeSpec {
  checkInteger('columns', columns, 1, 2 ** 24);
  const seed = spec.seed ?? treeDefaults.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  const maxBins = spec.maxBins ?? treeDefaults.maxBins;
  checkInteger('maxBins', maxBins, 2, 256);

  if (spec.family === 'boosted-trees') {
    const d = treeDefaults.boosting;
    const resolved = {
      family: spec.family,
      rounds: spec.rounds ?? d.rounds,
      learningRate: spec.learningRate ?? d.learningRate,
      maxDepth: spec.maxDepth ?? d.maxDepth,
      minLeaf: spec.minLeaf ?? d.minLeaf,
      subsample: spec.subsample ?? d.subsample,
      l2: spec.l2 ?? d.l2,
      patience: spec.patience ?? d.patience,
      seed,
      maxBins,
    };
    checkInteger('rounds', resolved.rounds, 1, 100000);
    if (!(resolved.learningRate > 0 && resolved.learningRate <= 1)) {
      throw new RangeError(`learningRate must be in (0, 1], got ${resolved.learningRate}`);
    }
    checkDepth(resolved.maxDepth);
    checkInteger('minLeaf', resolved.minLeaf, 1, 2 ** 31 - 1);
    if (!(resolved.subsample > 0 && resolved.subsample <= 1)) throw new RangeError(`subsample must be in (0, 1], got ${resolved.subsample}`);
    if (!(resolved.l2 >= 0 && Number.isFinite(resolved.l2))) throw new RangeError(`l2 must be a finite number >= 0, got ${resolved.l2}`);
    checkInteger('patience', resolved.patience, 1, 100000);
    return resolved;
  }

  if (spec.family === 'tree') {
    const resolved = {
      family: spec.family,
      trees: 1,
      features: columns,
      maxDepth: spec.maxDepth ?? treeDefaults.tree.maxDepth,
      minLeaf: spec.minLeaf ?? treeDefaults.tree.minLeaf,
      seed,
      maxBins,
    };
    checkDepth(resolved.maxDepth);
    checkInteger('minLeaf', resolved.minLeaf, 1, 2 ** 31 - 1);
    return resolved;
  }

  if (spec.family !== 'random-forest' && spec.family !== 'extra-trees') {
    throw new RangeError(`unknown tree family '${(spec as { family: string }).family}'`);
  }
  const d = treeDefaults.forest;
  const resolved = {
    family: spec.family,
    trees: spec.trees ?? d.trees,
    features: spec.features ?? Math.max(1, Math.floor(Math.sqrt(columns))),
    maxDepth: spec.maxDepth ?? d.maxDepth,
    minLeaf: spec.minLeaf ?? d.minLeaf,
    seed,
    maxBins,
  };
  checkInteger('trees', resolved.trees, 1, 100000);
  checkInteger('features', resolved.features, 1, columns);
  checkDepth(resolved.maxDepth);
  checkInteger('minLeaf', resolved.minLeaf, 1, 2 ** 31 - 1);
  return resolved;
}

/** Names a model by its family and the options that set it apart, e.g. "random-forest 300 trees seed 1". */
export function treeModelName(spec: ResolvedTreeSpec): string {
  const depth = spec.maxDepth === Infinity ? '' : ` depth ${spec.maxDepth}`;
  if (spec.family === 'boosted-trees') {
    const subsample = spec.subsample === 1 ? '' : ` subsample ${spec.subsample}`;
    return `boosted-trees${depth} lr ${spec.learningRate} min leaf ${spec.minLeaf}${subsample} l2 ${spec.l2} seed ${spec.seed}`;
  }
  if (spec.family === 'tree') return `tree${depth} min leaf ${spec.minLeaf}`;
  const minLeaf = spec.minLeaf === 1 ? '' : ` min leaf ${spec.minLeaf}`;
  return `${spec.family} ${spec.trees} trees ${spec.features} features${depth}${minLeaf} seed ${spec.seed}`;
}
