// The small library end to end on a three-class table with nominal columns and missing values:
// every family fits, predicts probability rows that sum to 1, and the selected ensemble is
// accurate on held-out rows.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCsv } from '../src/data/csv.js';
import { accuracy } from '../src/metrics/metrics.js';
import { prepareData } from '../src/pipeline/compress.js';
import { fitData } from '../src/pipeline/teacher.js';
import { fitLibrary } from '../src/teacher/library.js';
import { librarySpecs } from '../src/teacher/presets.js';
import { defaultSelection, selectEnsemble, weightedAverage } from '../src/teacher/selection.js';
import { testEngine } from './helpers.js';

const penguins = parseCsv(readFileSync(new URL('../../data/penguins.csv', import.meta.url), 'utf8'), 'penguins.csv');

test('small library on three classes', async () => {
  const engine = await testEngine();
  const prepared = prepareData(penguins, { target: 'species', seed: 2 });
  assert.is(prepared.outputs, 3);
  const uploaded = fitData(engine, prepared);
  const entries = await fitLibrary(uploaded.data, uploaded.test, librarySpecs('small', 2));
  const families = entries.map((e) => e.model.family).sort();
  assert.equal(families, ['boosted-trees', 'knn', 'logistic', 'mlp', 'naive-bayes', 'random-forest']);

  for (const { model, test: p } of entries) {
    assert.is(p.length, uploaded.testLabels.length * 3, model.name);
    for (let r = 0; r < uploaded.testLabels.length; r++) {
      const sum = p[r * 3] + p[r * 3 + 1] + p[r * 3 + 2];
      assert.ok(Math.abs(sum - 1) < 1e-4, `${model.name} row ${r} sums to ${sum}`);
    }
    // Penguin species are nearly separable by bill and flipper sizes.
    assert.ok(accuracy(p, uploaded.testLabels, 3) > 0.85, `${model.name} test accuracy ${accuracy(p, uploaded.testLabels, 3)}`);
  }

  const selection = selectEnsemble(entries.map((e) => e.validation), uploaded.data.validation.labels, 3, { ...defaultSelection, seed: 2 });
  const combined = weightedAverage(entries.map((e) => e.test), selection.weights);
  assert.ok(accuracy(combined, uploaded.testLabels, 3) > 0.95, `ensemble test accuracy ${accuracy(combined, uploaded.testLabels, 3)}`);
  for (const e of entries) e.model.release();
  uploaded.release();
});

test.run();
