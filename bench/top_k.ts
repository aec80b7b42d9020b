// Times the top-k nearest-neighbour kernel on the teacher's prediction shape: many query rows
// against the 4,000 training rows, 16 columns, for several k. Also times plain nearest neighbour
// (k = 1 by shaders/nearest_neighbour.wgsl) for comparison. With --models it also times predicting
// a family of 16 kNN models (k = 1 to 32, both weightings: one search at k = 33, then 16 votes) and
// two naive Bayes models on the same rows, with 26 classes.
//
//   node build.mjs && node build/bench/top_k.js [--queries 200000] [--references 4000] [--k 1,16,64] [--models]
//
// Each time is the median of 3 runs after one warm-up; a run ends when the GPU has finished. CPU
// time counts every thread of this process, which on a software adapter is the kernel's work.
import { parseArgs } from 'node:util';
import { Random } from '../src/data/random.js';
import { createEngine, type Engine } from '../src/gpu/engine.js';
import type { Program } from '../src/gpu/kernel.js';
import { nearestNeighbour } from '../src/kernels/distance.js';
import { topK } from '../src/kernels/top_k.js';
import type { Encoder } from '../src/data/encode.js';
import { fitKnnModels, type KnnSpec } from '../src/models/knn.js';
import type { FitData, TeacherModel } from '../src/models/model.js';
import { fitNaiveBayes } from '../src/models/naive_bayes.js';
import type { Tensor } from '../src/gpu/tensor.js';

const { values: args } = parseArgs({
  options: { queries: { type: 'string' }, references: { type: 'string' }, dims: { type: 'string' }, k: { type: 'string' }, models: { type: 'boolean' } },
});
const queries = Number(args.queries ?? 200000);
const references = Number(args.references ?? 4000);
const dims = Number(args.dims ?? 16);
const ks = (args.k ?? '1,16,64').split(',').map(Number);

interface Timing {
  /** Median wall time. */
  ms: number;
  /** Median CPU time of this process, all threads: a software adapter's work, less sensitive to other load. */
  cpuMs: number;
}

async function timeProgram(engine: Engine, record: (program: Program) => void): Promise<Timing> {
  const program = engine.program();
  record(program);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < 4; run++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    engine.run(program);
    await engine.finish();
    const used = process.cpuUsage(cpuStarted);
    wall.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  program.destroy();
  return { ms: median(wall.slice(1)), cpuMs: median(cpu.slice(1)) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function formatTiming(name: string, timing: Timing): string {
  return `${name.padEnd(20)} ${timing.ms.toFixed(0).padStart(7)} ms wall ${timing.cpuMs.toFixed(0).padStart(8)} ms CPU`;
}

async function main(): Promise<void> {
  const engine = await createEngine();
  const random = new Random(7);
  const uniform = (length: number) => Float32Array.from({ length }, () => random.uniform());
  const query = engine.tensor(queries, dims, uniform(queries * dims));
  const reference = engine.tensor(references, dims, uniform(references * dims));
  const weight = engine.tensor(1, dims, new Float32Array(dims).fill(1));
  console.log(`adapter: ${engine.adapterName}; ${queries} queries x ${references} references x ${dims} columns`);

  const index1 = engine.tensorU32(queries, 1);
  const distance1 = engine.tensor(queries, 1);
  const nearest = await timeProgram(engine, (p) => nearestNeighbour(p, query, reference, weight, index1, distance1));
  console.log(formatTiming('nearestNeighbour', nearest));
  index1.release();
  distance1.release();

  for (const k of ks) {
    const index = engine.tensorU32(queries, k);
    const distances = engine.tensor(queries, k);
    const timing = await timeProgram(engine, (p) => topK(p, query, reference, weight, index, distances));
    console.log(formatTiming(`topK k = ${k}`, timing));
    index.release();
    distances.release();
  }
  if (args.models) await timeModels(engine, query, reference, random);
  engine.destroy();
}

/** Times predict() of each model on `query`, in order, each ending when the GPU has finished. */
async function timePredictions(engine: Engine, models: TeacherModel[], query: Tensor): Promise<number[]> {
  const times: number[] = [];
  for (const model of models) {
    const started = performance.now();
    const out = model.predict(query);
    await engine.finish();
    times.push(performance.now() - started);
    out.release();
  }
  return times;
}

async function timeModels(engine: Engine, query: Tensor, reference: Tensor, random: Random): Promise<void> {
  const classes = 26;
  const encoder: Encoder = {
    attributes: Array.from({ length: dims }, (_, c) => ({ name: `c${c}`, kind: 'continuous' as const, column: c, min: 0, max: 1, fill: 0.5 })),
    width: dims,
  };
  const labels = Int32Array.from({ length: references }, () => Math.floor(random.uniform() * classes));
  const data: FitData = {
    engine,
    x: reference,
    xHost: await engine.read(reference),
    labels,
    targets: engine.tensor(references, classes),
    classes,
    outputs: classes,
    encoder,
    validation: { x: reference, labels },
  };

  const specs: KnnSpec[] = [1, 3, 5, 8, 12, 16, 24, 32].flatMap((k) => [
    { k, weighting: 'uniform' as const },
    { k, weighting: 'distance' as const },
  ]);
  const knn = fitKnnModels(data, specs);
  const cpuStarted = process.cpuUsage();
  const knnTimes = await timePredictions(engine, knn, query);
  const cpu = process.cpuUsage(cpuStarted);
  const votes = knnTimes.slice(1).sort((a, b) => a - b);
  const total = knnTimes.reduce((sum, ms) => sum + ms, 0);
  console.log(
    `kNN family of ${knn.length}: ${total.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU for all; ` +
      `first predict (search at k = 33 and vote) ${knnTimes[0].toFixed(0)} ms, each later vote ${votes[0].toFixed(0)} to ${votes[votes.length - 1].toFixed(0)} ms`,
  );
  for (const model of knn) model.release();

  const naiveBayes = [fitNaiveBayes(data, { kind: 'gaussian', varianceSmoothing: 1e-9 }), fitNaiveBayes(data, { kind: 'binned', bins: 10 })];
  await timePredictions(engine, naiveBayes, query);
  const naiveBayesTimes = await timePredictions(engine, naiveBayes, query);
  naiveBayes.forEach((model, i) => console.log(`${model.name}: predict ${naiveBayesTimes[i].toFixed(0)} ms`));
  for (const model of naiveBayes) model.release();
  data.targets.release();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
