import type { Engine } from './engine.js';

export type DType = 'f32' | 'u32';

/**
 * A GPU-resident matrix of 32-bit values, row-major, `rows x cols`. A tensor either owns a buffer
 * from the engine's pool (returned by `release()`) or is a view into another tensor's buffer.
 */
export class Tensor {
  private released = false;

  constructor(
    readonly engine: Engine,
    readonly buffer: GPUBuffer,
    readonly byteOffset: number,
    readonly rows: number,
    readonly cols: number,
    readonly dtype: DType,
    private readonly ownsBuffer: boolean,
  ) {}

  get length(): number {
    return this.rows * this.cols;
  }

  get byteLength(): number {
    return this.length * 4;
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /**
   * Returns a view of `count` rows from `start`, sharing this tensor's buffer. WebGPU requires
   * binding offsets to be multiples of minStorageBufferOffsetAlignment (256 bytes on most adapters).
   */
  rowsView(start: number, count: number): Tensor {
    if (start < 0 || count < 0 || start + count > this.rows) {
      throw new RangeError(`rows ${start}..${start + count} are outside a tensor of ${this.rows} rows`);
    }
    const byteOffset = this.byteOffset + start * this.cols * 4;
    if (byteOffset % this.engine.limits.minStorageBufferOffsetAlignment !== 0) {
      throw new RangeError(`row ${start} starts at byte ${byteOffset}, which is not aligned for binding`);
    }
    return new Tensor(this.engine, this.buffer, byteOffset, count, this.cols, this.dtype, false);
  }

  /**
   * Returns a `rows x cols` view of this tensor's values starting at value `offset`, for packing
   * several matrices into one buffer. The byte offset must be aligned for binding.
   */
  view(offset: number, rows: number, cols: number): Tensor {
    if (offset < 0 || offset + rows * cols > this.length) {
      throw new RangeError(`a ${rows}x${cols} view at ${offset} does not fit in a ${this.rows}x${this.cols} tensor`);
    }
    const byteOffset = this.byteOffset + offset * 4;
    if (byteOffset % this.engine.limits.minStorageBufferOffsetAlignment !== 0) {
      throw new RangeError(`a view at byte ${byteOffset} is not aligned for binding`);
    }
    return new Tensor(this.engine, this.buffer, byteOffset, rows, cols, this.dtype, false);
  }

  /** Returns the buffer to the engine's pool. Views release nothing. */
  release(): void {
    if (this.released || !this.ownsBuffer) return;
    this.released = true;
    this.engine.pool.release(this.buffer);
  }
}
