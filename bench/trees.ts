// Tree models on letter.csv: fit time, GPU prediction time, and validation RMSE and accuracy for
// LETTER.p2 (A-M against N-Z) and the 26-class problem. The split is the one that `mimic compress`
// makes with seed 1: 4,000 training rows, 1,000 validation rows, and the rest for test.
//
//   node build.mjs && node build/bench/trees.js [--only p2,26] [--json FILE]
//
// Fit time is the wall time of fitTreeModel: training in the tree worker plus the upload.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseCsv } from '../src/data/csv.js';
import { encodeRows, fitEncoder } from '../src/data/encode.js';
import { defineProblem } from '../src/data/problem.js';
import { splitRows } from '../src/data/split.js';
import { createEngine, type Engine } from '../src/gpu/engine.js';
import { accuracy, rmse } from '../src/metrics/metrics.js';
import type { FitData } from '../src/models/model.js';
import { fitTreeModel } from '../src/models/trees/model.js';
import type { TreeSpec } from '../src/models/trees/spec.js';

interface Row {
  problem: string;
  model: string;
  fit_ms: number;
  predict_ms: number;
  rounds: number | null;
  validation_rmse: number;
  validation_accuracy: number;
  test_accuracy: number;
}

const { values: args } = parseArgs({ options: { json: { type: 'string' }, only: { type: 'string' } } });
const problems = new Set((args.only ?? 'p2,26').split(','));

const cases: Record<string, TreeSpec[]> = {
  p2: [
    { family: 'tree' },
    { family: 'random-forest', trees: 100 },
    { family: 'random-forest', trees: 300 },
    { family: 'extra-trees', trees: 100 },
    { family: 'extra-trees', trees: 300 },
    { family: 'boosted-trees', rounds: 100, patience: 100, maxDepth: 4, subsample: 1 },
    { family: 'boosted-trees' },
    { family: 'boosted-trees', rounds: 3000, patience: 100, maxDepth: 8, subsample: 0.5, minLeaf: 1 },
    { family: 'boosted-trees', rounds: 3000, patience: 100, maxDepth: 12, learningRate: 0.05, subsample: 0.7 },
  ],
  26: [
    { family: 'tree' },
    { family: 'random-forest', trees: 100 },
    { family: 'random-forest', trees: 300 },
    { family: 'extra-trees', trees: 100 },
    { family: 'extra-trees', trees: 300 },
    { family: 'boosted-trees', rounds: 100, patience: 100, maxDepth: 4, subsample: 1 },
    { family: 'boosted-trees' },
  ],
};

function upload(engine: Engine, x: Float32Array, labels: Int32Array, cols: number, classes: number, validationX: Float32Array, validationLabels: Int32Array): FitData {
  const outputs = classes === 2 ? 1 : classes;
  const targets = new Float32Array(labels.length * outputs);
  labels.forEach((label, r) => {
    if (outputs === 1) targets[r] = label;
    else targets[r * outputs + label] = 1;
  });
  return {
    engine,
    x: engine.tensor(labels.length, cols, x),
    xHost: x,
    labels,
    targets: engine.tensor(labels.length, outputs, targets),
    classes,
    outputs,
    encoder: { attributes: [], width: cols },
    validation: { x: engine.tensor(validationLabels.length, cols, validationX), labels: validationLabels },
  };
}

async function main(): Promise<void> {
  const table = parseCsv(readFileSync(new URL('../../data/letter.csv', import.meta.url), 'utf8'), 'letter.csv');
  const engine = await createEngine();
  const rows: Row[] = [];
  console.log(`adapter: ${engine.adapterName}`);
  console.log('problem   model                                                               fit ms  predict ms  rounds  val RMSE  val acc  test acc');

  for (const name of ['p2', '26']) {
    if (!problems.has(name)) continue;
    const positive = name === 'p2' ? 'ABCDEFGHIJKLM'.split('') : undefined;
    const problem = defineProblem(table, { target: 'lettr', positive });
    const split = splitRows(problem.labels, 1);
    const encoder = fitEncoder(table, ['lettr'], split.train);
    const labelsOf = (part: Int32Array) => Int32Array.from(part, (r) => problem.labels[r]);
    const validationX = encodeRows(encoder, table, split.validation);
    const validationLabels = labelsOf(split.validation);
    const testX = encodeRows(encoder, table, split.test);
    const testLabels = labelsOf(split.test);
    const classes = problem.classes.length;
    const data = upload(engine, encodeRows(encoder, table, split.train), labelsOf(split.train), encoder.width, classes, validationX, validationLabels);
    const test = engine.tensor(testLabels.length, encoder.width, testX);

    for (const spec of cases[name]) {
      const fitStarted = performance.now();
      const model = await fitTreeModel(data, spec);
      const fitMs = performance.now() - fitStarted;

      const predictStarted = performance.now();
      const validationP = model.predict(data.validation.x);
      const p = await engine.read(validationP);
      const predictMs = performance.now() - predictStarted;
      const testP = model.predict(test);
      const row: Row = {
        problem: name === 'p2' ? 'LETTER.p2' : 'letter 26',
        model: model.name,
        fit_ms: fitMs,
        predict_ms: predictMs,
        rounds: model.rounds,
        validation_rmse: rmse(p, validationLabels, data.outputs),
        validation_accuracy: accuracy(p, validationLabels, data.outputs),
        test_accuracy: accuracy(await engine.read(testP), testLabels, data.outputs),
      };
      rows.push(row);
      console.log(
        `${row.problem.padEnd(10)}${row.model.padEnd(68)}${row.fit_ms.toFixed(0).padStart(6)}${row.predict_ms.toFixed(1).padStart(12)}${String(row.rounds ?? '').padStart(8)}` +
          `${row.validation_rmse.toFixed(4).padStart(10)}${row.validation_accuracy.toFixed(4).padStart(9)}${row.test_accuracy.toFixed(4).padStart(10)}`,
      );
      for (const t of [validationP, testP]) t.release();
      model.release();
    }
    for (const t of [data.x, data.targets, data.validation.x, test]) t.release();
  }

  if (args.json) writeFileSync(args.json, JSON.stringify(rows, null, 2) + '\n');
  engine.destroy();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
