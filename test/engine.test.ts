// The GPU layer: reflected bindings catch mismatches by name, large dispatches are split, the pool
// reuses buffers, and an engine on a caller's device leaves that device alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import matmulShader from '../shaders/matmul.wgsl';
import { acquireDevice } from '../src/gpu/device.js';
import { MimicError } from '../src/errors.js';
import { createEngine, type Engine } from '../src/gpu/engine.js';
import { scaleAdd } from '../src/kernels/reduce.js';
import { Random } from '../src/data/random.js';
import { nearestNeighbour, pairwiseDistance } from '../src/kernels/distance.js';
import { matmul } from '../src/kernels/matmul.js';
import { matmulError, randomArray, relativeError, testEngine, thrown } from './helpers.js';
import { distanceReference, type MatmulCase } from './reference.js';

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
  assert.is(matmulShader.bindings[5].size, 28);
  assert.ok(matmulShader.overrides.includes('TRANS_A'));
});

test('binding mismatches name shader and binding', async () => {
  const engine = await testEngine();
  const kernel = engine.kernel(matmulShader);
  const t = engine.tensor(4, 4, new Float32Array(16).fill(1));
  const program = engine.program();
  const uniform = Array.from({ length: 7 }, () => ['u32', 4] as ['u32', number]);
  assert.throws(() => program.dispatch(kernel, { a: t, b: t, gate: t, c: t }, [1, 1, 1], uniform), /matmul\.wgsl: binding 'bias' \(@binding\(2\)\) was not bound/);
  assert.throws(() => program.dispatch(kernel, { a: t, b: t, bias: t, gate: t, c: t, extra: t }, [1, 1, 1], uniform), /matmul\.wgsl declares no storage binding named 'extra'/);
  assert.throws(() => program.dispatch(kernel, { a: t, b: t, bias: t, gate: t, c: t }, [1, 1, 1], uniform.slice(1)), /matmul\.wgsl: uniform 'params' is 28 bytes but 24 bytes/);
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

// Products whose grid has more than 65,535 workgroups along one side. The tiled kernel gets 32-row
// tiles past 65,535 x 32 rows (plain and with A transposed), 64-column tiles past 65,535 x 64
// columns and a batch past the limit. The matrix-vector kernel gets more than 65,535 x 64 rows.
const largeGridCases: MatmulCase[] = [
  { m: 65535 * 32 + 100, n: 2, k: 3, options: { bias: true } },
  { m: 65535 * 32 + 100, n: 3, k: 5, options: { transA: true, gate: true } },
  { m: 3, n: 65535 * 64 + 70, k: 2, options: { transB: true, activation: 'relu' } },
  { m: 2, n: 3, k: 4, batch: 70000, options: { bias: true } },
  { m: 65535 * 64 + 100, n: 1, k: 4, options: { bias: true } },
];

test('matmul splits large grids', async () => {
  const engine = await testEngine();
  const random = new Random(12);
  for (const c of largeGridCases) {
    const error = await matmulError(engine, random, c);
    assert.ok(error <= 1e-4, `${c.batch ?? 1} x ${c.m}x${c.k} * ${c.k}x${c.n} ${JSON.stringify(c.options)}: relative error ${error}`);
  }
});

test('pairwise distance splits large grids', async () => {
  const engine = await testEngine();
  const random = new Random(13);
  // More 32-row tiles of queries, then more 32-column tiles of references, than 65,535.
  for (const [m, n, d] of [
    [65535 * 32 + 37, 5, 3],
    [3, 65535 * 32 + 37, 2],
  ]) {
    const xData = randomArray(random, m * d, 0, 1);
    const yData = randomArray(random, n * d, 0, 1);
    const wData = Float32Array.from({ length: d }, (_, c) => 0.5 + c);
    const x = engine.tensor(m, d, xData);
    const y = engine.tensor(n, d, yData);
    const w = engine.tensor(1, d, wData);
    const out = engine.tensor(m, n);
    engine.runOnce((p) => pairwiseDistance(p, x, y, w, out));
    const error = relativeError(await engine.read(out), distanceReference(xData, yData, wData, m, n, d));
    assert.ok(error <= 1e-4, `${m}x${n}x${d}: relative error ${error}`);
    for (const t of [x, y, w, out]) t.release();
  }
});

// An engine that lets one storage binding cover only 64 KiB, so inputs of a few hundred KiB must be
// split into row chunks. Any dispatch that binds more than 64 KiB fails.
const bindingCap = 65536;
let capped: Promise<Engine> | undefined;
function cappedEngine(): Promise<Engine> {
  capped ??= createEngine({ maxStorageBufferBindingSize: bindingCap });
  return capped;
}

test('binding cap rejects large bindings', async () => {
  const engine = await cappedEngine();
  assert.is(engine.maxStorageBufferBindingSize, bindingCap);
  const x = engine.tensor(1, 20000, new Float32Array(20000).fill(1));
  const y = engine.tensor(1, 20000, new Float32Array(20000).fill(2));
  const error = thrown(() => engine.runOnce((p) => scaleAdd(p, x, y, 1, 1)));
  assert.instance(error, MimicError);
  assert.match(error.message, /scale_add\.wgsl: binding 'x' covers a 1x20000 tensor of 80000 bytes/);
  assert.match(error.message, /maxStorageBufferBindingSize 65536/);
  x.release();
  y.release();
});

test('binding cap must be a multiple of 4', async () => {
  for (const cap of [1000.5, 1001, 0]) {
    let error: unknown;
    try {
      await createEngine({ maxStorageBufferBindingSize: cap });
    } catch (caught) {
      error = caught;
    }
    assert.instance(error, RangeError, `cap ${cap}`);
  }
});

// A is 4 to 6 times the cap in each case; widths and row counts are not multiples of the chunks.
const chunkedCases: MatmulCase[] = [
  { m: 700, n: 37, k: 100, options: { bias: true, activation: 'relu', gate: true } },
  { m: 1000, n: 1, k: 97, options: { bias: true } },
  { m: 1000, n: 1, k: 100, options: { gate: true, activation: 'sigmoid' } },
  { m: 650, n: 5, k: 130, options: { transB: true, activation: 'tanh' } },
];

test('matmul chunks A past one binding', async () => {
  const engine = await cappedEngine();
  const random = new Random(14);
  for (const c of chunkedCases) {
    assert.ok(c.m * c.k * 4 > 4 * bindingCap, `case ${c.m}x${c.k} is too small to need chunks`);
    const error = await matmulError(engine, random, c);
    assert.ok(error <= 1e-4, `${c.m}x${c.k} * ${c.k}x${c.n} ${JSON.stringify(c.options)}: relative error ${error}`);
  }
});

test('transposed A past one binding fails clearly', async () => {
  const engine = await cappedEngine();
  const a = engine.tensor(200, 100);
  const b = engine.tensor(200, 3);
  const c = engine.tensor(100, 3);
  const error = thrown(() => engine.runOnce((p) => matmul(p, a, b, c, { transA: true })));
  assert.instance(error, MimicError);
  assert.match(error.message, /matmul\.wgsl: binding 'a' covers a 200x100 tensor/);
  assert.match(error.message, /Process fewer rows at a time/);
  for (const t of [a, b, c]) t.release();
});

test('pairwise distance chunks queries', async () => {
  const engine = await cappedEngine();
  const random = new Random(15);
  const [m, n, d] = [2000, 40, 13];
  const xData = randomArray(random, m * d, 0, 1);
  const yData = randomArray(random, n * d, 0, 1);
  const wData = Float32Array.from({ length: d }, (_, c) => (c % 2 === 0 ? 0.5 : 1));
  const x = engine.tensor(m, d, xData);
  const y = engine.tensor(n, d, yData);
  const w = engine.tensor(1, d, wData);
  const out = engine.tensor(m, n);
  assert.ok(out.byteLength > 4 * bindingCap, 'the distance matrix needs several chunks');
  engine.runOnce((p) => pairwiseDistance(p, x, y, w, out));
  const error = relativeError(await engine.read(out), distanceReference(xData, yData, wData, m, n, d));
  assert.ok(error <= 1e-4, `relative error ${error}`);
  for (const t of [x, y, w, out]) t.release();
});

test('nearest neighbour chunks queries', async () => {
  const engine = await cappedEngine();
  const random = new Random(16);
  // 6,000 queries of 13 values (312,000 bytes) against their own first 600 rows. With excludeSelf,
  // query rows 0..599 may not match themselves; the later rows have no self among the references.
  const [m, n, d] = [6000, 600, 13];
  const queryData = randomArray(random, m * d, 0, 1);
  const wData = Float32Array.from({ length: d }, (_, c) => (c < 3 ? 0.5 : 1));
  const query = engine.tensor(m, d, queryData);
  const reference = query.rowsView(0, n);
  const weight = engine.tensor(1, d, wData);
  const all = distanceReference(queryData, queryData.subarray(0, n * d), wData, m, n, d);

  for (const excludeSelf of [false, true]) {
    const index = engine.tensorU32(m, 1);
    const distances = engine.tensor(1, m);
    engine.runOnce((p) => nearestNeighbour(p, query, reference, weight, index, distances, { excludeSelf }));
    const gotIndex = await engine.readU32(index);
    const gotDistance = await engine.read(distances);

    let wrongIndex = 0;
    let worstDistance = 0;
    for (let i = 0; i < m; i++) {
      let best = Infinity;
      let bestJ = -1;
      for (let j = 0; j < n; j++) {
        if (!(excludeSelf && j === i) && all[i * n + j] < best) {
          best = all[i * n + j];
          bestJ = j;
        }
      }
      if (gotIndex[i] !== bestJ) wrongIndex++;
      worstDistance = Math.max(worstDistance, Math.abs(gotDistance[i] - best) / Math.max(best, 1e-3));
    }
    assert.is(wrongIndex, 0, `excludeSelf ${excludeSelf}: ${wrongIndex} wrong neighbours`);
    assert.ok(worstDistance <= 1e-4, `excludeSelf ${excludeSelf}: distance relative error ${worstDistance}`);
    index.release();
    distances.release();
  }
  query.release();
  weight.release();
});

test('tensor past maxBufferSize fails clearly', async () => {
  const engine = await testEngine();
  const rows = Math.floor(engine.limits.maxBufferSize / 4096) + 1;
  const error = thrown(() => engine.tensor(rows, 1024));
  assert.instance(error, MimicError);
  assert.match(error.message, /maxBufferSize/);
  assert.match(error.message, /Use fewer rows/);
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

test.after(async () => {
  if (capped) (await capped).destroy();
});

test.run();
