import type { Encoder } from '../data/encode.js';
import type { ExportedLayer } from '../models/mlp.js';
import { base64ToFloat32, float32ToBase64 } from './base64.js';

/**
 * The student file: everything needed to predict from raw rows, as JSON. Weights are base64 of
 * little-endian f32, layer by layer: weights are inputs x outputs row-major, then the bias.
 */
export interface StudentFile {
  format: 'webgpu-mimic-student';
  version: 1;
  problem: { name: string; target: string; classes: string[]; positive: string[] };
  encoder: Encoder;
  layers: Array<{ inputs: number; outputs: number; activation: 'relu' | 'identity'; weights: string; bias: string }>;
  /** Provenance (data sizes, seed, MUNGE settings, adapter), unused by the runtime. */
  provenance: Record<string, unknown>;
}

export interface StudentSource {
  problem: string;
  target: string;
  classes: string[];
  positive: string[];
  student: { encoder: Encoder; layers: ExportedLayer[]; hidden: number; validationRmse: number; epochs: number };
  rows: Record<string, number>;
  options: { seed: number; pseudo: number; swapProbability: number; spread: number; loss: string };
  adapter: string;
}

export function serializeStudent(source: StudentSource): string {
  const file: StudentFile = {
    format: 'webgpu-mimic-student',
    version: 1,
    problem: { name: source.problem, target: source.target, classes: source.classes, positive: source.positive },
    encoder: source.student.encoder,
    layers: source.student.layers.map((layer) => ({
      inputs: layer.inputs,
      outputs: layer.outputs,
      activation: layer.activation,
      weights: float32ToBase64(layer.weights),
      bias: float32ToBase64(layer.bias),
    })),
    provenance: {
      tool: 'webgpu-mimic',
      rows: source.rows,
      seed: source.options.seed,
      pseudo: source.options.pseudo,
      munge: { p: source.options.swapProbability, s: source.options.spread },
      loss: source.options.loss,
      validationRmse: source.student.validationRmse,
      epochs: source.student.epochs,
      adapter: source.adapter,
    },
  };
  return JSON.stringify(file) + '\n';
}

/** A parsed student: layers with their weights decoded. */
export interface StudentModel {
  problem: StudentFile['problem'];
  encoder: Encoder;
  layers: ExportedLayer[];
}

/** Parses and checks a student file, and throws an Error that names what is wrong with it. */
export function parseStudent(text: string): StudentModel {
  let file: StudentFile;
  try {
    file = JSON.parse(text);
  } catch (error) {
    throw new Error(`student file is not valid JSON: ${(error as Error).message}`);
  }
  if (file?.format !== 'webgpu-mimic-student') throw new Error('not a webgpu-mimic student file (format field missing or different)');
  if (file.version !== 1) throw new Error(`student file version ${file.version} is not supported; this runtime reads version 1`);
  const layers = file.layers.map((layer, l) => {
    const weights = base64ToFloat32(layer.weights);
    const bias = base64ToFloat32(layer.bias);
    if (weights.length !== layer.inputs * layer.outputs || bias.length !== layer.outputs) {
      throw new Error(`student file layer ${l}: expected ${layer.inputs}x${layer.outputs} weights and ${layer.outputs} biases`);
    }
    return { inputs: layer.inputs, outputs: layer.outputs, activation: layer.activation, weights, bias };
  });
  if (layers[0]?.inputs !== file.encoder.width) throw new Error(`student file: first layer takes ${layers[0]?.inputs} inputs but the encoder makes ${file.encoder.width}`);
  return { problem: file.problem, encoder: file.encoder, layers };
}
