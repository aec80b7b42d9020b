import * as assert from 'uvu/assert';
import { createEngine, type Engine } from '../src/gpu/engine.js';
import { Random } from '../src/data/random.js';

let shared: Promise<Engine> | undefined;

/** Returns the test file's engine, created once on whatever adapter Dawn finds (a software Vulkan driver in CI). */
export function testEngine(): Promise<Engine> {
  shared ??= createEngine();
  return shared;
}

/** Values uniform in [low, high), never all zero. */
export function randomArray(random: Random, length: number, low = -1, high = 1): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = low + (high - low) * random.uniform();
  return out;
}

/** max |actual - expected| / max |expected|: the error relative to the result's scale. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new RangeError(`length ${actual.length} != ${expected.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!Number.isFinite(actual[i])) return Infinity;
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return maxRef === 0 ? maxDiff : maxDiff / maxRef;
}

/** Runs `fn`, fails unless it throws, and returns what it threw. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    assert.instance(error, Error);
    return error as Error;
  }
  assert.unreachable('expected an error');
  throw new Error('unreachable');
}
