/**
 * The student runtime: loads a student file and predicts, in plain JavaScript or on WebGPU with a
 * GPUDevice the caller owns, with no training code, for embedding in applications.
 *
 *   const student = loadStudent(await (await fetch('student.json')).text());
 *   const p = student.predict([{ 'x.box': 2, 'y.box': 8, ... }]);   // probabilities, rows x outputs
 *   const gpu = await student.onDevice(device);                      // same, on the GPU
 *   const q = await gpu.predict(records);
 */
import { encodeRecord } from '../data/encode.js';
import { parseStudent, type StudentModel } from '../export/student_file.js';
import { Engine } from '../gpu/engine.js';
import { Mlp } from '../models/mlp.js';

export type StudentRecord = Record<string, string | number | null | undefined>;

export interface Student {
  readonly model: StudentModel;
  /** Columns per row of `predict`'s result: 1 (probability of the positive class) or the class count. */
  readonly outputs: number;
  /** Class names in output order; for a binary student, [negative, positive]. */
  readonly classes: string[];
  /** Probabilities for raw rows, encoded as in training: rows x outputs, row-major. */
  predict(records: StudentRecord[]): Float32Array;
  /** Probabilities for rows already encoded: `x` is rows x inputs, row-major. */
  predictEncoded(x: Float32Array): Float32Array;
  /** Uploads the student to the caller's device for GPU predictions. */
  onDevice(device: GPUDevice): Promise<GpuStudent>;
}

/** A student on the caller's GPUDevice; `destroy()` frees its buffers and leaves the device. */
export interface GpuStudent {
  predict(records: StudentRecord[]): Promise<Float32Array>;
  predictEncoded(x: Float32Array): Promise<Float32Array>;
  destroy(): void;
}

function encodeAll(model: StudentModel, records: StudentRecord[]): Float32Array {
  const width = model.encoder.width;
  const x = new Float32Array(records.length * width);
  records.forEach((record, r) => encodeRecord(model.encoder, record, x.subarray(r * width, (r + 1) * width)));
  return x;
}

async function uploadStudent(model: StudentModel, device: GPUDevice): Promise<GpuStudent> {
  const engine = await Engine.create({ device });
  const mlp = Mlp.fromLayers(engine, model.layers);
  const predictEncoded = async (x: Float32Array) => {
    const rows = x.length / model.encoder.width;
    if (!Number.isInteger(rows)) throw new RangeError(`input has ${x.length} values, not a multiple of ${model.encoder.width} inputs`);
    if (rows === 0) return new Float32Array(0);
    const input = engine.tensor(rows, model.encoder.width, x);
    const output = mlp.predict(input);
    try {
      return await engine.read(output);
    } finally {
      input.release();
      output.release();
    }
  };
  return {
    predictEncoded,
    predict: (records) => predictEncoded(encodeAll(model, records)),
    destroy: () => engine.destroy(),
  };
}

/**
 * Runs the student's layers on the CPU, accumulating in f32 like the GPU kernels do, so results
 * agree with the engine to about 1e-6.
 *   x: rows x inputs -> rows x outputs probabilities
 */
function forward(model: StudentModel, x: Float32Array): Float32Array {
  const inputs = model.layers[0].inputs;
  if (x.length % inputs !== 0) throw new RangeError(`input has ${x.length} values, not a multiple of ${inputs} inputs`);
  const rows = x.length / inputs;
  let current = x;
  for (const layer of model.layers) {
    const next = new Float32Array(rows * layer.outputs);
    for (let r = 0; r < rows; r++) {
      const row = r * layer.inputs;
      const out = r * layer.outputs;
      for (let j = 0; j < layer.outputs; j++) next[out + j] = 0;
      for (let i = 0; i < layer.inputs; i++) {
        const value = current[row + i];
        if (value === 0) continue;
        const w = i * layer.outputs;
        for (let j = 0; j < layer.outputs; j++) next[out + j] += value * layer.weights[w + j];
      }
      for (let j = 0; j < layer.outputs; j++) {
        const z = next[out + j] + layer.bias[j];
        next[out + j] = layer.activation === 'relu' ? Math.max(z, 0) : z;
      }
    }
    current = next;
  }
  return toProbabilities(current, model.layers[model.layers.length - 1].outputs);
}

function toProbabilities(logits: Float32Array, outputs: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length / outputs; r++) {
    const base = r * outputs;
    if (outputs === 1) {
      out[base] = 1 / (1 + Math.exp(-logits[base]));
      continue;
    }
    let top = -Infinity;
    for (let j = 0; j < outputs; j++) top = Math.max(top, logits[base + j]);
    let sum = 0;
    for (let j = 0; j < outputs; j++) sum += Math.exp(logits[base + j] - top);
    for (let j = 0; j < outputs; j++) out[base + j] = Math.exp(logits[base + j] - top) / sum;
  }
  return out;
}

/** Parses a student file (the JSON text `mimic compress` writes) into a predictor. */
export function loadStudent(text: string): Student {
  const model = parseStudent(text);
  const outputs = model.layers[model.layers.length - 1].outputs;
  return {
    model,
    outputs,
    classes: model.problem.classes,
    predictEncoded: (x) => forward(model, x),
    predict: (records) => forward(model, encodeAll(model, records)),
    onDevice: (device) => uploadStudent(model, device),
  };
}
