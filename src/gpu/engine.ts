import { MimicError } from '../errors.js';
import { acquireDevice, type DeviceOptions } from './device.js';
import { Kernel, Program, type ShaderInfo } from './kernel.js';
import { BufferPool } from './pool.js';
import { Tensor, type DType } from './tensor.js';

export interface EngineOptions extends DeviceOptions {
  /**
   * Byte cap on one storage binding, below the device's own maxStorageBufferBindingSize. Kernels
   * split their inputs into row chunks that fit it, and a dispatch that binds more fails. Dawn 0.6.2
   * keeps its default of 128 MiB when a device is requested with a lower limit, so the engine
   * enforces the cap itself. Tests use it to exercise chunking without gigabyte buffers.
   */
  maxStorageBufferBindingSize?: number;
}

/**
 * The GPU context every kernel runs in: one device, a buffer pool, and the compiled kernels.
 * Create it with `createEngine()` and call `destroy()` when done; it releases every GPU resource it
 * made, and destroys the device only if it created it.
 */
export class Engine {
  readonly pool: BufferPool;
  /** Most bytes one storage binding may cover: the device limit, or the lower cap from the options. */
  readonly maxStorageBufferBindingSize: number;
  /** Invocations per subgroup when kernels may use subgroup operations, else undefined. */
  readonly subgroupSize: number | undefined;
  private readonly kernels = new Map<ShaderInfo, Kernel>();
  private lostMessage: string | undefined;
  private firstError: string | undefined;
  private destroyed = false;

  private constructor(
    readonly device: GPUDevice,
    readonly adapterName: string,
    private readonly ownsDevice: boolean,
    private readonly releaseSource: () => void,
    bindingCap: number,
    subgroupSize: number | undefined,
  ) {
    this.maxStorageBufferBindingSize = Math.min(bindingCap, device.limits.maxStorageBufferBindingSize);
    this.subgroupSize = subgroupSize;
    this.pool = new BufferPool(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    device.lost.then((info) => {
      if (!this.destroyed) this.lostMessage = `${info.reason ?? 'unknown'}: ${info.message}`;
    });
    device.addEventListener('uncapturederror', (event) => {
      const message = (event as GPUUncapturedErrorEvent).error.message;
      this.firstError ??= message;
    });
  }

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const cap = options.maxStorageBufferBindingSize ?? Infinity;
    if (cap !== Infinity && (!Number.isInteger(cap) || cap < 4 || cap % 4 !== 0)) {
      throw new RangeError(`maxStorageBufferBindingSize must be a positive multiple of 4 bytes, got ${cap}`);
    }
    const acquired = await acquireDevice(options);
    return new Engine(acquired.device, acquired.adapterName, acquired.owned, acquired.release, cap, acquired.subgroupSize);
  }

  private placeholderTensor: Tensor | undefined;

  /** A small tensor bound where a shader declares a binding that a call does not use. */
  get placeholder(): Tensor {
    this.placeholderTensor ??= this.tensor(1, 4, new Float32Array(4));
    return this.placeholderTensor;
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Throws a clear error if the device was lost or a GPU command failed validation. */
  checkHealthy(): void {
    if (this.destroyed) throw new Error('the engine was used after destroy()');
    if (this.lostMessage) {
      throw new MimicError(
        `The GPU device was lost (${this.lostMessage}). Results written so far are kept; rerun the command, and if it happens again, reduce --pseudo or --hidden.`,
      );
    }
    if (this.firstError) {
      const message = this.firstError;
      this.firstError = undefined;
      throw new Error(`WebGPU validation error: ${message}`);
    }
  }

  kernel(shader: ShaderInfo): Kernel {
    let kernel = this.kernels.get(shader);
    if (!kernel) {
      kernel = new Kernel(this.device, shader);
      this.kernels.set(shader, kernel);
    }
    return kernel;
  }

  /** Allocates a `rows x cols` tensor from the pool, filled with `data` when given. */
  tensor(rows: number, cols: number, data?: Float32Array | Uint32Array, dtype: DType = 'f32'): Tensor {
    this.checkHealthy();
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new RangeError(`invalid tensor shape ${rows}x${cols}`);
    }
    // A tensor may be larger than one storage binding: matmul, pairwiseDistance and nearestNeighbour
    // bind it in row chunks, and other kernels reject it when they record a dispatch.
    // NOTE: a tensor is one GPUBuffer, so maxBufferSize still bounds it; nothing splits one tensor
    // over several buffers.
    const byteLength = rows * cols * 4;
    if (byteLength > this.limits.maxBufferSize) {
      throw new MimicError(
        `A ${rows}x${cols} matrix needs ${byteLength} bytes, more than the largest buffer this adapter allows (maxBufferSize ${this.limits.maxBufferSize}). Use fewer rows (for example a smaller --pseudo).`,
      );
    }
    const tensor = new Tensor(this, this.pool.acquire(byteLength), 0, rows, cols, dtype, true);
    if (data) this.write(tensor, data);
    return tensor;
  }

  tensorU32(rows: number, cols: number, data?: Uint32Array): Tensor {
    return this.tensor(rows, cols, data, 'u32');
  }

  write(tensor: Tensor, data: Float32Array | Uint32Array, rowOffset = 0): void {
    if (rowOffset * tensor.cols + data.length > tensor.length) {
      throw new RangeError(`writing ${data.length} values at row ${rowOffset} overflows a ${tensor.rows}x${tensor.cols} tensor`);
    }
    this.device.queue.writeBuffer(tensor.buffer, tensor.byteOffset + rowOffset * tensor.cols * 4, data.buffer, data.byteOffset, data.byteLength);
  }

  program(): Program {
    return new Program(this);
  }

  /** Submits the programs in order, in one command buffer. */
  run(...programs: Program[]): void {
    this.checkHealthy();
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const program of programs) program.encode(pass);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  /** Records with `record`, runs once and frees the program's uniforms. */
  runOnce(record: (program: Program) => void): void {
    const program = this.program();
    record(program);
    this.run(program);
    program.destroy();
  }

  /** Copies a tensor into another of the same size, after all work submitted before. */
  copy(source: Tensor, target: Tensor): void {
    if (source.byteLength !== target.byteLength) {
      throw new RangeError(`cannot copy ${source.rows}x${source.cols} into ${target.rows}x${target.cols}`);
    }
    this.copyRows(source, target, 0);
  }

  /** Copies every row of `source` into `target` from row `at` on; both must be equally wide. */
  copyRows(source: Tensor, target: Tensor, at: number): void {
    if (source.cols !== target.cols && source.rows !== 1) {
      throw new RangeError(`cannot copy rows ${source.cols} wide into rows ${target.cols} wide`);
    }
    if (at * target.cols + source.length > target.length) {
      throw new RangeError(`${source.rows} rows from row ${at} overflow a tensor of ${target.rows} rows`);
    }
    this.checkHealthy();
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(source.buffer, source.byteOffset, target.buffer, target.byteOffset + at * target.cols * 4, source.byteLength);
    this.device.queue.submit([encoder.finish()]);
  }

  private async readBytes(tensor: Tensor): Promise<ArrayBuffer> {
    this.checkHealthy();
    const size = Math.ceil(tensor.byteLength / 4) * 4;
    const staging = this.device.createBuffer({ size: Math.max(4, size), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const encoder = this.device.createCommandEncoder();
      if (size > 0) encoder.copyBufferToBuffer(tensor.buffer, tensor.byteOffset, staging, 0, size);
      this.device.queue.submit([encoder.finish()]);
      try {
        await staging.mapAsync(GPUMapMode.READ);
      } catch (error) {
        this.checkHealthy();
        throw error;
      }
      this.checkHealthy();
      return staging.getMappedRange().slice(0, tensor.byteLength);
    } finally {
      staging.destroy();
    }
  }

  /** Reads rows start .. start + count - 1 of a tensor back to the CPU, at any row offset. */
  async readRows(tensor: Tensor, start: number, count: number): Promise<Float32Array> {
    if (start < 0 || count < 0 || start + count > tensor.rows) {
      throw new RangeError(`rows ${start}..${start + count} are outside a tensor of ${tensor.rows} rows`);
    }
    const part = this.tensor(count, tensor.cols);
    try {
      const encoder = this.device.createCommandEncoder();
      encoder.copyBufferToBuffer(tensor.buffer, tensor.byteOffset + start * tensor.cols * 4, part.buffer, 0, part.byteLength);
      this.device.queue.submit([encoder.finish()]);
      return await this.read(part);
    } finally {
      part.release();
    }
  }

  /** Reads a tensor back to the CPU; waits for all work submitted before it. */
  async read(tensor: Tensor): Promise<Float32Array> {
    if (tensor.dtype !== 'f32') throw new TypeError('read() expects an f32 tensor; use readU32()');
    return new Float32Array(await this.readBytes(tensor));
  }

  async readU32(tensor: Tensor): Promise<Uint32Array> {
    if (tensor.dtype !== 'u32') throw new TypeError('readU32() expects a u32 tensor');
    return new Uint32Array(await this.readBytes(tensor));
  }

  /** Resolves when the GPU has finished all submitted work. */
  async finish(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.checkHealthy();
  }

  /** Releases every buffer and, if the engine created the device, destroys it. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pool.destroy();
    this.placeholderTensor = undefined;
    this.kernels.clear();
    if (this.ownsDevice) this.device.destroy();
    this.releaseSource();
  }
}

/** Creates an engine on the caller's device, the browser's WebGPU, or Dawn in Node. */
export function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return Engine.create(options);
}
