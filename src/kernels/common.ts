import type { Engine } from '../gpu/engine.js';
import { linearGrid } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';

/** Workgroups for a kernel with 64 invocations per group over `count` items (2-D when large). */
export function grid64(engine: Engine, count: number): [number, number, number] {
  return linearGrid(Math.ceil(count / 64), engine.limits.maxComputeWorkgroupsPerDimension);
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
