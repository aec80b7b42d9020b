// Times the top-k nearest-neighbour kernel on the teacher's prediction shape: many query rows
// against the 4,000 training rows, 16 columns, for several k. Also times plain nearest neighbour
// (k = 1 by shaders/nearest_neighbour.wgsl) for comparison.
//
//   node build.mjs && node build/bench/top_k.js [--queries 200000] [--references 4000] [--k 1,16,64]
//
// Each time is the median of 3 runs after one warm-up; a run ends when the GPU has finished. CPU
// time counts every thread of this process, which on a software adapter is the kernel's work.
import { parseArgs } from 'node:util';
import { Random } from '../src/data/random.js';
import { createEngine, type Engine } from '../src/gpu/engine.js';
import type { Program } from '../src/gpu/kernel.js';
import { nearestNeighbour } from '../src/kernels/distance.js';
import { topK } from '../src/kernels/top_k.js';

const { values: args } = parseArgs({
  options: { queries: { type: 'string' }, references: { type: 'string' }, dims: { type: 'string' }, k: { type: 'string' } },
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
  engine.destroy();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
