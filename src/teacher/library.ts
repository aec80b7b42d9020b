import type { Tensor } from '../gpu/tensor.js';
import type { FitData, ModelFamily, TeacherModel } from '../models/model.js';
import { fitNeuralModel, neuralName, type EpochListener, type NeuralSpec } from '../models/neural.js';
import { fitTreeModel } from '../models/trees/model.js';
import type { TreeSpec } from '../models/trees/spec.js';
import { fitKnnModels, type KnnSpec } from '../models/knn.js';
import { fitNaiveBayes, type NaiveBayesSpec } from '../models/naive_bayes.js';

/** A kNN model in the library. */
export type KnnLibrarySpec = { family: 'knn' } & KnnSpec;

/** A naive Bayes model in the library. */
export type NaiveBayesLibrarySpec = { family: 'naive-bayes' } & NaiveBayesSpec;

/** How to fit one library model. */
export type ModelSpec = NeuralSpec | TreeSpec | KnnLibrarySpec | NaiveBayesLibrarySpec;

export function isNeural(spec: ModelSpec): spec is NeuralSpec {
  return spec.family === 'mlp' || spec.family === 'logistic' || spec.family === 'rff';
}

export function isTree(spec: ModelSpec): spec is TreeSpec {
  return spec.family === 'tree' || spec.family === 'random-forest' || spec.family === 'extra-trees' || spec.family === 'boosted-trees';
}

/** A fitted library model with its probabilities for the validation and test rows (CPU copies). */
export interface LibraryEntry {
  model: TeacherModel;
  /** V x outputs. */
  validation: Float32Array;
  /** T x outputs. */
  test: Float32Array;
  /** Wall time of the fit, in seconds. */
  seconds: number;
}

/** Progress of the library's fit, one event per finished model. */
export interface LibraryProgress {
  done: number;
  total: number;
  entry: LibraryEntry;
}

export interface LibraryHooks {
  onModel?: (progress: LibraryProgress) => void;
  onEpoch?: (name: string, report: Parameters<EpochListener>[0]) => void;
}

/**
 * Fits every spec on `data` and predicts the validation and `test` rows with each model. Tree
 * models train on the CPU in workers, so they all start first and train while the GPU fits the
 * other families. Models stay on the GPU for the ensemble; on failure every model fitted so far is
 * released.
 */
export async function fitLibrary(data: FitData, test: Tensor, specs: ModelSpec[], hooks: LibraryHooks = {}): Promise<LibraryEntry[]> {
  const { engine } = data;
  const entries: LibraryEntry[] = [];
  // Each tree fit resolves to its model and its own wall time. Tree fits overlap, so their times
  // add up to more than the library's.
  const treeFits = new Map<ModelSpec, Promise<{ model: TeacherModel; seconds: number }>>();
  for (const spec of specs) {
    if (!isTree(spec)) continue;
    const started = performance.now();
    const fit = fitTreeModel(data, spec).then((model) => ({ model, seconds: (performance.now() - started) / 1000 }));
    // Failures are raised when the library reaches this spec; until then the rejection is held here.
    fit.catch(() => {});
    treeFits.set(spec, fit);
  }
  const knnSpecs = specs.filter((spec): spec is KnnLibrarySpec => spec.family === 'knn');
  let knnFamily: Map<ModelSpec, TeacherModel> | undefined;

  // Predicts the validation and then the test rows with every model of a group, in that order,
  // so that kNN models sharing one neighbour index search each row set once.
  const add = async (group: Array<{ model: TeacherModel; seconds: number }>) => {
    const validations = group.map(({ model }) => model.predict(data.validation.x));
    const validationValues = await Promise.all(validations.map((t) => engine.read(t)));
    const tests = group.map(({ model }) => model.predict(test));
    const testValues = await Promise.all(tests.map((t) => engine.read(t)));
    for (const t of [...validations, ...tests]) t.release();
    group.forEach(({ model, seconds }, i) => {
      const entry = { model, validation: validationValues[i], test: testValues[i], seconds };
      entries.push(entry);
      hooks.onModel?.({ done: entries.length, total: specs.length, entry });
    });
  };

  try {
    for (const spec of specs) {
      const started = performance.now();
      if (isNeural(spec)) {
        const name = neuralName(spec);
        const model = await fitNeuralModel(data, spec, (report) => hooks.onEpoch?.(name, report));
        await add([{ model, seconds: (performance.now() - started) / 1000 }]);
      } else if (isTree(spec)) {
        await add([await treeFits.get(spec)!]);
      } else if (spec.family === 'naive-bayes') {
        const model = fitNaiveBayes(data, spec);
        await add([{ model, seconds: (performance.now() - started) / 1000 }]);
      } else if (knnFamily === undefined) {
        // The whole kNN family is fitted, and predicts, where its first spec is listed.
        const models = fitKnnModels(data, knnSpecs);
        knnFamily = new Map(knnSpecs.map((s, i) => [s, models[i]]));
        const seconds = (performance.now() - started) / 1000;
        await add(models.map((model) => ({ model, seconds: seconds / models.length })));
      }
    }
  } catch (error) {
    const added = new Set(entries.map((e) => e.model));
    for (const model of added) model.release();
    for (const model of knnFamily?.values() ?? []) if (!added.has(model)) model.release();
    // Tree fits still running are released when they finish.
    for (const fit of treeFits.values()) fit.then(({ model }) => model.release(), () => {});
    throw error;
  }
  return entries;
}
