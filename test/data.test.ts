import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { thrown } from './helpers.js';
import { attributeGroups, distanceWeights, encodeRecord, encodeRows, fitEncoder } from '../src/data/encode.js';
import { column, parseCsv, type Table } from '../src/data/csv.js';
import { defineProblem } from '../src/data/problem.js';
import { Random } from '../src/data/random.js';
import { splitRows } from '../src/data/split.js';
import { MimicError } from '../src/errors.js';

// Tests are bundled to build/test/, two levels below the repository root.
const letterText = readFileSync(new URL('../../data/letter.csv', import.meta.url), 'utf8');

/** Runs `fn` and returns the message of the MimicError it throws. */
function mimicMessage(fn: () => unknown): string {
  const error = thrown(fn);
  assert.instance(error, MimicError);
  assert.not.match(error.message, /\n/);
  return error.message;
}

function numbersOf(table: Table, name: string): number[] {
  return Array.from(column(table, name).numbers);
}

function closeTo(actual: number, expected: number, tolerance = 1e-6): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);
}

// ---------------------------------------------------------------- CSV

test('parseCsv types numeric and nominal columns', () => {
  const table = parseCsv('a,b,c\n1,x,2.5\n-3,y,1e3\n', 'small.csv');
  assert.is(table.rowCount, 2);
  assert.is(table.source, 'small.csv');
  assert.equal(
    table.columns.map((c) => c.name),
    ['a', 'b', 'c'],
  );
  assert.equal(
    table.columns.map((c) => c.kind),
    ['numeric', 'nominal', 'numeric'],
  );
  assert.equal(numbersOf(table, 'a'), [1, -3]);
  assert.equal(numbersOf(table, 'c'), [2.5, 1000]);
  assert.equal(column(table, 'b').strings, ['x', 'y']);
  assert.is(column(table, 'b').numbers.length, 0);
  assert.equal(column(table, 'a').strings, []);
});

test('parseCsv quoted commas and quotes', () => {
  const table = parseCsv('name,note\n"Smith, J","said ""hi"""\n"",plain\n');
  assert.equal(column(table, 'name').strings, ['Smith, J', null]);
  assert.equal(column(table, 'note').strings, ['said "hi"', 'plain']);
});

test('parseCsv quoted newline spans lines', () => {
  const table = parseCsv('id,text\n1,"line one\nline two"\n2,"a\r\nb"\n');
  assert.is(table.rowCount, 2);
  assert.equal(column(table, 'text').strings, ['line one\nline two', 'a\r\nb']);

  // The record after a two-line field starts on line 4, and the next one on line 6.
  const message = mimicMessage(() => parseCsv('id,text\n1,"x\ny"\n2,"a\nb"\n3\n', 'multi.csv'));
  assert.match(message, 'multi.csv line 6');
});

test('parseCsv CRLF line ends', () => {
  const lf = parseCsv('a,b\n1,x\n2,y\n');
  const crlf = parseCsv('a,b\r\n1,x\r\n2,y\r\n');
  assert.equal(crlf.columns, lf.columns);
  assert.equal(column(crlf, 'b').strings, ['x', 'y']);
});

test('parseCsv strips byte order mark', () => {
  const table = parseCsv('\ufeffa,b\n1,2\n');
  assert.equal(
    table.columns.map((c) => c.name),
    ['a', 'b'],
  );
  assert.is(column(table, 'a').kind, 'numeric');
});

test('parseCsv final newline optional', () => {
  const withNewline = parseCsv('a,b\n1,x\n2,y\n');
  const without = parseCsv('a,b\n1,x\n2,y');
  assert.is(without.rowCount, 2);
  assert.equal(without.columns, withNewline.columns);
});

test('parseCsv trims unquoted whitespace only', () => {
  const table = parseCsv(' a , b \n 1 ,  x y \t\n2," padded "\n');
  assert.equal(
    table.columns.map((c) => c.name),
    ['a', 'b'],
  );
  assert.equal(numbersOf(table, 'a'), [1, 2]);
  assert.equal(column(table, 'b').strings, ['x y', ' padded ']);
});

test('parseCsv skips blank lines', () => {
  const table = parseCsv('a,b\n\n1,2\n   \n3,4\n\n\n');
  assert.is(table.rowCount, 2);
  assert.equal(numbersOf(table, 'b'), [2, 4]);
});

test('parseCsv missing markers', () => {
  const table = parseCsv('n,s\n1,x\n,?\n?,NA\nNA,\nNaN,NaN\n"",y\n');
  const n = numbersOf(table, 'n');
  assert.is(column(table, 'n').kind, 'numeric');
  assert.is(n[0], 1);
  for (let r = 1; r < 6; r++) assert.ok(Number.isNaN(n[r]), `row ${r} should be missing, got ${n[r]}`);
  assert.equal(column(table, 's').strings, ['x', null, null, null, null, 'y']);
});

test('parseCsv missing markers are case-sensitive', () => {
  const table = parseCsv('s\nna\nnan\nNA\n');
  assert.is(column(table, 's').kind, 'nominal');
  assert.equal(column(table, 's').strings, ['na', 'nan', null]);
});

test('parseCsv quoted numbers are numeric', () => {
  const table = parseCsv('code,weight\n"1","0.5"\n"22",".25"\n');
  assert.is(column(table, 'code').kind, 'numeric');
  assert.equal(numbersOf(table, 'code'), [1, 22]);
  assert.equal(numbersOf(table, 'weight'), [0.5, 0.25]);
});

test('parseCsv non-decimal values make column nominal', () => {
  for (const value of ['0x10', 'Infinity', '-Infinity', '1e999', '1,5', '1 2', '5%', 'one']) {
    const table = parseCsv(`v\n1\n"${value}"\n`);
    assert.is(column(table, 'v').kind, 'nominal', `column with '${value}'`);
    assert.equal(column(table, 'v').strings, ['1', value]);
  }
});

test('parseCsv decimal number forms', () => {
  const table = parseCsv('v\n+1\n-0.5\n3.\n.5\n2E-3\n-1e+2\n');
  assert.equal(numbersOf(table, 'v'), [1, -0.5, 3, 0.5, 0.002, -100]);
});

test('parseCsv all-missing column is numeric', () => {
  const table = parseCsv('a,b\n1,?\n2,\n');
  assert.is(column(table, 'b').kind, 'numeric');
  assert.ok(numbersOf(table, 'b').every(Number.isNaN));
});

test('parseCsv rejects empty file', () => {
  for (const text of ['', '\ufeff', '  \n\n \r\n']) {
    const message = mimicMessage(() => parseCsv(text, 'empty.csv'));
    assert.match(message, 'empty.csv');
    assert.match(message, 'is empty');
  }
});

test('parseCsv rejects header without rows', () => {
  const message = mimicMessage(() => parseCsv('a,b,c\n\n', 'header.csv'));
  assert.match(message, 'header.csv');
  assert.match(message, 'no data rows');
});

test('parseCsv ragged row names line', () => {
  const message = mimicMessage(() => parseCsv('a,b,c\n1,2,3\n4,5,6\n7,8\n', 'ragged.csv'));
  assert.match(message, 'ragged.csv line 4');
  assert.match(message, 'expected 3 fields');
  assert.match(message, 'found 2');
});

test('parseCsv extra field names line', () => {
  const message = mimicMessage(() => parseCsv('a,b\r\n1,2\r\n3,4,5\r\n', 'extra.csv'));
  assert.match(message, 'extra.csv line 3');
  assert.match(message, 'found 3');
});

test('parseCsv line numbers count blank lines', () => {
  const message = mimicMessage(() => parseCsv('a,b\n1,2\n\n\n3\n'));
  assert.match(message, 'line 5');
});

test('parseCsv rejects unterminated quote', () => {
  const message = mimicMessage(() => parseCsv('a,b\n1,2\n3,"open\n5,6\n', 'quote.csv'));
  assert.match(message, 'quote.csv line 3');
  assert.match(message, 'field 2');
  assert.match(message, 'never closed');
});

test('parseCsv rejects text after closing quote', () => {
  const message = mimicMessage(() => parseCsv('a,b\n"x"y,2\n', 'after.csv'));
  assert.match(message, 'after.csv line 2');
  assert.match(message, 'field 1');
});

test('parseCsv rejects duplicate header', () => {
  const message = mimicMessage(() => parseCsv('a,b,a\n1,2,3\n', 'dup.csv'));
  assert.match(message, 'dup.csv line 1');
  assert.match(message, "'a' appears twice");
});

test('parseCsv rejects empty header name', () => {
  const message = mimicMessage(() => parseCsv('a,,c\n1,2,3\n', 'noname.csv'));
  assert.match(message, 'noname.csv line 1');
  assert.match(message, 'column 2');
});

test('parseCsv rejects NUL byte', () => {
  const message = mimicMessage(() => parseCsv('a,b\n1,2\n3\u0000,4\n', 'nul.csv'));
  assert.match(message, 'nul.csv line 3');
  assert.match(message, 'does not look like a CSV file');
});

test('parseCsv rejects binary garbage', () => {
  // Random bytes without zeros, decoded as UTF-8 the way a caller reading a file would.
  const random = new Random(7);
  const bytes = new Uint8Array(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = 1 + random.int(255);
  const text = new TextDecoder().decode(bytes);
  assert.not.match(text, '\u0000');
  const message = mimicMessage(() => parseCsv(text, 'model.bin'));
  assert.match(message, 'model.bin');
  assert.match(message, 'does not look like a CSV file');
});

test('parseCsv accepts non-ASCII text', () => {
  const table = parseCsv('city,population\nZürich,421878\n東京,13960000\nSão Paulo,12330000\n');
  assert.equal(column(table, 'city').strings, ['Zürich', '東京', 'São Paulo']);
});

test('column lists available names', () => {
  const table = parseCsv('alpha,beta\n1,2\n', 'cols.csv');
  assert.is(column(table, 'beta').name, 'beta');
  const message = mimicMessage(() => column(table, 'gamma'));
  assert.match(message, "'gamma'");
  assert.match(message, 'cols.csv');
  assert.match(message, 'alpha, beta');
});

test('parseCsv letter.csv shape and types', () => {
  const start = performance.now();
  const table = parseCsv(letterText, 'letter.csv');
  const elapsed = performance.now() - start;

  assert.ok(elapsed < 1000, `parsing letter.csv took ${elapsed.toFixed(0)} ms`);
  assert.is(table.rowCount, 20000);
  assert.is(table.columns.length, 17);
  const lettr = column(table, 'lettr');
  assert.is(lettr.kind, 'nominal');
  assert.is(new Set(lettr.strings).size, 26);
  assert.ok(lettr.strings.every((s) => s !== null && /^[A-Z]$/.test(s)));
  for (const c of table.columns.slice(1)) {
    assert.is(c.kind, 'numeric', c.name);
    assert.ok(
      c.numbers.every((x) => Number.isInteger(x) && x >= 0 && x <= 15),
      `${c.name} holds integers 0..15`,
    );
  }

  // First data line: "T",2,8,3,5,1,8,13,0,6,6,10,8,0,8,0,8
  assert.is(lettr.strings[0], 'T');
  assert.equal(
    table.columns.slice(1).map((c) => c.numbers[0]),
    [2, 8, 3, 5, 1, 8, 13, 0, 6, 6, 10, 8, 0, 8, 0, 8],
  );
});

// ---------------------------------------------------------------- problems

const letter = parseCsv(letterText, 'letter.csv');

/** Counts the letter.csv rows whose letter is in `letters`, independently of defineProblem. */
function countLetters(letters: string): number {
  let count = 0;
  for (const line of letterText.split('\n').slice(1)) {
    if (line.length > 0 && letters.includes(line[1])) count++;
  }
  return count;
}

function sum(values: Int32Array): number {
  return values.reduce((a, b) => a + b, 0);
}

test('defineProblem LETTER.p2', () => {
  const problem = defineProblem(letter, { target: 'lettr', positive: 'ABCDEFGHIJKLM'.split('') });
  assert.is(problem.kind, 'binary');
  assert.is(problem.classes.length, 2);
  assert.is.not(problem.classes[0], problem.classes[1]);
  assert.equal(problem.positive, 'ABCDEFGHIJKLM'.split(''));
  assert.is(problem.labels.length, 20000);
  assert.is(sum(problem.labels), countLetters('ABCDEFGHIJKLM'));
  const fraction = sum(problem.labels) / 20000;
  assert.ok(fraction > 0.47, `positive fraction ${fraction}`);
  assert.ok(fraction < 0.53, `positive fraction ${fraction}`);
  assert.match(problem.description, 'lettr in {A, B');
  assert.match(problem.description, 'M} vs rest');
});

test('defineProblem LETTER.p1', () => {
  const problem = defineProblem(letter, { target: 'lettr', positive: ['O'] });
  assert.is(problem.kind, 'binary');
  assert.equal(problem.classes, ['not O', 'O']);
  assert.is(sum(problem.labels), countLetters('O'));
  const fraction = sum(problem.labels) / 20000;
  assert.ok(fraction > 0.035, `positive fraction ${fraction}`);
  assert.ok(fraction < 0.041, `positive fraction ${fraction}`);
  const o = column(letter, 'lettr').strings;
  for (let r = 0; r < 100; r++) assert.is(problem.labels[r], o[r] === 'O' ? 1 : 0);
});

test('defineProblem multiclass letters', () => {
  const problem = defineProblem(letter, { target: 'lettr' });
  assert.is(problem.kind, 'multiclass');
  assert.equal(problem.classes, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
  assert.equal(problem.positive, []);
  const strings = column(letter, 'lettr').strings;
  for (let r = 0; r < 200; r++) assert.is(problem.classes[problem.labels[r]], strings[r]);
  assert.match(problem.description, '26 classes');
});

test('defineProblem two values second positive', () => {
  const table = parseCsv('x,class\n1,yes\n2,no\n3,yes\n');
  const problem = defineProblem(table, { target: 'class' });
  assert.is(problem.kind, 'binary');
  assert.equal(problem.positive, ['yes']);
  assert.equal(problem.classes, ['no', 'yes']);
  assert.equal(Array.from(problem.labels), [1, 0, 1]);
  assert.is(problem.description, 'class in {yes} vs {no}');
});

test('defineProblem numeric binary target', () => {
  const table = parseCsv('x,y\n5,1\n6,0\n7,0\n8,1.0\n');
  const problem = defineProblem(table, { target: 'y' });
  assert.is(problem.kind, 'binary');
  assert.equal(problem.classes, ['0', '1']);
  assert.equal(problem.positive, ['1']);
  assert.equal(Array.from(problem.labels), [1, 0, 0, 1]);
});

test('defineProblem numeric classes sort numerically', () => {
  const table = parseCsv('y\n10\n2\n-1\n2\n');
  const problem = defineProblem(table, { target: 'y' });
  assert.equal(problem.classes, ['-1', '2', '10']);
  assert.equal(Array.from(problem.labels), [2, 1, 0, 1]);
});

test('defineProblem positive matches numbers', () => {
  const table = parseCsv('y\n1\n2\n3\n2\n');
  const problem = defineProblem(table, { target: 'y', positive: ['2.0'] });
  assert.equal(problem.positive, ['2']);
  assert.equal(Array.from(problem.labels), [0, 1, 0, 1]);
});

test('defineProblem names many values positive and negative', () => {
  const table = parseCsv('y\na\nb\nc\nd\ne\nf\ng\nh\n');
  const many = defineProblem(table, { target: 'y', positive: ['a', 'b', 'c', 'd'] });
  assert.equal(many.classes, ['negative', 'positive']);
  const few = defineProblem(table, { target: 'y', positive: ['h', 'a'] });
  assert.equal(few.positive, ['a', 'h']);
  assert.equal(few.classes, ['not a,h', 'a,h']);
  const rest = defineProblem(table, { target: 'y', positive: ['a', 'b', 'c', 'd', 'e'] });
  assert.equal(rest.classes, ['f,g,h', 'positive']);
});

test('defineProblem missing target labelled -1', () => {
  const table = parseCsv('x,y\n1,a\n2,?\n3,b\n4,\n5,a\n');
  const problem = defineProblem(table, { target: 'y' });
  assert.equal(Array.from(problem.labels), [0, -1, 1, -1, 0]);
});

test('defineProblem rejects unknown positive value', () => {
  const table = parseCsv('y\nA\nB\nC\n');
  const message = mimicMessage(() => defineProblem(table, { target: 'y', positive: ['A', 'Q'] }));
  assert.match(message, "'Q'");
  assert.match(message, 'A, B, C');
});

test('defineProblem truncates long value list', () => {
  const message = mimicMessage(() => defineProblem(letter, { target: 'lettr', positive: ['a'] }));
  assert.match(message, "'a'");
  assert.match(message, 'A, B, C');
  assert.match(message, 'more');
  assert.not.match(message, 'Z');
});

test('defineProblem rejects one class', () => {
  const table = parseCsv('x,y\n1,A\n2,A\n3,?\n');
  const message = mimicMessage(() => defineProblem(table, { target: 'y' }));
  assert.match(message, "target column 'y' has only one class");
  assert.match(message, 'choose another target or --positive values');
});

test('defineProblem rejects all positive', () => {
  const table = parseCsv('y\nA\nB\nA\n');
  const message = mimicMessage(() => defineProblem(table, { target: 'y', positive: ['A', 'B'] }));
  assert.match(message, 'only one class');
});

test('defineProblem rejects all missing target', () => {
  const table = parseCsv('x,y\n1,?\n2,NA\n');
  const message = mimicMessage(() => defineProblem(table, { target: 'y' }));
  assert.match(message, "'y'");
  assert.match(message, 'every row is missing');
});

test('parseCsv rejects JSON and HTML', () => {
  for (const [text, format] of [
    ['{"a": 1}\n', 'JSON'],
    ['  [1, 2]\n', 'JSON'],
    ['<!DOCTYPE html>\n<html></html>\n', 'HTML or XML'],
  ]) {
    const error = thrown(() => parseCsv(text, 'page.csv'));
    assert.instance(error, MimicError);
    assert.match(error.message, `page.csv starts like a ${format} document, so it does not look like a CSV file`);
  }
});

test('column hints at other separators', () => {
  const table = parseCsv('a;b;Class\n1;2;x\n', 'semi.csv');
  const error = thrown(() => column(table, 'Class'));
  assert.match(error.message, "column 'Class' not found in semi.csv; available columns: a;b;Class; the header looks separated by ';'");
  const plain = thrown(() => column(parseCsv('a,b\n1,2\n', 'plain.csv'), 'Class'));
  assert.not.match(plain.message, 'separated by');
});

test('defineProblem rejects unknown target', () => {
  const message = mimicMessage(() => defineProblem(letter, { target: 'letter' }));
  assert.match(message, "'letter' not found");
  assert.match(message, 'lettr, x.box');
});

// ---------------------------------------------------------------- encoding

const mixed = parseCsv(
  [
    'size,color,const,class',
    '10,red,5,a',
    '20,green,5,b',
    '30,red,5,a',
    '?,blue,5,b',
    '50,?,5,a',
    '70,purple,?,b',
    '0,red,9,a',
  ].join('\n'),
  'mixed.csv',
);
const mixedTrain = [0, 1, 2, 3, 4];

test('fitEncoder uses training rows only', () => {
  const encoder = fitEncoder(mixed, ['class'], mixedTrain);
  assert.is(encoder.width, 5);
  assert.equal(encoder.attributes, [
    { name: 'size', kind: 'continuous', column: 0, min: 10, max: 50, fill: 27.5 },
    { name: 'color', kind: 'nominal', column: 1, categories: ['blue', 'green', 'red'] },
    { name: 'const', kind: 'continuous', column: 4, min: 5, max: 5, fill: 5 },
  ]);
});

test('encodeRows scales continuous by hand', () => {
  const encoder = fitEncoder(mixed, ['class'], mixedTrain);
  const x = encodeRows(encoder, mixed, [0, 1, 3, 5, 6]);
  assert.is(x.length, 5 * 5);
  const size = [0, 1, 2, 3, 4].map((i) => x[i * 5]);
  closeTo(size[0], 0);
  closeTo(size[1], 0.25);
  closeTo(size[2], (27.5 - 10) / 40); // missing: the training mean
  closeTo(size[3], 1.5); // above the training max, not clipped
  closeTo(size[4], -0.25); // below the training min, not clipped
});

test('encodeRows clips far outliers', () => {
  const table = parseCsv('x,y\n0,a\n1,b\n1e300,a\n-1e300,b\n0.5,a\n', 'outliers.csv');
  const encoder = fitEncoder(table, ['y'], [0, 1]);
  const encoded = encodeRows(encoder, table, [2, 3, 4]);
  assert.is(encoded[0], 1e6);
  assert.is(encoded[1], -1e6);
  assert.is(encoded[2], 0.5);
  assert.ok(Array.from(encoded).every(Number.isFinite));
});

test('encodeRows constant column encodes zero', () => {
  const encoder = fitEncoder(mixed, ['class'], mixedTrain);
  const x = encodeRows(encoder, mixed, [0, 5, 6]);
  assert.equal([x[4], x[9], x[14]], [0, 0, 0]);
});

test('encodeRows one-hot with unseen and missing', () => {
  const encoder = fitEncoder(mixed, ['class'], mixedTrain);
  const x = encodeRows(encoder, mixed, [0, 1, 3, 4, 5]);
  const onehot = (i: number) => Array.from(x.subarray(i * 5 + 1, i * 5 + 4));
  assert.equal(onehot(0), [0, 0, 1]); // red
  assert.equal(onehot(1), [0, 1, 0]); // green
  assert.equal(onehot(2), [1, 0, 0]); // blue
  assert.equal(onehot(3), [0, 0, 0]); // missing
  assert.equal(onehot(4), [0, 0, 0]); // purple, unseen in training
});

test('encodeRows follows requested row order', () => {
  const encoder = fitEncoder(mixed, ['class'], mixedTrain);
  const forward = encodeRows(encoder, mixed, [1, 2]);
  const backward = encodeRows(encoder, mixed, [2, 1]);
  assert.equal(Array.from(backward.subarray(0, 5)), Array.from(forward.subarray(5, 10)));
  assert.equal(Array.from(backward.subarray(5, 10)), Array.from(forward.subarray(0, 5)));
});

test('fitEncoder excludes target and ignored columns', () => {
  const encoder = fitEncoder(mixed, ['class', 'color'], mixedTrain);
  assert.equal(
    encoder.attributes.map((a) => a.name),
    ['size', 'const'],
  );
  assert.is(encoder.width, 2);
  assert.is(encoder.attributes[1].column, 1);
});

test('fitEncoder rejects unknown excluded column', () => {
  const message = mimicMessage(() => fitEncoder(mixed, ['class', 'colour'], mixedTrain));
  assert.match(message, "'colour' not found");
});

test('fitEncoder rejects no input columns', () => {
  const message = mimicMessage(() => fitEncoder(mixed, ['class', 'color', 'size', 'const'], mixedTrain));
  assert.match(message, 'no input columns');
});

test('fitEncoder rejects bad row indices', () => {
  const error = thrown(() => fitEncoder(mixed, ['class'], [0, 7]));
  assert.instance(error, RangeError);
  assert.match(error.message, 'trainRows[1] = 7');
});

test('fitEncoder skips column without training values', () => {
  const table = parseCsv('a,b,y\n1,?,p\n2,?,q\n3,x,p\n');
  const encoder = fitEncoder(table, ['y'], [0, 1]);
  assert.equal(
    encoder.attributes.map((a) => a.name),
    ['a'],
  );
  assert.is(encoder.width, 1);
});

test('fitEncoder rejects identifier column', () => {
  const lines = ['id,x,y'];
  for (let i = 0; i < 1200; i++) lines.push(`user${i},${i % 7},${i % 2}`);
  const table = parseCsv(lines.join('\n'), 'users.csv');
  const all = Array.from({ length: 1200 }, (_, i) => i);
  const message = mimicMessage(() => fitEncoder(table, ['y'], all));
  assert.match(message, "'id'");
  assert.match(message, 'identifier');
  assert.match(message, '1200 distinct values');

  // The same column with at most 1000 distinct training values is a category.
  const encoder = fitEncoder(table, ['y'], all.slice(0, 1000));
  assert.is(encoder.width, 1000 + 1);
});

test('attributeGroups and distanceWeights layout', () => {
  const encoder = fitEncoder(mixed, ['class'], mixedTrain);
  assert.equal(Array.from(attributeGroups(encoder)), [0, 1, 0, 1, 3, 1, 4, 1, 0]);
  assert.equal(Array.from(distanceWeights(encoder)), [1, 0.5, 0.5, 0.5, 1]);
});

test('nominal mismatch has squared distance one', () => {
  const encoder = fitEncoder(mixed, ['class'], mixedTrain);
  const weights = distanceWeights(encoder);
  const x = encodeRows(encoder, mixed, [0, 1, 2]);
  const distance = (i: number, j: number) => {
    let d = 0;
    for (let c = 0; c < encoder.width; c++) d += weights[c] * (x[i * 5 + c] - x[j * 5 + c]) ** 2;
    return d;
  };
  // Rows 0 and 2 are both red and differ by 20 in size: (20 / 40)^2.
  closeTo(distance(0, 2), 0.25);
  // Rows 0 and 1 differ in color (1) and by 10 in size: 1 + (10 / 40)^2.
  closeTo(distance(0, 1), 1 + 0.0625);
});

test('encodeRecord matches encodeRows', () => {
  const encoder = fitEncoder(mixed, ['class'], mixedTrain);
  const rows = encodeRows(encoder, mixed, [1, 3, 5]);
  const records = [
    { size: 20, color: 'green', const: 5 },
    { size: '?', color: 'blue', const: '5' },
    { size: ' 70 ', color: 'purple', const: null },
  ];
  records.forEach((record, i) => {
    const encoded = encodeRecord(encoder, record);
    assert.equal(Array.from(encoded), Array.from(rows.subarray(i * 5, i * 5 + 5)), `record ${i}`);
  });
});

test('encodeRecord treats markers as missing', () => {
  const encoder = fitEncoder(mixed, ['class'], mixedTrain);
  const mean = (27.5 - 10) / 40;
  for (const missing of [null, undefined, '', '?', 'NA', 'NaN', NaN]) {
    const encoded = encodeRecord(encoder, { size: missing, color: missing as string | null });
    closeTo(encoded[0], mean);
    assert.equal(Array.from(encoded.subarray(1, 4)), [0, 0, 0], `color ${String(missing)}`);
  }
  const absent = encodeRecord(encoder, { other: 3 });
  closeTo(absent[0], mean);
});

test('encodeRecord reuses and clears out', () => {
  const encoder = fitEncoder(mixed, ['class'], mixedTrain);
  const out = new Float32Array(encoder.width);
  encodeRecord(encoder, { size: 50, color: 'red' }, out);
  const result = encodeRecord(encoder, { size: 10, color: 'blue' }, out);
  assert.is(result, out);
  assert.equal(Array.from(out), [0, 1, 0, 0, 0]);
  const error = thrown(() => encodeRecord(encoder, {}, new Float32Array(3)));
  assert.instance(error, RangeError);
  assert.match(error.message, 'width is 5');
});

test('encodeRecord rejects unparsable number', () => {
  const encoder = fitEncoder(mixed, ['class'], mixedTrain);
  const message = mimicMessage(() => encodeRecord(encoder, { size: 'large' }));
  assert.match(message, "attribute 'size'");
  assert.match(message, "'large'");
  const infinite = mimicMessage(() => encodeRecord(encoder, { size: Infinity }));
  assert.match(infinite, "attribute 'size'");
});

test('encodeRows across tables with other column kinds', () => {
  // Training reads 'code' as nominal and 'size' as numeric. The new file reads them the other way round.
  const train = parseCsv('code,size,y\n1,10,a\n2,20,b\nx,30,a\n');
  const encoder = fitEncoder(train, ['y'], [0, 1, 2]);
  const other = parseCsv('code,size\n2,15\n7,?\n1,big\n');
  const error = mimicMessage(() => encodeRows(encoder, other, [0, 1, 2]));
  assert.match(error, "attribute 'size'");
  assert.match(error, "'big'");

  const x = encodeRows(encoder, other, [0, 1]);
  assert.equal(Array.from(x.subarray(0, 3)), [0, 1, 0]); // code 2
  closeTo(x[3], 0.25);
  assert.equal(Array.from(x.subarray(4, 7)), [0, 0, 0]); // code 7 unseen
  closeTo(x[7], 0.5); // missing size: mean 20
});

test('encodeRows letter.csv in unit range', () => {
  const problem = defineProblem(letter, { target: 'lettr' });
  const split = splitRows(problem.labels, 3);
  const encoder = fitEncoder(letter, ['lettr'], split.train);
  assert.is(encoder.width, 16);
  assert.ok(encoder.attributes.every((a) => a.kind === 'continuous'));
  const x = encodeRows(encoder, letter, split.train);
  assert.is(x.length, 4000 * 16);
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.is(min, 0);
  assert.is(max, 1);
});

// ---------------------------------------------------------------- splits

/** Returns labels with `counts[c]` rows of class c, interleaved so that classes are not in blocks. */
function makeLabels(counts: number[], seed = 11): Int32Array {
  const labels: number[] = [];
  counts.forEach((count, c) => {
    for (let i = 0; i < count; i++) labels.push(c);
  });
  return new Random(seed, 99).shuffle(Int32Array.from(labels));
}

function classCounts(labels: Int32Array, rows: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const r of rows) counts[labels[r]]++;
  return counts;
}

function isSorted(rows: Int32Array): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i - 1] >= rows[i]) return false;
  return true;
}

test('splitRows paper sizes on 20,000 rows', () => {
  const labels = makeLabels([12000, 8000]);
  const split = splitRows(labels, 1);
  assert.is(split.train.length, 4000);
  assert.is(split.validation.length, 1000);
  assert.is(split.test.length, 15000);
});

test('splitRows paper sizes from 7,000 rows', () => {
  const atLimit = splitRows(makeLabels([3500, 3500]), 1);
  assert.equal([atLimit.train.length, atLimit.validation.length, atLimit.test.length], [4000, 1000, 2000]);
  const below = splitRows(makeLabels([3500, 3499]), 1);
  assert.equal([below.train.length, below.validation.length, below.test.length], [3500, 875, 2624]);
});

test('splitRows proportional sizes on 768 rows', () => {
  const labels = makeLabels([500, 268]);
  const split = splitRows(labels, 1);
  assert.is(split.train.length, 384);
  assert.is(split.validation.length, 96);
  assert.is(split.test.length, 288);
});

test('splitRows keeps class proportions', () => {
  const counts = [500, 268];
  const labels = makeLabels(counts);
  const split = splitRows(labels, 5);
  for (const [name, rows] of Object.entries(split)) {
    const parts = classCounts(labels, rows, 2);
    for (let c = 0; c < 2; c++) {
      const expected = (rows.length * counts[c]) / 768;
      assert.ok(Math.abs(parts[c] - expected) <= 1, `${name} class ${c}: ${parts[c]} rows, expected about ${expected}`);
    }
  }
  // 384 * 268 / 768 = 134 exactly, so training gets exactly 134 positives.
  assert.equal(classCounts(labels, split.train, 2), [250, 134]);
});

test('splitRows stratifies letter classes', () => {
  const problem = defineProblem(letter, { target: 'lettr' });
  const split = splitRows(problem.labels, 2);
  const total = classCounts(problem.labels, Int32Array.from(problem.labels.keys()), 26);
  const train = classCounts(problem.labels, split.train, 26);
  for (let c = 0; c < 26; c++) {
    const expected = (4000 * total[c]) / 20000;
    assert.ok(Math.abs(train[c] - expected) < 1, `class ${c}: ${train[c]} training rows, expected about ${expected}`);
  }
  assert.is(
    train.reduce((a, b) => a + b, 0),
    4000,
  );
});

test('splitRows proportions on random class mixes', () => {
  const random = new Random(2024);
  for (let trial = 0; trial < 200; trial++) {
    const classes = 3 + random.int(8);
    const counts = Array.from({ length: classes }, () => 1 + random.int(60));
    const total = counts.reduce((a, b) => a + b, 0);
    const train = 1 + random.int(total - 2);
    const validation = 1 + random.int(total - train - 1);
    const labels = makeLabels(counts, trial);
    const split = splitRows(labels, trial, { train, validation });

    const sizes = { train, validation, test: total - train - validation };
    const slack = { train: 1, validation: 2, test: 1 };
    for (const part of ['train', 'validation', 'test'] as const) {
      assert.is(split[part].length, sizes[part], `trial ${trial} ${part} size`);
      const parts = classCounts(labels, split[part], classes);
      for (let c = 0; c < classes; c++) {
        const expected = (sizes[part] * counts[c]) / total;
        assert.ok(
          Math.abs(parts[c] - expected) < slack[part] + 1e-9,
          `trial ${trial} ${part} class ${c}: ${parts[c]} rows, expected about ${expected}`,
        );
      }
    }
  }
});

test('splitRows partitions labelled rows', () => {
  const labels = makeLabels([40, 30, 30]);
  labels[3] = -1;
  labels[50] = -1;
  const split = splitRows(labels, 9);
  const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
  const labelled = Array.from(labels.keys()).filter((r) => labels[r] >= 0);
  assert.equal(all, labelled);
  assert.ok(!all.includes(3));
  assert.ok(isSorted(split.train));
  assert.ok(isSorted(split.validation));
  assert.ok(isSorted(split.test));
});

test('splitRows deterministic per seed', () => {
  const labels = makeLabels([300, 200]);
  const a = splitRows(labels, 42);
  const b = splitRows(labels, 42);
  assert.equal(Array.from(a.train), Array.from(b.train));
  assert.equal(Array.from(a.validation), Array.from(b.validation));
  assert.equal(Array.from(a.test), Array.from(b.test));
  const c = splitRows(labels, 43);
  assert.not.equal(Array.from(a.train), Array.from(c.train));
  assert.not.equal(Array.from(a.test), Array.from(c.test));
});

test('splitRows explicit sizes', () => {
  const labels = makeLabels([60, 40]);
  const split = splitRows(labels, 1, { train: 50, validation: 20 });
  assert.is(split.train.length, 50);
  assert.is(split.validation.length, 20);
  assert.is(split.test.length, 30);
  assert.equal(classCounts(labels, split.train, 2), [30, 20]);
  assert.equal(classCounts(labels, split.validation, 2), [12, 8]);
});

test('splitRows rounds stratified counts to exact totals', () => {
  // Three equal classes cannot share 10 rows evenly.
  const labels = makeLabels([10, 10, 10]);
  const split = splitRows(labels, 1, { train: 10, validation: 10 });
  assert.is(split.train.length, 10);
  assert.is(split.validation.length, 10);
  assert.is(split.test.length, 10);
  for (const rows of [split.train, split.validation, split.test]) {
    for (const count of classCounts(labels, rows, 3)) assert.ok(count === 3 || count === 4, `class count ${count}`);
  }
});

test('splitRows caps a tiny class', () => {
  // Training's one row goes to class 0 on the index tie-break. Training plus validation then need
  // two rows, and class 0 has no second one, so validation's row comes from class 1.
  const labels = makeLabels([1, 1, 1]);
  const split = splitRows(labels, 1, { train: 1, validation: 1 });
  assert.equal(classCounts(labels, split.train, 3), [1, 0, 0]);
  assert.equal(classCounts(labels, split.validation, 3), [0, 1, 0]);
  assert.equal(classCounts(labels, split.test, 3), [0, 0, 1]);
});

test('splitRows rejects sizes that do not fit', () => {
  const labels = makeLabels([60, 40]);
  const cases = [
    { train: 80, validation: 20 },
    { train: 90, validation: 20 },
    { train: 0, validation: 20 },
    { train: 50, validation: 0 },
    { train: 50.5, validation: 20 },
    { train: -1, validation: 20 },
  ];
  for (const sizes of cases) {
    const message = mimicMessage(() => splitRows(labels, 1, sizes));
    assert.match(message, '100 labelled rows');
    assert.match(message, 'at most 99');
  }
});

test('splitRows rejects tiny data set', () => {
  const message = mimicMessage(() => splitRows(Int32Array.of(0, 1, -1, 1), 1));
  assert.match(message, 'data set too small: 3 labelled rows');
  assert.match(message, 'need at least 4');
});

test('splitRows needs two training rows per class', () => {
  // 32 rows give 16 training rows, and class 1's share of them is 1.
  const labels = makeLabels([30, 2]);
  const message = mimicMessage(() => splitRows(labels, 1));
  assert.match(message, 'data set too small: 32 labelled rows');
  assert.match(message, 'class 1 has 2');
  assert.match(message, 'at least 2');
  const enough = splitRows(makeLabels([30, 4]), 1);
  assert.equal(classCounts(makeLabels([30, 4]), enough.train, 2), [15, 2]);
});

test('splitRows rejects unlabelled data', () => {
  const message = mimicMessage(() => splitRows(Int32Array.of(-1, -1), 1));
  assert.match(message, 'no labelled rows');
});

test.run();
