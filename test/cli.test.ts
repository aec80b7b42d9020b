// The `mimic` command as users run it: bad input ends with one clear line and a non-zero exit,
// and a small run on letter.csv writes the table, the JSON report and the student file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseStudent } from '../src/export/student_file.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mimic-cli-'));

function mimic(...args: string[]) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8', timeout: 600_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Lines the command itself wrote to stderr; Dawn's own driver warnings are not ours. */
function ownLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('mimic:'));
}

function expectOneLineError(args: string[], pattern: RegExp): void {
  const run = mimic(...args);
  assert.is(run.code, 1, `exit code for ${args.join(' ')}: ${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.is(lines.length, 1, `stderr for ${args.join(' ')} has ${lines.length} lines:\n${run.stderr}`);
  assert.match(lines[0], pattern);
  assert.not.match(run.stderr, /\n\s+at /, 'stderr contains a stack trace');
  assert.is(run.stdout, '');
}

// A library small enough for tests: one MLP and a logistic regression.
const tinyLibrary = join(work, 'tiny-library.json');
writeFileSync(tinyLibrary, JSON.stringify([{ family: 'mlp', hidden: [64], epochs: 60 }, { family: 'logistic', epochs: 30 }]));
const oneClass = join(work, 'one-class.csv');
writeFileSync(join(work, 'three.csv'), ['a,b,label', ...Array.from({ length: 90 }, (_, i) => `${i % 7},${i % 5},${'xyz'[i % 3]}`)].join('\n'));
writeFileSync(oneClass, 'a,b,label\n1,2,yes\n3,4,yes\n5,6,yes\n');
const binary = join(work, 'image.csv');
writeFileSync(binary, Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256)));
const ragged = join(work, 'ragged.csv');
writeFileSync(ragged, 'a,b,label\n1,2,x\n3,4\n');

test('missing file is one line', () => {
  expectOneLineError(['compress', join(work, 'nope.csv'), '--target', 'x'], /^mimic: file not found: .*nope\.csv$/);
});

test('unknown target column is one line', () => {
  expectOneLineError(['compress', oneClass, '--target', 'colour'], /^mimic: .*colour.*(a, b, label|a, b and label)/);
});

test('single-class target is one line', () => {
  expectOneLineError(['compress', oneClass, '--target', 'label'], /^mimic: .*only one class/);
});

test('binary file is one line', () => {
  expectOneLineError(['compress', binary, '--target', 'x'], /^mimic: .*does not look like a CSV file/);
});

test('ragged row is one line', () => {
  expectOneLineError(['compress', ragged, '--target', 'label'], /^mimic: .*line 3.*expected 3.*2/);
});

test('options out of range are one line', () => {
  expectOneLineError(['compress', '--hidden', '0'], /^mimic: --hidden must be an integer from 1 to 16384, got 0$/);
  expectOneLineError(['compress', '--munge-p', '1.5'], /^mimic: --munge-p must be a number from 0 to 1, got 1\.5$/);
  expectOneLineError(['compress', '--munge-s', '0'], /^mimic: --munge-s must be a number above 0/);
  expectOneLineError(['compress', '--pseudo=-3'], /^mimic: --pseudo must be an integer/);
  expectOneLineError(['compress', '--pseudo', '-3'], /^mimic: Option '--pseudo' argument is ambiguous.*--pseudo=-XYZ/);
  expectOneLineError(['compress', '--seed', 'abc'], /^mimic: --seed must be a number, got 'abc'$/);
  expectOneLineError(['compress', '--library', 'huge'], /^mimic: --library must be small, default, large or a \.json file of model specs, got huge$/);
  expectOneLineError(['compress', '--selection-metric', 'f1'], /^mimic: --selection-metric must be rmse, accuracy, auc or logloss, got f1$/);
  expectOneLineError(['compress', '--loss', 'hinge'], /^mimic: --loss must be/);
  expectOneLineError(['compress', '--train', '19000', '--validation', '1000'], /^mimic: /);
  expectOneLineError(['compress', '--bogus'], /^mimic: Unknown option '--bogus'.*mimic --help/);
  expectOneLineError(['frobnicate'], /^mimic: unknown command 'frobnicate'/);
});

test('bad library files are one line', () => {
  const file = (name: string, text: string) => {
    const path = join(work, name);
    writeFileSync(path, text);
    return path;
  };
  expectOneLineError(['compress', '--library', join(work, 'missing.json')], /^mimic: library file .*missing\.json not found$/);
  expectOneLineError(['compress', '--library', file('broken.json', '[{"family": ')], /^mimic: library file .*broken\.json is not valid JSON/);
  expectOneLineError(['compress', '--library', file('empty.json', '[]')], /^mimic: .*empty\.json must contain a non-empty JSON array of model specs/);
  expectOneLineError(['compress', '--library', file('family.json', '[{"family": "svm"}]')], /^mimic: .*family\.json, model 1: family must be one of mlp, logistic, rff, /);
  expectOneLineError(['compress', '--library', file('field.json', '[{"family": "mlp", "depth": 3}]')], /^mimic: .*field\.json, model 1: unknown field "depth" for family mlp/);
  expectOneLineError(['compress', '--library', file('inherited.json', '[{"family": "constructor"}]')], /^mimic: .*inherited\.json, model 1: family must be one of/);
  expectOneLineError(['compress', '--library', file('proto.json', '[{"family": "knn", "__proto__": {"k": 0}}]')], /^mimic: .*proto\.json, model 1: unknown field "__proto__" for family knn/);
  expectOneLineError(['compress', '--library', file('twice.json', '[{"family": "knn", "k": 3}, {"family": "knn", "k": 3}]')], /^mimic: .*twice\.json, model 2: knn k=3 distance is already model 1/);
  expectOneLineError(['compress', '--library', file('range.json', '[{"family": "mlp", "learningRate": -1}]')], /^mimic: .*range\.json, model 1: learningRate must be a number above 0 and at most 10, got -1$/);
});

test('auc on many classes fails first', () => {
  const run = mimic('compress', join(work, 'three.csv'), '--target', 'label', '--selection-metric', 'auc', '--out', 'auc-out');
  assert.is(run.code, 1, run.stderr);
  assert.match(ownLines(run.stderr)[0], /^mimic: --selection-metric auc needs a binary problem, and 'label' has 3 classes/);
  assert.not.ok(existsSync(join(work, 'auc-out')), 'auc-out was created');
});

test('numbers must be decimal', () => {
  expectOneLineError(['compress', '--pseudo', '0x10'], /^mimic: --pseudo must be a number, got '0x10'$/);
});

test('bad output paths fail before training', () => {
  const folder = join(work, 'a-folder');
  const file = join(work, 'a-file');
  mkdirSync(folder, { recursive: true });
  writeFileSync(file, 'keep me');
  expectOneLineError(['compress', '--out='], /^mimic: --out must name a folder, got an empty value$/);
  expectOneLineError(['compress', '--json='], /^mimic: --json must name a file/);
  expectOneLineError(['compress', '--json', 'mimic-out/student.json'], /^mimic: --json .* is the student file's path/);
  expectOneLineError(['compress', '--json', folder], /^mimic: cannot write .*a-folder \(--json\): it is a folder/);
  expectOneLineError(['compress', '--out', file], /^mimic: cannot write .*a-file\/student\.json \(--out\): a file is in the way/);
  const link = join(work, 'link.json');
  symlinkSync(file, link);
  expectOneLineError(['compress', '--json', link], /^mimic: cannot write .*link\.json \(--json\): it is a link, device or pipe/);
  expectOneLineError(['compress', '--json', folder, '--out', join(work, 'never-made')], /^mimic: cannot write .*a-folder \(--json\): it is a folder/);
  assert.not.ok(existsSync(join(work, 'never-made')), 'a failed check left its --out folder');
  assert.is(readFileSync(file, 'utf8'), 'keep me');
  assert.equal(readdirSync(work).filter((name) => name.endsWith('.tmp') || name.endsWith('.probe')), []);
});

test('file without target is one line', () => {
  expectOneLineError(['compress', oneClass], /^mimic: --target is required/);
});

test('stray word and tiny test warn', () => {
  const lines = ['glucose,age,label'];
  for (let i = 0; i < 60; i++) lines.push(`${80 + ((i * 37) % 90)},${20 + (i % 50)},${i % 3 === 0 ? 'yes' : 'no'}`);
  lines[5] = 'null,33,no';
  const path = join(work, 'stray.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  const run = mimic('compress', path, '--target', 'label', '--pseudo', '200', '--library', tinyLibrary, '--epochs', '2', '--ann-epochs', '2', '--quiet', '--out', 'stray-out');
  assert.is(run.code, 0, run.stderr);
  const warnings = ownLines(run.stderr);
  assert.is(warnings.length, 2, run.stderr);
  assert.match(warnings[0], /^mimic: warning: column 'glucose' is read as nominal because of non-numeric values such as 'null' \(data row 5\)/);
  assert.match(warnings[1], /^mimic: warning: only \d+ test rows, so the test scores are noisy/);
});

test('help lists the options', () => {
  const run = mimic('--help');
  assert.is(run.code, 0);
  for (const flag of ['--target', '--positive', '--pseudo', '--hidden', '--seed', '--out', '--json']) assert.ok(run.stdout.includes(flag), flag);
});

test('small run writes table, json and student', () => {
  const out = join(work, 'out');
  const json = join(work, 'result.json');
  const args = ['compress', '--train', '600', '--validation', '200', '--pseudo', '3000', '--library', tinyLibrary, '--epochs', '4', '--ann-epochs', '4', '--out', out, '--json', json];
  const run = mimic(...args);
  assert.is(run.code, 0, run.stderr);
  assert.is(ownLines(run.stderr).length, 0, run.stderr);
  assert.match(run.stdout, /^LETTER\.p2: 600 train, 200 validation, 19200 test rows; 3000 MUNGE pseudo rows/);
  for (const model of ['ensemble', 'single', 'ann', 'student']) assert.match(run.stdout, new RegExp(`\\n${model}\\s+0\\.\\d{4}\\s+0\\.\\d{4}\\s+0\\.\\d{4}`));
  assert.match(run.stderr, /\[student\] epoch 4: loss \d+\.\d+/);

  const result = JSON.parse(readFileSync(json, 'utf8'));
  assert.is(result.problem, 'LETTER.p2');
  assert.equal(result.rows, { train: 600, validation: 200, test: 19200, pseudo: 3000 });
  for (const model of ['ensemble', 'single', 'ann', 'student']) {
    const scores = result.models[model];
    for (const key of ['rmse', 'accuracy', 'auc', 'bytes', 'msPer10k']) {
      assert.type(scores[key], 'number', `${model}.${key}`);
      assert.ok(Number.isFinite(scores[key]), `${model}.${key} = ${scores[key]}`);
    }
    assert.ok(scores.rmse > 0, `${model} RMSE ${scores.rmse}`);
    assert.ok(scores.rmse < 0.5, `${model} RMSE ${scores.rmse}`);
    assert.ok(scores.auc > 0.6, `${model} AUC ${scores.auc}`);
  }
  assert.is(result.library.length, 2);
  for (const entry of result.library) {
    assert.type(entry.name, 'string');
    for (const rows of ['validation', 'test'] as const) {
      assert.ok(entry[rows].rmse > 0, `${entry.name} ${rows} RMSE ${entry[rows].rmse}`);
      assert.ok(entry[rows].rmse < 0.5, `${entry.name} ${rows} RMSE ${entry[rows].rmse}`);
    }
  }
  const weights = result.selection.members.map((m: { weight: number }) => m.weight);
  assert.ok(Math.abs(weights.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-9, `weights ${weights}`);
  assert.ok(result.library.some((entry: { name: string }) => entry.name === result.single), result.single);
  const { ensemble, ann, student } = result.models;
  assert.is(result.gainKept, (ann.rmse - student.rmse) / (ann.rmse - ensemble.rmse));
  assert.is(student.bytes, (16 * 256 + 256 + 256 + 1) * 4);

  const onnx = readFileSync(join(out, 'student.onnx'));
  assert.ok(onnx.length > (16 * 256 + 256 + 256 + 1) * 4, `student.onnx has ${onnx.length} bytes`);
  const model = parseStudent(readFileSync(join(out, 'student.json'), 'utf8'));
  assert.is(model.layers.length, 2);
  assert.is(model.layers[0].inputs, 16);
  assert.is(model.layers[0].outputs, 256);
  assert.is(model.problem.target, 'lettr');
});

test('same seed gives the same result', () => {
  const args = ['compress', '--train', '400', '--validation', '100', '--pseudo', '1000', '--library', tinyLibrary, '--epochs', '2', '--ann-epochs', '2', '--quiet'];
  const first = mimic(...args, '--json', 'a.json', '--out', 'a');
  const second = mimic(...args, '--json', 'b.json', '--out', 'b');
  assert.is(first.code, 0, first.stderr);
  assert.is(second.code, 0, second.stderr);
  const scores = (file: string) => {
    const models = JSON.parse(readFileSync(join(work, file), 'utf8')).models;
    return ['ensemble', 'single', 'ann', 'student'].map((m) => [models[m].rmse, models[m].accuracy, models[m].auc]);
  };
  assert.equal(scores('a.json'), scores('b.json'));
  assert.is(readFileSync(join(work, 'a', 'student.json'), 'utf8').replace(/"adapter".*$/, ''), readFileSync(join(work, 'b', 'student.json'), 'utf8').replace(/"adapter".*$/, ''));
});

test.run();
