import { MimicError } from '../errors.js';
import type { Engine } from '../gpu/engine.js';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { probabilities } from '../kernels/loss.js';
import { matmul } from '../kernels/matmul.js';
import { fillRandom } from '../kernels/random.js';

/** Layer widths of a fully connected net with ReLU hidden layers and linear output logits. */
export interface MlpArchitecture {
  inputs: number;
  hidden: number[];
  /** 1 for a binary problem (logit of the positive class), else the number of classes. */
  outputs: number;
}

/** Offsets of one layer's weights (inputs x outputs, row-major) and bias in the flat buffer. */
export interface LayerSlot {
  inputs: number;
  outputs: number;
  weightOffset: number;
  biasOffset: number;
}

/** The weights of one layer, copied to the CPU for export. */
export interface ExportedLayer {
  inputs: number;
  outputs: number;
  activation: 'relu' | 'identity';
  weights: Float32Array;
  bias: Float32Array;
}

/** Rows per forward pass when predicting, bounding activation memory at rows x widest layer. */
const predictChunkRows = 16384;

/**
 * A multilayer perceptron whose parameters live in one flat GPU buffer, so that one Adam dispatch
 * updates all of them and one copy snapshots them. Each layer's weights start at an offset aligned
 * for storage binding, and layers are bound as views into the buffer.
 */
export class Mlp {
  readonly slots: LayerSlot[];
  /** Floats in the flat buffer, alignment padding included. */
  readonly bufferLength: number;
  /** Trainable values: weights and biases, padding excluded. */
  readonly parameterCount: number;

  private constructor(
    readonly engine: Engine,
    readonly architecture: MlpArchitecture,
    readonly parameters: Tensor,
    slots: LayerSlot[],
    bufferLength: number,
  ) {
    this.slots = slots;
    this.bufferLength = bufferLength;
    this.parameterCount = slots.reduce((sum, s) => sum + s.inputs * s.outputs + s.outputs, 0);
  }

  /** Computes the flat-buffer layout of an architecture for a given binding alignment in floats. */
  static layout(architecture: MlpArchitecture, alignFloats: number): { slots: LayerSlot[]; length: number } {
    const widths = [architecture.inputs, ...architecture.hidden, architecture.outputs];
    const align = (n: number) => Math.ceil(n / alignFloats) * alignFloats;
    const slots: LayerSlot[] = [];
    let at = 0;
    for (let l = 0; l + 1 < widths.length; l++) {
      const inputs = widths[l];
      const outputs = widths[l + 1];
      const weightOffset = at;
      const biasOffset = align(weightOffset + inputs * outputs);
      at = align(biasOffset + outputs);
      slots.push({ inputs, outputs, weightOffset, biasOffset });
    }
    return { slots, length: at };
  }

  /** Allocates an MLP with He-normal hidden weights, LeCun-normal output weights and zero biases. */
  static create(engine: Engine, architecture: MlpArchitecture, seed: number): Mlp {
    for (const width of [architecture.inputs, ...architecture.hidden, architecture.outputs]) {
      if (!Number.isInteger(width) || width < 1) throw new RangeError(`layer widths must be positive integers, got ${width}`);
    }
    const alignFloats = engine.limits.minStorageBufferOffsetAlignment / 4;
    const { slots, length } = Mlp.layout(architecture, alignFloats);
    // Adam updates every parameter in one dispatch, so the flat buffer is bound whole.
    if (length * 4 > engine.maxStorageBufferBindingSize) {
      const widths = [architecture.inputs, ...architecture.hidden, architecture.outputs].join('x');
      throw new MimicError(
        `an MLP with layers ${widths} has ${length * 4} bytes of parameters, more than the largest storage binding (${engine.maxStorageBufferBindingSize} bytes); use narrower or fewer hidden layers`,
      );
    }
    const parameters = engine.tensor(1, length, new Float32Array(length));
    const mlp = new Mlp(engine, architecture, parameters, slots, length);

    engine.runOnce((program) => {
      slots.forEach((slot, l) => {
        const isOutput = l === slots.length - 1;
        const std = Math.sqrt((isOutput ? 1 : 2) / slot.inputs);
        fillRandom(program, mlp.weights(l), { seed, stream: 0x1000 + l, distribution: 'normal', scale: std });
      });
    });
    return mlp;
  }

  /** Uploads exported layers (from `export()` or a student file) into a new MLP on `engine`. */
  static fromLayers(engine: Engine, layers: ExportedLayer[]): Mlp {
    const architecture = {
      inputs: layers[0].inputs,
      hidden: layers.slice(0, -1).map((layer) => layer.outputs),
      outputs: layers[layers.length - 1].outputs,
    };
    const { slots, length } = Mlp.layout(architecture, engine.limits.minStorageBufferOffsetAlignment / 4);
    const flat = new Float32Array(length);
    slots.forEach((slot, l) => {
      if (layers[l].inputs !== slot.inputs || layers[l].weights.length !== slot.inputs * slot.outputs) {
        throw new RangeError(`layer ${l} does not connect to the layer before it`);
      }
      flat.set(layers[l].weights, slot.weightOffset);
      flat.set(layers[l].bias, slot.biasOffset);
    });
    return new Mlp(engine, architecture, engine.tensor(1, length, flat), slots, length);
  }

  /** Weights of layer `l` as an inputs x outputs view of `buffer` (the parameters by default). */
  weights(l: number, buffer: Tensor = this.parameters): Tensor {
    const slot = this.slots[l];
    return buffer.view(slot.weightOffset, slot.inputs, slot.outputs);
  }

  bias(l: number, buffer: Tensor = this.parameters): Tensor {
    const slot = this.slots[l];
    return buffer.view(slot.biasOffset, 1, slot.outputs);
  }

  /** Size of the model stored as f32 values. */
  get bytes(): number {
    return this.parameterCount * 4;
  }

  /** Widest layer output, for sizing activation buffers. */
  get maxWidth(): number {
    return Math.max(...this.architecture.hidden, this.architecture.outputs);
  }

  /**
   * Records the forward pass of `x` (rows x inputs). `activations[l]` receives layer l's output,
   * rows x width; the last one receives the logits.
   */
  forward(program: Program, x: Tensor, activations: Tensor[]): void {
    let input = x;
    this.slots.forEach((slot, l) => {
      const isOutput = l === this.slots.length - 1;
      matmul(program, input, this.weights(l), activations[l], { bias: this.bias(l), activation: isOutput ? 'identity' : 'relu' });
      input = activations[l];
    });
  }

  /** Allocates activation tensors for `rows` rows, one per layer. */
  allocateActivations(rows: number): Tensor[] {
    return this.slots.map((slot) => this.engine.tensor(rows, slot.outputs));
  }

  /**
   * Records probabilities for `x` into `out` (rows x outputs), in chunks that bound memory.
   * Returns the temporary tensors, to be released after the program has run.
   */
  recordPredict(program: Program, x: Tensor, out: Tensor): Tensor[] {
    // Wide layers get fewer rows per chunk so that one activation matrix fits a binding. Chunks
    // stay a multiple of 64 rows, which keeps every row view aligned.
    const bindingRows = Math.floor(this.engine.maxStorageBufferBindingSize / (4 * this.maxWidth) / 64) * 64;
    const chunk = Math.min(predictChunkRows, Math.max(64, bindingRows), x.rows);
    const activations = this.allocateActivations(chunk);
    for (let start = 0; start < x.rows; start += chunk) {
      const rows = Math.min(chunk, x.rows - start);
      const views = activations.map((a) => (rows === chunk ? a : a.rowsView(0, rows)));
      this.forward(program, x.rowsView(start, rows), views);
      probabilities(program, views[views.length - 1], out.rowsView(start, rows));
    }
    return activations;
  }

  /** Returns probabilities (rows x outputs) for `x` as a GPU tensor owned by the caller. */
  predict(x: Tensor): Tensor {
    const out = this.engine.tensor(x.rows, this.architecture.outputs);
    const program = this.engine.program();
    const temporaries = this.recordPredict(program, x, out);
    this.engine.run(program);
    program.destroy();
    for (const t of temporaries) t.release();
    return out;
  }

  /** Copies every layer to the CPU. */
  async export(): Promise<ExportedLayer[]> {
    const flat = await this.engine.read(this.parameters);
    return this.slots.map((slot, l) => ({
      inputs: slot.inputs,
      outputs: slot.outputs,
      activation: l === this.slots.length - 1 ? 'identity' : 'relu',
      weights: flat.slice(slot.weightOffset, slot.weightOffset + slot.inputs * slot.outputs),
      bias: flat.slice(slot.biasOffset, slot.biasOffset + slot.outputs),
    }));
  }

  release(): void {
    this.parameters.release();
  }
}
