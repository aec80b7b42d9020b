// Scores the kNN and naive Bayes teacher models on letter.csv: validation RMSE (one-hot, over the
// outputs) and accuracy, for LETTER.p2 (letters A to M positive) and for 26 classes. The split is
// the pipeline's: 4,000 training and 1,000 validation rows from splitRows with seed 1, encoded on
// the training rows.
//
//   node build.mjs && node build/bench/letter_teachers.js [--file data/letter.csv]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseCsv } from '../src/data/csv.js';
import { encodeRows, fitEncoder } from '../src/data/encode.js';
import { defineProblem } from '../src/data/problem.js';
import { splitRows } from '../src/data/split.js';
import { createEngine } from '../src/gpu/engine.js';
import { accuracy, rmse } from '../src/metrics/metrics.js';
import { fitKnnModels, type KnnSpec } from '../src/models/knn.js';
import type { FitData, TeacherModel } from '../src/models/model.js';
import { fitNaiveBayes, type NaiveBayesSpec } from '../src/models/naive_bayes.js';

const { values: args } = parseArgs({ options: { file: { type: 'string' } } });

const knnSpecs: KnnSpec[] = [1, 3, 5, 8, 12, 16, 24, 32].flatMap((k) => [
  { k, weighting: 'uniform' as const },
  { k, weighting: 'distance' as const },
]);
const naiveBayesSpecs: NaiveBayesSpec[] = [
  { kind: 'gaussian', varianceSmoothing: 1e-9 },
  { kind: 'gaussian', varianceSmoothing: 1e-3 },
  { kind: 'gaussian', varianceSmoothing: 1e-2 },
  { kind: 'gaussian', varianceSmoothing: 1e-1 },
  { kind: 'binned', bins: 5 },
  { kind: 'binned', bins: 10 },
  { kind: 'binned', bins: 16 },
  { kind: 'binned', bins: 20 },
];

async function main(): Promise<void> {
  const engine = await createEngine();
  const text = readFileSync(args.file ?? 'data/letter.csv', 'utf8');
  const table = parseCsv(text, 'letter.csv');
  console.log(`adapter: ${engine.adapterName}`);
  for (const binary of [true, false]) {
    const problem = defineProblem(table, { target: 'lettr', positive: binary ? 'ABCDEFGHIJKLM'.split('') : undefined });
    const split = splitRows(problem.labels, 1, { train: 4000, validation: 1000 });
    const encoder = fitEncoder(table, ['lettr'], split.train);
    const classes = problem.classes.length;
    const outputs = binary ? 1 : classes;
    const labels = split.train.map((r) => problem.labels[r]);
    const validationLabels = split.validation.map((r) => problem.labels[r]);
    const xHost = encodeRows(encoder, table, split.train);
    const x = engine.tensor(labels.length, encoder.width, xHost);
    const validation = engine.tensor(validationLabels.length, encoder.width, encodeRows(encoder, table, split.validation));
    const targets = engine.tensor(labels.length, outputs);
    const data: FitData = { engine, x, xHost, labels, targets, classes, outputs, encoder, validation: { x: validation, labels: validationLabels } };

    console.log(`\n${problem.description}: ${labels.length} train, ${validationLabels.length} validation rows`);
    console.log(`${'model'.padEnd(36)} ${'RMSE'.padStart(7)} ${'accuracy'.padStart(9)}`);
    const started = performance.now();
    const models: TeacherModel[] = [...fitKnnModels(data, knnSpecs), ...naiveBayesSpecs.map((spec) => fitNaiveBayes(data, spec))];
    for (const model of models) {
      const out = model.predict(validation);
      const probabilities = await engine.read(out);
      out.release();
      const score = (value: number, digits: number) => value.toFixed(digits).padStart(digits + 3);
      console.log(`${model.name.padEnd(36)} ${score(rmse(probabilities, validationLabels, outputs), 4)} ${score(accuracy(probabilities, validationLabels, outputs), 3).padStart(9)}`);
      model.release();
    }
    console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s to fit and score ${models.length} models)`);
    for (const t of [x, validation, targets]) t.release();
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
