import { MimicError, check } from '../errors.js';
import { column, listValues, parseNumber, type Column, type Table } from './csv.js';

/** Target column of a problem and, for a one-vs-rest binary problem, the values counted as positive. */
export interface ProblemSpec {
  target: string;
  positive?: string[];
}

/** A classification problem defined on a table, with one label per table row. */
export interface Problem {
  target: string;
  kind: 'binary' | 'multiclass';
  /** Class names in label order. A binary problem lists the negative class first. */
  classes: string[];
  /** Target values counted as positive. A multiclass problem has none. */
  positive: string[];
  /** Class index per table row (binary: 1 positive, 0 negative), or -1 where the target is missing. */
  labels: Int32Array;
  /** One line for reports, such as "lettr in {A, B, C} vs rest". */
  description: string;
}

/** Maximum number of values that a binary class name lists. Larger sets are called positive or negative. */
const MAX_NAMED_VALUES = 3;

/**
 * Defines the problem of predicting `spec.target` from the other columns.
 *
 * Target values are compared as text. A numeric target's values are written the way JavaScript
 * prints the number, so "1.0" in the file becomes "1", and a positive value given as a number
 * matches the same number however it was written.
 *
 * - With `positive` values: binary, those values against every other value.
 * - Without, and exactly two distinct values: binary, and the value that sorts second is positive.
 *   Numeric values sort by number and others by UTF-16 code units, so 0/1, no/yes, neg/pos and
 *   tested_negative/tested_positive all make the expected value positive.
 * - Without, and more than two values: multiclass, with the classes in sorted order.
 *
 * An empty `positive` array counts as not given. Rows with a missing target get label -1.
 */
export function defineProblem(table: Table, spec: ProblemSpec): Problem {
  const target = column(table, spec.target);
  const values = targetValues(target);
  const names = distinctSorted(target, values);
  check(names.length > 0, `target column '${target.name}' in ${table.source} has no values: every row is missing`);
  check(
    names.length >= 2,
    `target column '${target.name}' has only one class ('${names[0]}' in every labelled row); ` +
      'choose another target or --positive values',
  );

  const positive = spec.positive && spec.positive.length > 0 ? resolvePositive(target, names, spec.positive) : null;
  if (positive) return oneVersusRest(target.name, values, names, positive);
  if (names.length === 2) return oneVersusRest(target.name, values, names, [names[1]]);
  return multiclass(target.name, values, names);
}

/** Returns each row's target value as text, or null where it is missing. */
function targetValues(target: Column): (string | null)[] {
  if (target.kind === 'nominal') return target.strings;
  return Array.from(target.numbers, (x) => (Number.isNaN(x) ? null : String(x)));
}

function distinctSorted(target: Column, values: (string | null)[]): string[] {
  const names = [...new Set(values.filter((v): v is string => v !== null))];
  if (target.kind === 'numeric') return names.sort((a, b) => Number(a) - Number(b));
  return names.sort(); // UTF-16 code unit order, independent of locale
}

/** Maps the requested positive values onto the target's values, in the target's sorted order. */
function resolvePositive(target: Column, names: string[], requested: string[]): string[] {
  const chosen = new Set<string>();
  for (const value of requested) {
    const match = matchValue(target, names, value);
    if (match === null) {
      throw new MimicError(
        `positive value '${value}' does not occur in target column '${target.name}'; ` +
          `its values are: ${listValues(names)}`,
      );
    }
    chosen.add(match);
  }
  return names.filter((name) => chosen.has(name));
}

function matchValue(target: Column, names: string[], value: string): string | null {
  if (names.includes(value)) return value;
  if (target.kind !== 'numeric') return null;
  const number = parseNumber(value);
  return names.find((name) => Number(name) === number) ?? null;
}

function oneVersusRest(target: string, values: (string | null)[], names: string[], positive: string[]): Problem {
  const isPositive = new Set(positive);
  const negative = names.filter((name) => !isPositive.has(name));
  check(
    negative.length > 0,
    `target column '${target}' has only one class after applying the positive values ` +
      `(every labelled row is one of ${listValues(positive)}); choose another target or --positive values`,
  );

  const labels = new Int32Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const value = values[r];
    labels[r] = value === null ? -1 : isPositive.has(value) ? 1 : 0;
  }

  const positiveName = positive.length <= MAX_NAMED_VALUES ? positive.join(',') : 'positive';
  let negativeName = 'negative';
  if (negative.length <= MAX_NAMED_VALUES) negativeName = negative.join(',');
  else if (positive.length <= MAX_NAMED_VALUES) negativeName = `not ${positiveName}`;
  if (negativeName === positiveName) negativeName = `not ${positiveName}`;

  const rest = negative.length <= MAX_NAMED_VALUES ? `{${negative.join(', ')}}` : 'rest';
  const description = `${target} in {${listValues(positive, 30)}} vs ${rest}`;
  return { target, kind: 'binary', classes: [negativeName, positiveName], positive, labels, description };
}

function multiclass(target: string, values: (string | null)[], names: string[]): Problem {
  const index = new Map(names.map((name, i) => [name, i]));
  const labels = new Int32Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const value = values[r];
    labels[r] = value === null ? -1 : index.get(value)!;
  }
  const description = `${target}: ${names.length} classes (${listValues(names, 30)})`;
  return { target, kind: 'multiclass', classes: names, positive: [], labels, description };
}
