// The benchmark cases, shared by the Node run (bench/bench.ts) and the Chromium page (bench/page.ts).
// They time this project's kernels and training loop against TensorFlow.js on the same WebGPU
// adapter, with tfjs's CPU backend for context on the matrix products.
//
// Times are medians over repeats after a warm-up; each repeat ends when the GPU has finished.
import { Random } from '../src/data/random.js';
import type { Engine } from '../src/gpu/engine.js';
import type { Program } from '../src/gpu/kernel.js';
import type { Tensor } from '../src/gpu/tensor.js';
import { nearestNeighbour } from '../src/kernels/distance.js';
import { matmul } from '../src/kernels/matmul.js';
import { Mlp } from '../src/models/mlp.js';
import { trainMlp } from '../src/models/train.js';

type Tf = typeof import('@tensorflow/tfjs-core');

type Layers = typeof import('@tensorflow/tfjs-layers');

export interface Row {
  case: string;
  ours_ms: number;
  ours_gflops: number;
  peer: string;
  peer_ms: number;
  speedup: number;
}

export interface BenchOptions {
  /** A subset of the cases and 3 repeats instead of 7. */
  quick: boolean;
  /** Leave out tfjs's CPU backend. */
  skipCpu: boolean;
  /** Case groups to run: 'matmul', 'nearest', 'epoch'. */
  groups: string[];
}

/** The report that a run prints as a table and writes with --json. */
export interface BenchReport {
  adapter: { name: string };
  runtime: 'node' | 'browser';
  /** Node's version, or the browser's user agent. */
  runtimeVersion: string;
  date: string;
  options: BenchOptions;
  rows: Row[];
}

export const benchGroups = ['matmul', 'nearest', 'epoch'];

/** State shared by the cases: the engine, tfjs, the options, the seeded data source and the row sink. */
interface BenchContext {
  engine: Engine;
  tf: Tf;
  layers: Layers;
  options: BenchOptions;
  /** Timed repeats per GPU case after the warm-up. */
  repeats: number;
  random: Random;
  add(name: string, oursMs: number, flops: number, peer: string, peerMs: number): void;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function randomData(random: Random, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = random.uniform();
  return out;
}

/** Median milliseconds of `run` (which must wait for its GPU work) over `count` calls after one warm-up call. */
async function timeIt(run: () => Promise<void>, count: number): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return median(times);
}

async function timeOurs(context: BenchContext, record: (program: Program) => void): Promise<number> {
  const { engine } = context;
  const program = engine.program();
  record(program);
  const ms = await timeIt(async () => {
    engine.run(program);
    await engine.finish();
  }, context.repeats);
  program.destroy();
  return ms;
}

/** Times a tfjs computation; `compute` returns a tensor whose data() is awaited to synchronise. */
async function timeTf(tf: Tf, compute: () => import('@tensorflow/tfjs-core').Tensor, count: number): Promise<number> {
  return timeIt(async () => {
    const result = tf.tidy(compute);
    await result.data();
    result.dispose();
  }, count);
}

async function loadTf(): Promise<{ tf: Tf; layers: Layers }> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-webgpu');
  const layers = await import('@tensorflow/tfjs-layers');
  return { tf, layers };
}

/**
 * Runs the cases on `engine` and returns one row per case and peer. tfjs must find a WebGPU
 * implementation as `navigator.gpu`; progress lines go to `log`.
 */
export async function runBench(engine: Engine, options: BenchOptions, log: (line: string) => void): Promise<Row[]> {
  const { tf, layers } = await loadTf();
  const rows: Row[] = [];
  const context: BenchContext = {
    engine,
    tf,
    layers,
    options,
    repeats: options.quick ? 3 : 7,
    random: new Random(123),
    add(name, oursMs, flops, peer, peerMs) {
      const row = { case: name, ours_ms: oursMs, ours_gflops: flops / oursMs / 1e6, peer, peer_ms: peerMs, speedup: peerMs / oursMs };
      rows.push(row);
      log(`${name.padEnd(34)} ours ${oursMs.toFixed(2).padStart(9)} ms  ${row.ours_gflops.toFixed(2).padStart(7)} GFLOP/s   ${peer.padEnd(12)} ${peerMs.toFixed(2).padStart(9)} ms   x${row.speedup.toFixed(2)}`);
    },
  };
  if (options.groups.includes('matmul')) await benchMatmul(context);
  if (options.groups.includes('nearest')) await benchNearest(context);
  if (options.groups.includes('epoch')) await benchEpoch(context);
  return rows;
}

/**
 * Times matrix products of the shapes the pipeline runs (first layer, hidden layer, output layer)
 * and a large square product, against tfjs's WebGPU and CPU backends.
 */
async function benchMatmul(context: BenchContext): Promise<void> {
  const { engine, tf, options, random } = context;
  const backends = options.skipCpu ? ['webgpu'] : ['webgpu', 'cpu'];
  const shapes: Array<[number, number, number]> = options.quick
    ? [
        [4096, 16, 256],
        [4096, 256, 256],
      ]
    : [
        [4096, 16, 256],
        [4096, 256, 256],
        [65536, 256, 1],
        [1024, 1024, 1024],
      ];
  for (const [m, k, n] of shapes) {
    const aData = randomData(random, m * k);
    const bData = randomData(random, k * n);
    const a = engine.tensor(m, k, aData);
    const b = engine.tensor(k, n, bData);
    const c = engine.tensor(m, n);
    const ours = await timeOurs(context, (p) => matmul(p, a, b, c));
    for (const backend of backends) {
      await tf.setBackend(backend);
      await tf.ready();
      const ta = tf.tensor2d(aData, [m, k]);
      const tb = tf.tensor2d(bData, [k, n]);
      const count = backend === 'cpu' ? 3 : context.repeats;
      const peer = await timeTf(tf, () => tf.matMul(ta, tb), count);
      context.add(`matmul ${m}x${k} * ${k}x${n}`, ours, 2 * m * n * k, `tfjs-${backend}`, peer);
      ta.dispose();
      tb.dispose();
    }
    for (const t of [a, b, c]) t.release();
  }
}

/**
 * Times nearest-neighbour search: all rows against themselves excluding self (MUNGE), and many
 * queries against a fixed reference set. tfjs has no fused kernel, so it computes
 * |q|^2 - 2 q.r + |r|^2 with a matrix product and takes argMin, in query blocks that fit one binding.
 */
async function benchNearest(context: BenchContext): Promise<void> {
  const { engine, tf, options, random } = context;
  const cases: Array<[string, number, number, boolean]> = options.quick
    ? [['nearest 4000 x 4000 x 16 (self)', 4000, 4000, true]]
    : [
        ['nearest 4000 x 4000 x 16 (self)', 4000, 4000, true],
        ['nearest 100000 x 4000 x 16', 100000, 4000, false],
      ];
  const dims = 16;
  for (const [name, queries, references, excludeSelf] of cases) {
    const refData = randomData(random, references * dims);
    const queryData = excludeSelf ? refData : randomData(random, queries * dims);
    const reference = engine.tensor(references, dims, refData);
    const query = excludeSelf ? reference : engine.tensor(queries, dims, queryData);
    const weight = engine.tensor(1, dims, new Float32Array(dims).fill(1));
    const index = engine.tensorU32(queries, 1);
    const distances = engine.tensor(queries, 1);
    const ours = await timeOurs(context, (p) => nearestNeighbour(p, query, reference, weight, index, distances, { excludeSelf }));
    await tf.setBackend('webgpu');
    await tf.ready();
    const tq = tf.tensor2d(queryData, [queries, dims]);
    const tr = tf.tensor2d(refData, [references, dims]);
    const block = 4096;
    const peer = await timeIt(async () => {
      const parts: Array<import('@tensorflow/tfjs-core').Tensor> = [];
      for (let start = 0; start < queries; start += block) {
        const size = Math.min(block, queries - start);
        parts.push(
          tf.tidy(() => {
            const q = tf.slice(tq, [start, 0], [size, dims]);
            let d = tf.add(tf.sub(tf.sum(tf.square(q), 1, true), tf.mul(2, tf.matMul(q, tr, false, true))), tf.reshape(tf.sum(tf.square(tr), 1), [1, references]));
            if (excludeSelf) d = tf.add(d, tf.mul(1e30, tf.slice(tf.eye(queries, references), [start, 0], [size, references])));
            return tf.argMin(d, 1);
          }),
        );
      }
      const all = tf.concat(parts);
      await all.data();
      for (const t of [...parts, all]) t.dispose();
    }, options.quick ? 2 : 3);
    context.add(name, ours, 3 * queries * references * dims, 'tfjs-webgpu', peer);
    tq.dispose();
    tr.dispose();
    for (const t of new Set([reference, query, weight, index, distances])) t.release();
  }
}

/** Times one student epoch: 100,000 rows, 16 -> 256 ReLU -> 1, batch 256, Adam, cross-entropy. */
async function benchEpoch(context: BenchContext): Promise<void> {
  const { engine, tf, layers, options, random } = context;
  const epochRows = options.quick ? 20000 : 100000;
  const x = randomData(random, epochRows * 16);
  const y = Float32Array.from({ length: epochRows }, (_, i) => (x[i * 16] + x[i * 16 + 1] > 1 ? 1 : 0));
  const ours = await oursEpoch(engine, x, y, epochRows);
  await tf.setBackend('webgpu');
  await tf.ready();
  const peer = await tfjsEpoch(tf, layers, x, y, epochRows);
  const epochFlops = 6 * epochRows * (16 * 256 + 256);
  context.add(`student epoch ${epochRows} rows 16-256-1`, ours, epochFlops, 'tfjs-layers', peer);
}

/** Median epoch time of this project's training loop, from the time between epoch reports. */
async function oursEpoch(engine: Engine, x: Float32Array, y: Float32Array, rows: number): Promise<number> {
  const xt = engine.tensor(rows, 16, x);
  const yt = engine.tensor(rows, 1, y);
  const vx: Tensor = xt.rowsView(0, 1024);
  const labels = Int32Array.from(y.subarray(0, 1024));
  const mlp = Mlp.create(engine, { inputs: 16, hidden: [256], outputs: 1 }, 1);
  const stamps: number[] = [performance.now()];
  await trainMlp(mlp, { x: xt, targets: yt }, { x: vx, labels }, {
    epochs: 4,
    batchSize: 256,
    learningRate: 1e-3,
    schedule: 'constant',
    patience: 100,
    loss: 'cross-entropy',
    seed: 1,
    onEpoch: () => stamps.push(performance.now()),
  });
  const times = stamps.slice(1).map((t, i) => t - stamps[i]);
  mlp.release();
  xt.release();
  yt.release();
  // The first epoch also records the program and compiles pipelines.
  return median(times.slice(1));
}

async function tfjsEpoch(tf: Tf, layers: Layers, x: Float32Array, y: Float32Array, rows: number): Promise<number> {
  const model = layers.sequential({
    layers: [layers.layers.dense({ units: 256, activation: 'relu', inputShape: [16] }), layers.layers.dense({ units: 1, activation: 'sigmoid' })],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
  const xs = tf.tensor2d(x, [rows, 16]);
  const ys = tf.tensor2d(y, [rows, 1]);
  const times: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    const started = performance.now();
    await model.fit(xs, ys, { batchSize: 256, epochs: 1, shuffle: true, verbose: 0 });
    times.push(performance.now() - started);
  }
  xs.dispose();
  ys.dispose();
  model.dispose();
  return median(times.slice(1));
}

/** Formats a report as the table that bench/NOTES.md records. */
export function formatTable(report: BenchReport): string {
  const lines = [`adapter: ${report.adapter.name}`, `runtime: ${report.runtime} (${report.runtimeVersion})`, ''];
  lines.push(`${'case'.padEnd(34)}${'ours ms'.padStart(10)}${'GFLOP/s'.padStart(9)}  ${'peer'.padEnd(12)}${'peer ms'.padStart(10)}${'speedup'.padStart(9)}`);
  for (const r of report.rows) {
    lines.push(`${r.case.padEnd(34)}${r.ours_ms.toFixed(2).padStart(10)}${r.ours_gflops.toFixed(2).padStart(9)}  ${r.peer.padEnd(12)}${r.peer_ms.toFixed(2).padStart(10)}${r.speedup.toFixed(2).padStart(9)}`);
  }
  return lines.join('\n');
}
