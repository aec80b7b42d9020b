import type { FitData, ModelFamily, TeacherModel } from '../models/model.js';
import { fitNeuralModel, neuralName, type EpochListener, type NeuralSpec } from '../models/neural.js';

/** How to fit one library model. */
export type ModelSpec = NeuralSpec;

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

/** Returns a spec's model name without fitting it, for messages and configuration checks. */
export function specName(spec: ModelSpec): string {
  return neuralName(spec);
}

export function specFamily(spec: ModelSpec): ModelFamily {
  return spec.family;
}

/**
 * Fits every spec on `data` and predicts the validation and `test` rows with each model. Models
 * stay on the GPU for the ensemble; on failure every model fitted so far is released.
 */
export async function fitLibrary(data: FitData, test: import('../gpu/tensor.js').Tensor, specs: ModelSpec[], hooks: LibraryHooks = {}): Promise<LibraryEntry[]> {
  const { engine } = data;
  const entries: LibraryEntry[] = [];
  try {
    for (const spec of specs) {
      const started = performance.now();
      const name = specName(spec);
      const model = await fitNeuralModel(data, spec, (report) => hooks.onEpoch?.(name, report));
      const seconds = (performance.now() - started) / 1000;
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
    throw error;
  }
  return entries;
}
