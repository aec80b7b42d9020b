// The embeddable runtime predicts what the engine predicts for the same student, in JS and on WebGPU.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fitEncoder, encodeRows } from '../src/data/encode.js';
import { parseCsv } from '../src/data/csv.js';
import { Random } from '../src/data/random.js';
import { serializeStudent } from '../src/export/student_file.js';
import { Mlp } from '../src/models/mlp.js';
import { loadStudent } from '../src/runtime/index.js';
import { relativeError, testEngine } from './helpers.js';

function randomCsv(random: Random, rows: number): string {
  const lines = ['width,colour,height,label'];
  const colours = ['red', 'green', 'blue'];
  for (let r = 0; r < rows; r++) {
    const width = r % 17 === 0 ? '' : (10 * random.uniform()).toFixed(3);
    lines.push(`${width},${colours[random.int(3)]},${(100 + 50 * random.normal()).toFixed(2)},${random.int(2) ? 'yes' : 'no'}`);
  }
  return lines.join('\n');
}

test('runtime matches engine predictions', async () => {
  const engine = await testEngine();
  const random = new Random(31);
  const table = parseCsv(randomCsv(random, 301), 'runtime.csv');
  const rows = Array.from({ length: 301 }, (_, i) => i);
  const encoder = fitEncoder(table, ['label'], rows.slice(0, 200));
  for (const outputs of [1, 3]) {
    const mlp = Mlp.create(engine, { inputs: encoder.width, hidden: [37, 19], outputs }, 5 + outputs);
    const text = serializeStudent({
      problem: 'runtime test',
      target: 'label',
      classes: outputs === 1 ? ['no', 'yes'] : ['a', 'b', 'c'],
      positive: outputs === 1 ? ['yes'] : [],
      student: { encoder, layers: await mlp.export(), hidden: 37, validationRmse: 0.3, epochs: 1 },
      rows: { train: 200 },
      options: { seed: 1, pseudo: 0, swapProbability: 0.5, spread: 2, loss: 'cross-entropy' },
      adapter: engine.adapterName,
    });

    const encoded = encodeRows(encoder, table, rows);
    const x = engine.tensor(rows.length, encoder.width, encoded);
    const probabilities = mlp.predict(x);
    const expected = await engine.read(probabilities);
    x.release();
    probabilities.release();
    mlp.release();

    const student = loadStudent(text);
    assert.is(student.outputs, outputs);
    const fromEncoded = student.predictEncoded(encoded);
    assert.ok(relativeError(fromEncoded, expected) <= 1e-5, `${outputs} outputs: encoded rows differ by ${relativeError(fromEncoded, expected)}`);

    // Raw records, as an application would pass them, with numbers as numbers or strings.
    const records = rows.map((r) => ({
      width: table.columns[0].numbers[r],
      colour: table.columns[1].strings[r],
      height: String(table.columns[2].numbers[r]),
    }));
    const fromRecords = student.predict(records);
    assert.ok(relativeError(fromRecords, expected) <= 1e-5, `${outputs} outputs: records differ by ${relativeError(fromRecords, expected)}`);

    // On the caller's device the runtime runs the engine's kernels, so results are identical.
    const gpu = await student.onDevice(engine.device);
    assert.equal(Array.from(await gpu.predict(records)), Array.from(expected), `${outputs} outputs: GPU runtime`);
    assert.equal(Array.from(await gpu.predictEncoded(encoded)), Array.from(expected));
    gpu.destroy();
    // The caller's device still works after the runtime let go of it.
    const check = engine.tensor(1, 4, Float32Array.of(1, 2, 3, 4));
    assert.equal(Array.from(await engine.read(check)), [1, 2, 3, 4]);
    check.release();
  }
});

test('runtime rejects unsupported values', async () => {
  const engine = await testEngine();
  const table = parseCsv('width,colour,label\n1,red,yes\n2,blue,no\n3,red,no\n', 'types.csv');
  const encoder = fitEncoder(table, ['label'], [0, 1, 2]);
  const mlp = Mlp.create(engine, { inputs: encoder.width, hidden: [3], outputs: 1 }, 1);
  const student = loadStudent(
    serializeStudent({
      problem: 'types',
      target: 'label',
      classes: ['no', 'yes'],
      positive: ['yes'],
      student: { encoder, layers: await mlp.export(), hidden: 3, validationRmse: 0.5, epochs: 1 },
      rows: { train: 3 },
      options: { seed: 1, pseudo: 0, swapProbability: 0.5, spread: 2, loss: 'cross-entropy' },
      adapter: engine.adapterName,
    }),
  );
  mlp.release();
  const odd = [true, [1], { a: 1 }] as unknown[];
  for (const value of odd) {
    assert.throws(() => student.predict([{ width: value as number, colour: 'red' }]), /attribute 'width': a value of type \w+ is not supported/);
    assert.throws(() => student.predict([{ width: 1, colour: value as string }]), /attribute 'colour': a value of type \w+ is not supported/);
  }
  assert.throws(() => student.predict([null as unknown as Record<string, number>]), /a record must be an object/);
  assert.is(student.predict([{ width: 1e300, colour: 'red' }]).every(Number.isFinite), true);
});

test('runtime rejects damaged files', () => {
  assert.throws(() => loadStudent('{"format":"something-else"}'), /not a webgpu-mimic student file/);
  assert.throws(() => loadStudent('not json'), /not valid JSON/);
  assert.throws(() => loadStudent('{"format":"webgpu-mimic-student","version":7}'), /version 7 is not supported/);
});

test.run();
