import { MimicError } from '../errors.js';
import type { Engine } from '../gpu/engine.js';
import { linearGrid } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';

/** Workgroups for a kernel with 64 invocations per group over `count` items (2-D when large). */
export function grid64(engine: Engine, count: number): [number, number, number] {
  return linearGrid(Math.ceil(count / 64), engine.limits.maxComputeWorkgroupsPerDimension);
}

function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Returns how many rows to bind per chunk when a kernel walks tensors of the given row widths (in
 * 32-bit values) in row chunks. That is the most rows that fit one storage binding at every width,
 * rounded down so that each chunk's byte offset stays a multiple of minStorageBufferOffsetAlignment.
 * Returns `rows` when everything fits at once.
 */
export function bindingRowChunk(engine: Engine, kernel: string, rows: number, widths: number[]): number {
  const limit = engine.maxStorageBufferBindingSize;
  const alignment = engine.limits.minStorageBufferOffsetAlignment;
  const widest = Math.max(...widths);
  if (rows * widest * 4 <= limit) return rows;

  // WebGPU requires minStorageBufferOffsetAlignment to be a power of two, so the least common
  // multiple of the per-width row steps is the largest of them.
  const step = Math.max(...widths.map((width) => alignment / greatestCommonDivisor(alignment, width * 4)));
  const chunk = Math.floor(limit / (widest * 4) / step) * step;
  if (chunk === 0) {
    throw new MimicError(
      `${kernel}: ${step} rows of ${widest} values (${step * widest * 4} bytes) do not fit one storage binding (maxStorageBufferBindingSize ${limit}). Use fewer columns.`,
    );
  }
  return chunk;
}

export function expectShape(name: string, tensor: Tensor, rows: number, cols: number): void {
  if (tensor.rows !== rows || tensor.cols !== cols) {
    throw new RangeError(`${name} must be ${rows}x${cols}, got ${tensor.rows}x${tensor.cols}`);
  }
}

export function expectDType(name: string, tensor: Tensor, dtype: 'f32' | 'u32'): void {
  if (tensor.dtype !== dtype) throw new TypeError(`${name} must be a ${dtype} tensor, got ${tensor.dtype}`);
}

/** Splits a 64-bit-ish integer seed into the two 32-bit words of a Philox key. */
export function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}
