import * as assert from 'uvu/assert';
import { createEngine, type Engine } from '../src/gpu/engine.js';
import { Random } from '../src/data/random.js';
import { matmul } from '../src/kernels/matmul.js';
import { matmulReference, type MatmulCase } from './reference.js';

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

/**
 * Runs one matmul case on random operands in [-1, 1) and returns its error relative to the float64
 * reference. Bias and gate are random too, when the case has them.
 */
export async function matmulError(engine: Engine, random: Random, c: MatmulCase): Promise<number> {
  const batch = c.batch ?? 1;
  const bItems = c.options.broadcastB ? 1 : batch;
  const aData = randomArray(random, batch * c.m * c.k);
  const bData = randomArray(random, bItems * c.k * c.n);
  const biasData = c.options.bias ? randomArray(random, c.n) : null;
  const gateData = c.options.gate ? randomArray(random, batch * c.m * c.n) : null;

  const a = c.options.transA ? engine.tensor(batch * c.k, c.m, aData) : engine.tensor(batch * c.m, c.k, aData);
  const b = c.options.transB ? engine.tensor(bItems * c.n, c.k, bData) : engine.tensor(bItems * c.k, c.n, bData);
  const bias = biasData ? engine.tensor(1, c.n, biasData) : undefined;
  const gate = gateData ? engine.tensor(batch * c.m, c.n, gateData) : undefined;
  const out = engine.tensor(batch * c.m, c.n);
  try {
    engine.runOnce((p) => matmul(p, a, b, out, { ...c.options, bias, gate, batch }));
    const actual = await engine.read(out);
    return relativeError(actual, matmulReference(aData, bData, biasData, gateData, c));
  } finally {
    for (const t of [a, b, bias, gate, out]) t?.release();
  }
}
