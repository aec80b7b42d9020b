import { MimicError, check } from '../errors.js';

/**
 * One column of a parsed CSV file. A numeric column stores its values in `numbers` (NaN where the
 * value is missing) and leaves `strings` empty. A nominal column keeps the raw text in `strings`
 * (null where missing) and leaves `numbers` empty.
 */
export interface Column {
  name: string;
  kind: 'numeric' | 'nominal';
  numbers: Float64Array;
  strings: (string | null)[];
}

/** A parsed CSV file: its columns in header order, all of length `rowCount`. */
export interface Table {
  columns: Column[];
  rowCount: number;
  source: string;
}

/**
 * Markers read as a missing value, compared case-sensitively after trimming unquoted whitespace.
 * `?` is the UCI repository's marker, `NA` is R's, `NaN` is what pandas writes for a float gap.
 */
const MISSING_MARKERS = new Set(['', '?', 'NA', 'NaN']);

/** Decimal numbers only. Number() alone would also accept '0x1F', 'Infinity' and whitespace. */
const NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Returns whether a raw field is one of the missing-value markers: empty, `?`, `NA` or `NaN`. */
export function isMissing(value: string): boolean {
  return MISSING_MARKERS.has(value);
}

/** Parses `value` as a finite decimal number after trimming whitespace, or returns NaN if it is not one. */
export function parseNumber(value: string): number {
  const text = value.trim();
  if (!NUMBER_PATTERN.test(text)) return NaN;
  const number = Number(text);
  return Number.isFinite(number) ? number : NaN;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/**
 * Parses CSV text with a header row into typed columns.
 *
 * Fields are separated by commas and may be double-quoted, with `""` for a quote inside a quoted
 * field. Quoted fields may contain commas and line breaks. Lines end in LF or CRLF. A UTF-8 byte
 * order mark and a final line break are optional. Whitespace around a field is trimmed, except
 * inside quotes. Blank lines are skipped, so a one-column file must mark a missing value with
 * `?` or `NA` rather than leave the line empty.
 *
 * A column is numeric when every value that is not missing parses as a finite decimal number,
 * quoted or not, and nominal otherwise. Throws MimicError naming `source` and the line for
 * malformed input.
 */
export function parseCsv(text: string, source = 'CSV input'): Table {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  rejectBinary(text, source);
  check(text.trim() !== '', `${source} is empty; expected a header row of column names and at least one data row`);
  rejectOtherFormats(text, source);

  const records = new RecordReader(text, source);
  const header = records.next();
  check(header !== null, `${source} is empty; expected a header row of column names and at least one data row`);
  const names = validateHeader(header.fields, source);

  // Gather raw fields column by column, checking each record's width against the header.
  const raw: string[][] = names.map(() => []);
  for (let record = records.next(); record !== null; record = records.next()) {
    const fields = record.fields;
    if (fields.length !== names.length) {
      throw new MimicError(
        `${source} line ${record.line}: expected ${names.length} fields as in the header but found ${fields.length}; ` +
          'check for a missing or extra comma, and quote fields that contain commas',
      );
    }
    for (let c = 0; c < fields.length; c++) raw[c].push(fields[c]);
  }
  const rowCount = raw[0].length;
  check(rowCount > 0, `${source} has a header but no data rows; add at least one row below the header`);

  const columns = names.map((name, c) => typeColumn(name, raw[c]));
  return { columns, rowCount, source };
}

/** Returns the column called `name`, or throws a MimicError that lists the columns there are. */
export function column(table: Table, name: string): Column {
  const found = table.columns.find((c) => c.name === name);
  if (found) return found;
  const names = table.columns.map((c) => c.name);
  const separator = names.length === 1 ? [';', '\t', '|'].find((s) => names[0].includes(s)) : undefined;
  const hint = separator ? `; the header looks separated by '${separator === '\t' ? '\\t' : separator}', but only commas separate fields, so convert the file to comma-separated values` : '';
  throw new MimicError(`column '${name}' not found in ${table.source}; available columns: ${listValues(names, 40)}${hint}`);
}

/** Rejects JSON and HTML or XML documents, whose first character no CSV header starts with. */
function rejectOtherFormats(text: string, source: string): void {
  const first = text.trimStart()[0];
  let format: string | undefined;
  if (first === '{' || first === '[') format = 'JSON';
  if (first === '<') format = 'HTML or XML';
  if (format) {
    throw new MimicError(`${source} starts like a ${format} document, so it does not look like a CSV file; export the data as comma-separated text with a header row`);
  }
}

/** Joins values with ', ', keeping the first `max` and counting the rest. */
export function listValues(values: readonly string[], max = 20): string {
  if (values.length <= max) return values.join(', ');
  return `${values.slice(0, max).join(', ')}, ... (${values.length - max} more)`;
}

/**
 * Throws unless `text` looks like text. A NUL character never occurs in a text CSV but does in
 * binary files and in UTF-16 read as UTF-8. Many control or U+FFFD characters (bytes that are
 * not valid UTF-8) in the first 64 KiB mean a binary file such as a spreadsheet or an archive.
 */
function rejectBinary(text: string, source: string): void {
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    throw new MimicError(
      `${source} line ${lineAt(text, nul)}: contains a NUL byte, so it does not look like a CSV file; ` +
        'export the data as comma-separated UTF-8 text',
    );
  }

  const sampleLength = Math.min(text.length, 65536);
  let odd = 0;
  let firstOdd = -1;
  for (let i = 0; i < sampleLength; i++) {
    const code = text.charCodeAt(i);
    const control = code < 32 && code !== TAB && code !== LF && code !== CR;
    if (control || code === 0x7f || code === 0xfffd) {
      odd++;
      if (firstOdd < 0) firstOdd = i;
    }
  }
  if (odd > 0.1 * sampleLength) {
    throw new MimicError(
      `${source} line ${lineAt(text, firstOdd)}: ${odd} of the first ${sampleLength} characters are control codes or ` +
        'invalid UTF-8, so it does not look like a CSV file; export the data as comma-separated UTF-8 text',
    );
  }
}

/** Returns the 1-based line number of character `index`. */
function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function validateHeader(names: string[], source: string): string[] {
  const seen = new Set<string>();
  for (let c = 0; c < names.length; c++) {
    const name = names[c];
    check(name !== '', `${source} line 1: column ${c + 1} of the header has no name; give every column a name`);
    check(!seen.has(name), `${source} line 1: column name '${name}' appears twice in the header; rename one of them`);
    seen.add(name);
  }
  return names;
}

/** Builds a numeric column when every present value is a number, else a nominal one. */
function typeColumn(name: string, raw: string[]): Column {
  const numbers = new Float64Array(raw.length);
  let numeric = true;
  for (let r = 0; r < raw.length; r++) {
    const value = raw[r];
    if (isMissing(value)) {
      numbers[r] = NaN;
      continue;
    }
    const number = parseNumber(value);
    if (Number.isNaN(number)) {
      numeric = false;
      break;
    }
    numbers[r] = number;
  }

  if (numeric) return { name, kind: 'numeric', numbers, strings: [] };
  const strings = raw.map((value) => (isMissing(value) ? null : value));
  return { name, kind: 'nominal', numbers: new Float64Array(0), strings };
}

interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts. A quoted line break makes a record span several lines. */
  line: number;
}

/** Reads one record at a time, scanning character codes so that large files stay fast. */
class RecordReader {
  private position = 0;
  private line = 1;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  /** Returns the next record, skipping blank lines, or null at the end of the text. */
  next(): CsvRecord | null {
    while (this.position < this.text.length) {
      const line = this.line;
      const fields: string[] = [];
      let lastQuoted = false;
      for (;;) {
        lastQuoted = this.skipBlanks() === QUOTE;
        fields.push(lastQuoted ? this.readQuoted(fields.length + 1) : this.readUnquoted());
        if (this.text.charCodeAt(this.position) !== COMMA) break;
        this.position++;
      }
      this.endLine();
      const blank = fields.length === 1 && fields[0] === '' && !lastQuoted;
      if (!blank) return { fields, line };
    }
    return null;
  }

  /** Skips spaces and tabs and returns the code of the character after them (NaN at the end). */
  private skipBlanks(): number {
    const text = this.text;
    let code = text.charCodeAt(this.position);
    while (code === SPACE || code === TAB) code = text.charCodeAt(++this.position);
    return code;
  }

  private readUnquoted(): string {
    const text = this.text;
    const start = this.position;
    let i = start;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === COMMA || code === LF || code === CR) break;
    }
    this.position = i;
    return text.slice(start, i).trim();
  }

  /** Reads a quoted field starting at the opening quote and leaves the position after the closing one. */
  private readQuoted(fieldNumber: number): string {
    const text = this.text;
    const openLine = this.line;
    let start = this.position + 1;
    let value = '';
    for (;;) {
      const close = text.indexOf('"', start);
      if (close < 0) {
        throw new MimicError(
          `${this.source} line ${openLine}: field ${fieldNumber} opens a quote that is never closed; ` +
            'close the quote, and write a quote inside a quoted field as ""',
        );
      }
      this.line += countLineFeeds(text, start, close);
      value += text.slice(start, close);
      if (text.charCodeAt(close + 1) !== QUOTE) {
        this.position = close + 1;
        break;
      }
      value += '"';
      start = close + 2;
    }

    const next = this.skipBlanks();
    if (!(next === COMMA || next === LF || next === CR || Number.isNaN(next))) {
      throw new MimicError(
        `${this.source} line ${this.line}: field ${fieldNumber} has text after its closing quote; ` +
          'quote the whole field, and write a quote inside a quoted field as ""',
      );
    }
    return value;
  }

  /** Consumes one line ending (LF, CRLF or a lone CR) if the position is at one. */
  private endLine(): void {
    const text = this.text;
    if (text.charCodeAt(this.position) === CR) this.position++;
    if (text.charCodeAt(this.position) === LF) this.position++;
    this.line++;
  }
}

function countLineFeeds(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', start); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
