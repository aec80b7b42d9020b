// The GPU layer: reflected bindings catch mismatches by name, large dispatches are split, the pool
// reuses buffers, and an engine on a caller's device leaves that device alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import matmulShader from '../shaders/matmul.wgsl';
import { acquireDevice } from '../src/gpu/device.js';
import { createEngine } from '../src/gpu/engine.js';
import { scaleAdd } from '../src/kernels/reduce.js';
import { Random } from '../src/data/random.js';
import { matmul } from '../src/kernels/matmul.js';
import { randomArray, relativeError, testEngine } from './helpers.js';

test('shader reflection reads bindings', () => {
  assert.is(matmulShader.name, 'matmul.wgsl');
  assert.equal(matmulShader.workgroupSize, [8, 8, 1]);
  assert.equal(
    matmulShader.bindings.map((b) => [b.name, b.binding, b.type]),
    [
      ['a', 0, 'read-only-storage'],
      ['b', 1, 'read-only-storage'],
      ['bias', 2, 'read-only-storage'],
      ['gate', 3, 'read-only-storage'],
      ['c', 4, 'storage'],
      ['params', 5, 'uniform'],
    ],
  );
  assert.is(matmulShader.bindings[5].size, 24);
  assert.ok(matmulShader.overrides.includes('TRANS_A'));
});

test('binding mismatches name shader and binding', async () => {
  const engine = await testEngine();
  const kernel = engine.kernel(matmulShader);
  const t = engine.tensor(4, 4, new Float32Array(16).fill(1));
  const program = engine.program();
  const uniform = Array.from({ length: 6 }, () => ['u32', 4] as ['u32', number]);
  assert.throws(() => program.dispatch(kernel, { a: t, b: t, gate: t, c: t }, [1, 1, 1], uniform), /matmul\.wgsl: binding 'bias' \(@binding\(2\)\) was not bound/);
  assert.throws(() => program.dispatch(kernel, { a: t, b: t, bias: t, gate: t, c: t, extra: t }, [1, 1, 1], uniform), /matmul\.wgsl declares no storage binding named 'extra'/);
  assert.throws(() => program.dispatch(kernel, { a: t, b: t, bias: t, gate: t, c: t }, [1, 1, 1], uniform.slice(1)), /matmul\.wgsl: uniform 'params' is 24 bytes but 20 bytes/);
  assert.throws(() => program.dispatch(kernel, { a: t, b: t, bias: t, gate: t, c: t }, [1, 1, 1], uniform, { TRANSPOSE: 1 }), /matmul\.wgsl declares no override constant 'TRANSPOSE'/);
  program.destroy();
  t.release();
});

test('elementwise kernels split large dispatches', async () => {
  const engine = await testEngine();
  // More than 65,535 workgroups of 64 invocations, so the grid must use a second dimension.
  const count = 65535 * 64 + 1000;
  const x = new Float32Array(count);
  for (let i = 0; i < count; i++) x[i] = (i % 1000) / 7;
  const xt = engine.tensor(1, count, x);
  const yt = engine.tensor(1, count, new Float32Array(count).fill(2));
  engine.runOnce((p) => scaleAdd(p, xt, yt, 0.5, 3));
  const y = await engine.read(yt);
  for (const i of [0, 1, 4194239, 4194240, count - 1]) {
    assert.ok(Math.abs(y[i] - (1 + 3 * x[i])) <= 1e-5 * (1 + 3 * x[i]), `element ${i}: ${y[i]}`);
  }
  let mismatches = 0;
  for (let i = 0; i < count; i++) if (Math.abs(y[i] - (1 + 3 * x[i])) > 1e-4 * (1 + 3 * x[i])) mismatches++;
  assert.is(mismatches, 0);
  xt.release();
  yt.release();
});

test('matmul splits tall outputs', async () => {
  const engine = await testEngine();
  // More rows than 65,535 workgroups of 32 rows cover, so the product runs as several dispatches.
  const m = 65535 * 32 + 100;
  const random = new Random(12);
  const aData = randomArray(random, m * 3);
  const bData = randomArray(random, 3 * 2);
  const biasData = Float32Array.of(0.25, -0.5);
  const a = engine.tensor(m, 3, aData);
  const b = engine.tensor(3, 2, bData);
  const bias = engine.tensor(1, 2, biasData);
  const c = engine.tensor(m, 2);
  engine.runOnce((p) => matmul(p, a, b, c, { bias }));
  const got = await engine.read(c);
  const expected = new Float64Array(m * 2);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < 2; j++) {
      let sum = biasData[j];
      for (let k = 0; k < 3; k++) sum += aData[i * 3 + k] * bData[k * 2 + j];
      expected[i * 2 + j] = sum;
    }
  }
  const error = relativeError(got, expected);
  assert.ok(error <= 1e-4, `relative error ${error}`);
  for (const t of [a, b, bias, c]) t.release();
});

test('pool reuses released buffers', async () => {
  const engine = await testEngine();
  const a = engine.tensor(100, 10);
  const buffer = a.buffer;
  const allocated = engine.pool.allocatedBytes;
  a.release();
  const b = engine.tensor(10, 100);
  assert.is(b.buffer, buffer);
  assert.is(engine.pool.allocatedBytes, allocated);
  b.release();
  b.release();
  assert.is(engine.pool.inUseBytes >= 0, true);
});

test('tensor views check alignment', async () => {
  const engine = await testEngine();
  const t = engine.tensor(100, 3);
  assert.throws(() => t.rowsView(1, 2), /not aligned/);
  assert.throws(() => t.rowsView(90, 20), /outside/);
  const view = t.rowsView(64, 10);
  assert.is(view.byteOffset, 64 * 3 * 4);
  t.release();
});

test('caller device survives engine destroy', async () => {
  const acquired = await acquireDevice();
  const engine = await createEngine({ device: acquired.device });
  const t = engine.tensor(2, 2, Float32Array.of(1, 2, 3, 4));
  assert.equal(Array.from(await engine.read(t)), [1, 2, 3, 4]);
  engine.destroy();
  assert.throws(() => engine.tensor(1, 1), /after destroy/);

  // The device still works: write and read a buffer directly.
  const device = acquired.device;
  const buffer = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, Float32Array.of(5, 6, 7, 8));
  await buffer.mapAsync(GPUMapMode.READ);
  assert.equal(Array.from(new Float32Array(buffer.getMappedRange())), [5, 6, 7, 8]);
  buffer.destroy();
  device.destroy();
  acquired.release();
});

test.run();
