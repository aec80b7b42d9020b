import { MimicError } from '../errors.js';
import type { MlpSpec, RffSpec, LogisticSpec } from '../models/neural.js';
import type { ModelSpec } from './library.js';

/** Library make-ups users choose with --library. */
export type LibrarySize = 'small' | 'default' | 'large';

export const librarySizes: LibrarySize[] = ['small', 'default', 'large'];

const gradientDefaults = { batchSize: 64, weightDecay: 0, patience: 30 };


function mlp(hidden: number[], learningRate: number, epochs: number, seed: number, bootstrap = false): MlpSpec {
  return { family: 'mlp', hidden, learningRate, epochs, seed, bootstrap, ...gradientDefaults };
}

function logistic(weightDecay: number, seed: number): LogisticSpec {
  return { family: 'logistic', learningRate: 1e-2, epochs: 200, seed, ...gradientDefaults, weightDecay };
}

function rff(features: number, gamma: number, seed: number): RffSpec {
  return { family: 'rff', features, gamma, learningRate: 3e-2, epochs: 100, seed, ...gradientDefaults, batchSize: 128 };
}

/**
 * Returns the specs of a library. Seeds are derived from `seed`, so two runs with the same seed fit
 * the same models. `small` suits tests and quick looks, `default` the main command's time budget
 * on a software adapter, and `large` a real GPU.
 */
export function librarySpecs(size: LibrarySize, seed: number): ModelSpec[] {
  const s = (i: number) => seed * 1000 + i;
  if (size === 'small') {
    return [
      mlp([128], 3e-3, 60, s(1)),
      logistic(0, s(2)),
      { family: 'random-forest', trees: 50, seed: s(3) },
      { family: 'boosted-trees', rounds: 100, maxDepth: 4, seed: s(4) },
      { family: 'knn', k: 5, weighting: 'distance' },
      { family: 'naive-bayes', kind: 'binned', bins: 16 },
    ];
  }

  const large = size === 'large';
  const specs: ModelSpec[] = [logistic(0, s(1))];
  const gammas = large ? [2, 4, 8] : [4];
  gammas.forEach((gamma, i) => specs.push(rff(large ? 8192 : 4096, gamma, s(10 + i))));
  const nets: Array<[number[], number]> = [
    [[256, 128], 2e-3],
    [[128, 128], 3e-3],
    [[512], 2e-3],
  ];
  if (large) nets.push([[512, 256], 1e-3], [[256, 256, 128], 1e-3]);
  const copies = large ? 3 : 1;
  for (let c = 0; c < copies; c++) {
    nets.forEach(([hidden, learningRate], i) => specs.push(mlp(hidden, learningRate, 200, s(100 + c * 10 + i))));
  }

  const trees = large ? 1000 : 300;
  specs.push({ family: 'random-forest', trees, seed: s(200) }, { family: 'extra-trees', trees, seed: s(201) });
  // Boosting settings that did best on LETTER.p2's validation rows: deep trees on half the rows.
  const boosting: Array<[number, number, number, number]> = [
    [6, 0.1, 0.8, 2],
    [8, 0.1, 0.5, 1],
    [12, 0.05, 0.7, 1],
  ];
  if (large) boosting.push([4, 0.1, 0.8, 2], [10, 0.05, 0.5, 1], [16, 0.03, 0.5, 1]);
  boosting.forEach(([maxDepth, learningRate, subsample, minLeaf], i) =>
    specs.push({ family: 'boosted-trees', maxDepth, learningRate, subsample, minLeaf, seed: s(300 + i) }),
  );

  // One neighbour search serves every kNN model; with k = 1 both weightings are the same model.
  specs.push({ family: 'knn', k: 1, weighting: 'uniform' });
  for (const k of [3, 5, 8, 12, 16, 24, 32]) {
    specs.push({ family: 'knn', k, weighting: 'uniform' }, { family: 'knn', k, weighting: 'distance' });
  }
  specs.push({ family: 'naive-bayes', kind: 'gaussian', varianceSmoothing: 1e-9 }, { family: 'naive-bayes', kind: 'binned', bins: 16 });
  return specs;
}

/**
 * Returns the specs of a named library, or completes a list of (possibly partial) specs with their
 * families' defaults, checking every field.
 */
export function resolveLibrary(library: LibrarySize | Array<Partial<ModelSpec>>, seed: number): ModelSpec[] {
  return typeof library === 'string' ? librarySpecs(library, seed) : parseLibrary(library, 'the library');
}

/** Joins choices for a message: "a, b or c". */
export function listChoices(values: string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** The type and range of one spec field in a library file. */
type Field =
  | { kind: 'number'; min: number; max: number; exclusiveMin?: boolean }
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'boolean' }
  | { kind: 'widths' }
  | { kind: 'choice'; values: string[] };

const gradientFields: Record<string, Field> = {
  learningRate: { kind: 'number', min: 0, max: 10, exclusiveMin: true },
  epochs: { kind: 'integer', min: 1, max: 100000 },
  batchSize: { kind: 'integer', min: 1, max: 65536 },
  weightDecay: { kind: 'number', min: 0, max: 10 },
  patience: { kind: 'integer', min: 1, max: 100000 },
  seed: { kind: 'integer', min: 0, max: 2 ** 31 - 1 },
};

// Tree options that the tree code defaults itself (see treeDefaults in src/models/trees/spec.ts).
const treeFields: Record<string, Field> = {
  seed: { kind: 'integer', min: 0, max: 2 ** 31 - 1 },
  maxBins: { kind: 'integer', min: 2, max: 256 },
  maxDepth: { kind: 'integer', min: 1, max: 1000 },
  minLeaf: { kind: 'integer', min: 1, max: 2 ** 31 - 1 },
};

const forestFields: Record<string, Field> = { ...treeFields, trees: { kind: 'integer', min: 1, max: 100000 }, features: { kind: 'integer', min: 1, max: 1_000_000 } };

/** Each family's fields and the defaults that complete a partial spec from a library file. */
const families: Record<string, { fields: Record<string, Field>; defaults: Record<string, unknown> }> = {
  mlp: {
    fields: { ...gradientFields, hidden: { kind: 'widths' }, bootstrap: { kind: 'boolean' } },
    defaults: { ...mlp([256, 128], 2e-3, 200, 1) },
  },
  logistic: { fields: gradientFields, defaults: { ...logistic(0, 1) } },
  rff: {
    fields: { ...gradientFields, features: { kind: 'integer', min: 1, max: 65536 }, gamma: { kind: 'number', min: 0, max: 1e6, exclusiveMin: true } },
    defaults: { ...rff(2048, 4, 1) },
  },
  tree: { fields: { ...treeFields }, defaults: {} },
  'random-forest': { fields: forestFields, defaults: {} },
  'extra-trees': { fields: forestFields, defaults: {} },
  knn: {
    fields: { k: { kind: 'integer', min: 1, max: 64 }, weighting: { kind: 'choice', values: ['uniform', 'distance'] } },
    defaults: { k: 5, weighting: 'distance' },
  },
  'naive-bayes': {
    fields: {
      kind: { kind: 'choice', values: ['gaussian', 'binned'] },
      varianceSmoothing: { kind: 'number', min: 0, max: 1, exclusiveMin: true },
      bins: { kind: 'integer', min: 2, max: 1000 },
      laplace: { kind: 'number', min: 0, max: 1e6 },
    },
    defaults: { kind: 'gaussian', varianceSmoothing: 1e-9, bins: 16, laplace: 1 },
  },
  'boosted-trees': {
    fields: {
      ...treeFields,
      rounds: { kind: 'integer', min: 1, max: 100000 },
      learningRate: { kind: 'number', min: 0, max: 1, exclusiveMin: true },
      subsample: { kind: 'number', min: 0, max: 1, exclusiveMin: true },
      l2: { kind: 'number', min: 0, max: 1e6 },
      patience: { kind: 'integer', min: 1, max: 100000 },
    },
    defaults: {},
  },
};

function checkField(where: string, name: string, field: Field, value: unknown): void {
  const fail = (expected: string) => {
    // JSON.stringify writes Infinity (from a number such as 1e309) as null.
    const printed = typeof value === 'number' ? String(value) : JSON.stringify(value);
    throw new MimicError(`${where}: ${name} must be ${expected}, got ${printed}`);
  };
  if (field.kind === 'boolean') {
    if (typeof value !== 'boolean') fail('true or false');
  } else if (field.kind === 'choice') {
    if (typeof value !== 'string' || !field.values.includes(value)) fail(`one of ${listChoices(field.values)}`);
  } else if (field.kind === 'widths') {
    const valid = Array.isArray(value) && value.length > 0 && value.every((w) => Number.isInteger(w) && w >= 1 && w <= 16384);
    if (!valid) fail('a non-empty list of layer widths from 1 to 16384, e.g. [256, 128] (the logistic family has no hidden layer)');
  } else {
    const integer = field.kind === 'integer';
    const range = field.kind === 'number' && field.exclusiveMin ? `above ${field.min} and at most ${field.max}` : `from ${field.min} to ${field.max}`;
    const expected = `${integer ? 'an integer' : 'a number'} ${range}`;
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) fail(expected);
    const n = value as number;
    const belowMin = field.kind === 'number' && field.exclusiveMin ? n <= field.min : n < field.min;
    if (belowMin || n > field.max) fail(expected);
  }
}

/**
 * Checks a parsed library file (`source` names it in messages): a non-empty array of objects,
 * each with a known `family` and known fields in range. Missing fields take the family's defaults.
 */
export function parseLibrary(parsed: unknown, source: string): ModelSpec[] {
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new MimicError(`${source} must contain a non-empty JSON array of model specs, e.g. [{"family": "mlp", "hidden": [256]}]`);
  }
  const specs = parsed.map((item, i) => {
    const where = `${source}, model ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new MimicError(`${where}: expected an object with a "family" field`);
    const record = item as Record<string, unknown>;
    const known = listChoices(Object.keys(families));
    if (!Object.hasOwn(record, 'family')) throw new MimicError(`${where}: the "family" field is missing; give one of ${known}`);
    // Own keys only, so that names such as "constructor" or "__proto__" are unknown, not inherited.
    if (typeof record.family !== 'string' || !Object.hasOwn(families, record.family)) {
      throw new MimicError(`${where}: family must be one of ${known}, got ${JSON.stringify(record.family)}`);
    }
    const family = families[record.family];
    for (const [name, value] of Object.entries(record)) {
      if (name === 'family') continue;
      if (!Object.hasOwn(family.fields, name)) {
        throw new MimicError(`${where}: unknown field "${name}" for family ${record.family}; known fields: ${Object.keys(family.fields).join(', ')}`);
      }
      const field = family.fields[name];
      checkField(where, name, field, value);
    }
    return { ...family.defaults, ...record } as unknown as ModelSpec;
  });
  // The kNN family is fitted as one group that may not list a model twice.
  const seen = new Map<string, number>();
  specs.forEach((spec, i) => {
    if (spec.family !== 'knn') return;
    const key = `k=${spec.k} ${spec.weighting}`;
    const first = seen.get(key);
    if (first !== undefined) throw new MimicError(`${source}, model ${i + 1}: knn ${key} is already model ${first + 1}; list each k and weighting once`);
    seen.set(key, i);
  });
  return specs;
}
