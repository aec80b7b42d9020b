// Measures the teacher alone: fits a library on letter.csv with the protocol of Bucilua et al.
// (2006): 4,000 train, 1,000 validation and the rest test rows, selects the ensemble, and prints every model's and the
// ensemble's test RMSE, for several seeds, with their mean.
//
//   node build.mjs && node build/bench/teacher.js [--problem p1|p2|letter] [--seeds 1,2,3]
//     [--library small|default|large|FILE.json] [--metric rmse|accuracy|auc|logloss] [--json FILE]
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseCsv } from '../src/data/csv.js';
import { createEngine } from '../src/gpu/engine.js';
import { accuracy, rmse } from '../src/metrics/metrics.js';
import { prepareData } from '../src/pipeline/compress.js';
import { fitData } from '../src/pipeline/teacher.js';
import { fitLibrary } from '../src/teacher/library.js';
import { librarySizes, librarySpecs, parseLibrary, type LibrarySize } from '../src/teacher/presets.js';
import { bestSingle, defaultSelection, selectEnsemble, weightedAverage, type SelectionMetric } from '../src/teacher/selection.js';

const { values: args } = parseArgs({
  options: {
    problem: { type: 'string', default: 'p2' },
    seeds: { type: 'string', default: '1' },
    library: { type: 'string', default: 'default' },
    metric: { type: 'string', default: 'rmse' },
    json: { type: 'string' },
  },
});

const positives: Record<string, string[] | undefined> = { p1: ['O'], p2: 'ABCDEFGHIJKLM'.split(''), letter: undefined };
if (!(args.problem in positives)) throw new Error(`--problem must be p1, p2 or letter, got ${args.problem}`);
const table = parseCsv(readFileSync(new URL('../../data/letter.csv', import.meta.url), 'utf8'), 'letter.csv');
const seeds = args.seeds.split(',').map(Number);
const engine = await createEngine();
const runs: Array<Record<string, unknown>> = [];

for (const seed of seeds) {
  const prepared = prepareData(table, { target: 'lettr', positive: positives[args.problem], seed });
  const started = performance.now();
  const { data, test, testLabels, release } = fitData(engine, prepared);
  const specs = librarySizes.includes(args.library as LibrarySize)
    ? librarySpecs(args.library as LibrarySize, seed)
    : parseLibrary(JSON.parse(readFileSync(args.library, 'utf8')), args.library);
  const entries = await fitLibrary(data, test, specs, {
    onModel: ({ done, total, entry }) =>
      console.error(
        `seed ${seed} ${done}/${total} ${entry.model.name}: validation ${rmse(entry.validation, data.validation.labels, data.outputs).toFixed(4)}, test ${rmse(entry.test, testLabels, data.outputs).toFixed(4)}, ${entry.seconds.toFixed(1)} s`,
      ),
  });
  const fitSeconds = (performance.now() - started) / 1000;
  const metric = args.metric as SelectionMetric;
  const selection = selectEnsemble(
    entries.map((e) => e.validation),
    data.validation.labels,
    data.outputs,
    { ...defaultSelection, metric, seed },
  );
  const combined = weightedAverage(entries.map((e) => e.test), selection.weights);
  const single = bestSingle(entries.map((e) => e.validation), data.validation.labels, data.outputs, metric);
  const run = {
    seed,
    ensembleTestRmse: rmse(combined, testLabels, data.outputs),
    ensembleTestAccuracy: accuracy(combined, testLabels, data.outputs),
    ensembleValidation: selection.validationScore,
    single: entries[single].model.name,
    singleTestRmse: rmse(entries[single].test, testLabels, data.outputs),
    members: entries.map((e, m) => ({ name: e.model.name, weight: selection.weights[m] })).filter((m) => m.weight > 0),
    models: entries.map((e) => ({ name: e.model.name, validationRmse: rmse(e.validation, data.validation.labels, data.outputs), testRmse: rmse(e.test, testLabels, data.outputs), seconds: e.seconds })),
    fitSeconds,
  };
  runs.push(run);
  console.log(`seed ${seed}: ensemble test RMSE ${run.ensembleTestRmse.toFixed(4)} (accuracy ${run.ensembleTestAccuracy.toFixed(4)}), single ${run.single} ${run.singleTestRmse.toFixed(4)}, ${fitSeconds.toFixed(0)} s`);
  console.log(`  members: ${run.members.map((m) => `${m.name} ${m.weight.toFixed(3)}`).join('; ')}`);
  for (const e of entries) e.model.release();
  release();
}

const mean = (key: 'ensembleTestRmse' | 'singleTestRmse') => runs.reduce((sum, r) => sum + (r[key] as number), 0) / runs.length;
console.log(`${args.problem} library ${args.library}, ${runs.length} seeds: mean ensemble test RMSE ${mean('ensembleTestRmse').toFixed(4)}, mean single ${mean('singleTestRmse').toFixed(4)}`);
if (args.json) writeFileSync(args.json, JSON.stringify({ problem: args.problem, library: args.library, metric: args.metric, adapter: engine.adapterName, runs }, null, 2));
engine.destroy();
process.exit(0);
