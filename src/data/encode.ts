import { MimicError, check } from '../errors.js';
import { column, isMissing, listValues, parseNumber, type Column, type Table } from './csv.js';

/**
 * Encoding of one input column. `column` is the first encoded column that it fills.
 * A continuous attribute fills one column with (x - min) / (max - min) and uses `fill`, the
 * training mean in raw units, for a missing value. A nominal attribute fills one column per
 * category, one-hot, in the order of `categories`.
 */
export type AttributeEncoding =
  | { name: string; kind: 'continuous'; column: number; min: number; max: number; fill: number }
  | { name: string; kind: 'nominal'; column: number; categories: string[] };

/** The encoding of every input column, and the total number of encoded columns. */
export interface Encoder {
  attributes: AttributeEncoding[];
  width: number;
}

/** A nominal column with more distinct training values than this is taken for an identifier. */
const MAX_CATEGORIES = 1000;

/**
 * Fits the encoding of every column not in `exclude` on the training rows only, so that no
 * statistic of the validation or test rows leaks into training.
 *
 * Continuous columns use the training min, max and mean. Nominal columns get one category per
 * distinct training value, sorted by UTF-16 code units. A column with no value in any training
 * row carries no information and gets no encoded columns.
 */
export function fitEncoder(table: Table, exclude: string[], trainRows: ArrayLike<number>): Encoder {
  for (const name of exclude) column(table, name);
  checkRows(table, trainRows, 'trainRows');
  if (trainRows.length === 0) throw new RangeError('fitEncoder: trainRows is empty');

  const excluded = new Set(exclude);
  const attributes: AttributeEncoding[] = [];
  let width = 0;
  for (const source of table.columns) {
    if (excluded.has(source.name)) continue;
    const attribute =
      source.kind === 'numeric' ? fitContinuous(source, trainRows, width) : fitNominal(source, trainRows, width);
    if (attribute === null) continue;
    attributes.push(attribute);
    width += attribute.kind === 'continuous' ? 1 : attribute.categories.length;
  }

  check(
    width > 0,
    `no input columns left in ${table.source} after excluding ${listValues(exclude)}; ` +
      'keep at least one column with values in the training rows',
  );
  return { attributes, width };
}

function fitContinuous(source: Column, rows: ArrayLike<number>, column: number): AttributeEncoding | null {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < rows.length; i++) {
    const x = source.numbers[rows[i]];
    if (Number.isNaN(x)) continue;
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    count++;
  }
  if (count === 0) return null;
  return { name: source.name, kind: 'continuous', column, min, max, fill: sum / count };
}

function fitNominal(source: Column, rows: ArrayLike<number>, column: number): AttributeEncoding | null {
  const seen = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    const value = source.strings[rows[i]];
    if (value !== null) seen.add(value);
  }
  if (seen.size === 0) return null;
  if (seen.size > MAX_CATEGORIES) {
    throw new MimicError(
      `column '${source.name}' looks like an identifier: it has ${seen.size} distinct values in the training rows ` +
        `(at most ${MAX_CATEGORIES} are allowed for a nominal column); exclude it from the inputs`,
    );
  }
  const categories = [...seen].sort(); // UTF-16 code unit order, independent of locale
  return { name: source.name, kind: 'nominal', column, categories };
}

/**
 * Encodes table rows into a rows.length x width matrix, row-major.
 *
 * Continuous values outside the training range are not clipped to [0, 1], so validation and test
 * rows may fall below 0 or above 1; only values beyond a million training ranges are clipped there. A constant training column (max == min) encodes as 0. A missing
 * nominal value or a category unseen in training encodes as all zeros.
 */
export function encodeRows(encoder: Encoder, table: Table, rows: ArrayLike<number>): Float32Array {
  checkRows(table, rows, 'rows');
  const out = new Float32Array(rows.length * encoder.width);
  for (const attribute of encoder.attributes) {
    const source = column(table, attribute.name);
    if (attribute.kind === 'continuous') encodeContinuousColumn(attribute, source, rows, out, encoder.width);
    else encodeNominalColumn(attribute, source, rows, out, encoder.width);
  }
  return out;
}

type Continuous = Extract<AttributeEncoding, { kind: 'continuous' }>;
type Nominal = Extract<AttributeEncoding, { kind: 'nominal' }>;

function encodeContinuousColumn(
  attribute: Continuous,
  source: Column,
  rows: ArrayLike<number>,
  out: Float32Array,
  width: number,
): void {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    let x: number;
    if (source.kind === 'numeric') {
      x = source.numbers[row];
    } else {
      // A column numeric in training may read as nominal in another file because of one stray value.
      const text = source.strings[row];
      x = text === null ? NaN : parseContinuous(attribute, text);
    }
    out[i * width + attribute.column] = scale(attribute, x);
  }
}

function encodeNominalColumn(
  attribute: Nominal,
  source: Column,
  rows: ArrayLike<number>,
  out: Float32Array,
  width: number,
): void {
  const index = categoryIndex(attribute);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    // A nominal training column whose values in another file all look numeric reads as numeric there.
    const value = source.kind === 'nominal' ? source.strings[row] : numberToCategory(source.numbers[row]);
    const category = value === null ? undefined : index.get(value);
    if (category !== undefined) out[i * width + attribute.column + category] = 1;
  }
}

/**
 * Encodes one raw record, keyed by column name, into `out` (width values, zeroed first) and
 * returns it. Values may be numbers or strings. null, undefined, '', '?', 'NA' and 'NaN' are
 * missing, and so is a key that the record lacks. Keys that are not attributes are ignored.
 */
export function encodeRecord(
  encoder: Encoder,
  record: Record<string, string | number | null | undefined>,
  out: Float32Array = new Float32Array(encoder.width),
): Float32Array {
  if (out.length !== encoder.width) {
    throw new RangeError(`encodeRecord: out has ${out.length} values but the encoder width is ${encoder.width}`);
  }
  if (record === null || typeof record !== 'object') throw new MimicError(`a record must be an object keyed by column name, got ${record === null ? 'null' : typeof record}`);
  out.fill(0);
  for (const attribute of encoder.attributes) {
    const value = record[attribute.name];
    if (attribute.kind === 'continuous') out[attribute.column] = scale(attribute, recordNumber(attribute, value));
    else {
      checkRecordValue(attribute.name, value);
      const category = recordCategory(value);
      const index = category === null ? undefined : categoryIndex(attribute).get(category);
      if (index !== undefined) out[attribute.column + index] = 1;
    }
  }
  return out;
}

/** Returns a continuous record value in raw units, or NaN when it is missing. */
/** Rejects record values that are neither strings nor numbers, which JavaScript callers can pass. */
function checkRecordValue(name: string, value: unknown): void {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'number') return;
  throw new MimicError(`attribute '${name}': a value of type ${Array.isArray(value) ? 'array' : typeof value} is not supported; give a number, a string or null`);
}

function recordNumber(attribute: Continuous, value: string | number | null | undefined): number {
  checkRecordValue(attribute.name, value);
  if (value === null || value === undefined) return NaN;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return NaN;
    check(Number.isFinite(value), `attribute '${attribute.name}': value ${value} is not a finite number`);
    return value;
  }
  const text = value.trim();
  return isMissing(text) ? NaN : parseContinuous(attribute, text);
}

function recordCategory(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return numberToCategory(value);
  return isMissing(value.trim()) ? null : value;
}

function parseContinuous(attribute: Continuous, text: string): number {
  const x = parseNumber(text);
  check(!Number.isNaN(x), `attribute '${attribute.name}': value '${text}' is not a number; give a decimal number or leave it missing`);
  return x;
}

function numberToCategory(x: number): string | null {
  return Number.isNaN(x) ? null : String(x);
}

/** Scales a raw value into training units: 0 at the training min, 1 at the max, the mean if missing. */
function scale(attribute: Continuous, x: number): number {
  const range = attribute.max - attribute.min;
  if (range === 0) return 0;
  const value = Number.isNaN(x) ? attribute.fill : x;
  const scaled = (value - attribute.min) / range;
  // Far outliers (1e300 in a column of values in [0, 1]) would overflow f32 to Infinity on the GPU
  // and turn predictions into NaN, so scaled values are kept within a million training ranges.
  return Math.min(Math.max(scaled, -maxScaled), maxScaled);
}

/** Bound on the magnitude of a scaled continuous value, in training ranges. */
const maxScaled = 1e6;

/** Category lookup tables, built once per attribute. Attributes themselves stay plain data for export. */
const categoryIndexes = new WeakMap<Nominal, Map<string, number>>();

function categoryIndex(attribute: Nominal): Map<string, number> {
  let index = categoryIndexes.get(attribute);
  if (!index) {
    index = new Map(attribute.categories.map((category, i) => [category, i]));
    categoryIndexes.set(attribute, index);
  }
  return index;
}

/** Returns the attribute groups as G x 3 rows: first encoded column, column count, 1 if nominal else 0. */
export function attributeGroups(encoder: Encoder): Uint32Array {
  const groups = new Uint32Array(encoder.attributes.length * 3);
  encoder.attributes.forEach((attribute, g) => {
    const nominal = attribute.kind === 'nominal';
    groups[g * 3] = attribute.column;
    groups[g * 3 + 1] = nominal ? attribute.categories.length : 1;
    groups[g * 3 + 2] = nominal ? 1 : 0;
  });
  return groups;
}

/**
 * Returns a weight per encoded column for squared Euclidean distance: 1 for continuous columns
 * and 0.5 for one-hot columns. Two rows with different categories differ in two one-hot columns,
 * so one nominal mismatch adds 1, as much as continuous values at opposite ends of their range.
 */
export function distanceWeights(encoder: Encoder): Float32Array {
  const weights = new Float32Array(encoder.width);
  for (const attribute of encoder.attributes) {
    if (attribute.kind === 'continuous') weights[attribute.column] = 1;
    else weights.fill(0.5, attribute.column, attribute.column + attribute.categories.length);
  }
  return weights;
}

function checkRows(table: Table, rows: ArrayLike<number>, name: string): void {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Number.isInteger(row) || row < 0 || row >= table.rowCount) {
      throw new RangeError(`${name}[${i}] = ${row} is not a row of ${table.source} (${table.rowCount} rows)`);
    }
  }
}
