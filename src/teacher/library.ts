import type { Tensor } from '../gpu/tensor.js';
import type { FitData, ModelFamily, TeacherModel } from '../models/model.js';
import { fitNeuralModel, neuralName, type EpochListener, type NeuralSpec } from '../models/neural.js';
import { fitTreeModel } from '../models/trees/model.js';
import type { TreeSpec } from '../models/trees/spec.js';

/** How to fit one library model. */
export type ModelSpec = NeuralSpec | TreeSpec;

function isNeural(spec: ModelSpec): spec is NeuralSpec {
  return spec.family === 'mlp' || spec.family === 'logistic' || spec.family === 'rff';
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
  // Each tree fit resolves to its model and the wall time from its start to its end; tree fits
  // overlap, so these times add up to more than the library's.
  const treeFits = new Map<ModelSpec, Promise<{ model: TeacherModel; seconds: number }>>();
  for (const spec of specs) {
    if (isNeural(spec)) continue;
    const started = performance.now();
    const fit = fitTreeModel(data, spec).then((model) => ({ model, seconds: (performance.now() - started) / 1000 }));
    // Failures are raised when the library reaches this spec; until then the rejection is held here.
    fit.catch(() => {});
    treeFits.set(spec, fit);
  }
  try {
    for (const spec of specs) {
      const started = performance.now();
      let model: TeacherModel;
      let seconds: number;
      if (isNeural(spec)) {
        const name = neuralName(spec);
        model = await fitNeuralModel(data, spec, (report) => hooks.onEpoch?.(name, report));
        seconds = (performance.now() - started) / 1000;
      } else {
        ({ model, seconds } = await treeFits.get(spec)!);
      }
      const validationTensor = model.predict(data.validation.x);
      const testTensor = model.predict(test);
      const [validation, testValues] = await Promise.all([engine.read(validationTensor), engine.read(testTensor)]);
      validationTensor.release();
      testTensor.release();
      const entry = { model, validation, test: testValues, seconds };
      entries.push(entry);
      hooks.onModel?.({ done: entries.length, total: specs.length, entry });
    }
  } catch (error) {
    for (const e of entries) e.model.release();
    // Tree fits still running are released when they finish.
    for (const fit of treeFits.values()) fit.then(({ model }) => model.release(), () => {});
    throw error;
  }
  return entries;
}
