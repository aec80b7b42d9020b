// prepareData: the CPU checks and warnings that run before any GPU work.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCsv } from '../src/data/csv.js';
import { MimicError } from '../src/errors.js';
import { prepareData } from '../src/pipeline/compress.js';

function table(rows: number, target: (i: number) => string): string {
  const lines = ['a,b,y'];
  for (let i = 0; i < rows; i++) lines.push(`${i % 7},${(i * 13) % 11},${target(i)}`);
  return lines.join('\n');
}

test('continuous target warns', () => {
  const prepared = prepareData(parseCsv(table(400, (i) => String(i % 40)), 't.csv'), { target: 'y' });
  assert.is(prepared.problem.classes.length, 40);
  assert.ok(prepared.warnings.some((w) => /^target 'y' has 40 distinct numbers and is treated as that many classes/.test(w)), prepared.warnings.join('\n'));
});

test('clean binary data has no warnings', () => {
  const prepared = prepareData(parseCsv(table(400, (i) => (i % 3 === 0 ? 'yes' : 'no')), 't.csv'), { target: 'y' });
  assert.equal(prepared.warnings, []);
  assert.is(prepared.outputs, 1);
  assert.is(prepared.train.length, prepared.split.train.length * prepared.encoder.width);
});

test('classes without training rows warn', () => {
  const prepared = prepareData(parseCsv(table(400, (i) => (i < 397 ? String(i % 3) : 'rare')), 't.csv'), { target: 'y', split: { train: 20, validation: 10 } });
  assert.ok(prepared.warnings.some((w) => /^1 of 4 classes have no training rows \(rare\)/.test(w)), prepared.warnings.join('\n'));
});

test('options are checked before data', () => {
  const text = parseCsv(table(50, (i) => (i % 2 ? 'yes' : 'no')), 't.csv');
  assert.throws(() => prepareData(text, { target: 'y', hidden: 0 }), (e: Error) => e instanceof MimicError && /--hidden must be an integer/.test(e.message));
  assert.throws(() => prepareData(text, { target: 'y', swapProbability: -0.1 }), (e: Error) => e instanceof MimicError && /--munge-p/.test(e.message));
});

test.run();
