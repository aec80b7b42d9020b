// The `mimic` command: compresses an ensemble into a small student net from a CSV file.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseCsv } from '../data/csv.js';
import { MimicError } from '../errors.js';
import { createEngine, type Engine } from '../gpu/engine.js';
import { compress, prepareData, type CompressResult, type ProgressEvent } from '../pipeline/compress.js';
import { defaultCompressOptions, type CompressOptions } from '../pipeline/options.js';
import type { ModelSpec } from '../teacher/library.js';
import { librarySizes, parseLibrary, type LibrarySize } from '../teacher/presets.js';
import { formatReport, resultJson } from './report.js';
import { prepareOutputs, removeEmptyFolders, writeFilesAtomic } from './write.js';
import { studentToOnnx } from '../export/onnx.js';
import { serializeStudent } from '../export/student_file.js';

const usage = `Usage: mimic compress [file.csv] --target COLUMN [options]

Trains an ensemble on a CSV table, labels MUNGE pseudo rows with it and trains a small
student net to mimic it. Without a file it runs the built-in example: letter.csv as
LETTER.p2 (letters A-M positive against N-Z).

Options:
  --target COLUMN        target column (required with a file)
  --positive V1,V2,...   target values counted as positive (binary problem); without it, a
                         two-valued target uses its second value in sorted order
  --ignore C1,C2,...     columns to leave out (identifiers)
  --pseudo N             MUNGE pseudo rows for the student (default ${defaultCompressOptions.pseudo})
  --munge-p P            MUNGE swap probability, 0 to 1 (default ${defaultCompressOptions.swapProbability})
  --munge-s S            MUNGE spread divisor s > 0: sd = |a - b| / s (default ${defaultCompressOptions.spread})
  --hidden N             student hidden units (default ${defaultCompressOptions.hidden})
  --epochs N             maximum student epochs (default ${defaultCompressOptions.studentEpochs})
  --ann-epochs N         maximum epochs of ann, the student net trained on original rows (default ${defaultCompressOptions.annEpochs})
  --patience N           epochs without validation improvement before stopping (default ${defaultCompressOptions.patience})
  --batch-size N         student mini-batch rows (default ${defaultCompressOptions.studentBatchSize})
  --learning-rate X      Adam learning rate for student and ann (default ${defaultCompressOptions.learningRate})
  --loss KIND            student loss: cross-entropy or probability-mse (default ${defaultCompressOptions.loss})
  --library L            teacher's model library: small, default, large, or a JSON file
                         listing model specs (default: ${defaultCompressOptions.library})
  --selection-metric M   validation metric that ensemble selection climbs: rmse, accuracy,
                         auc (binary only) or logloss (default ${defaultCompressOptions.selectionMetric})
  --train N              training rows (default 4000, or half of a small file)
  --validation N         validation rows (default 1000, or an eighth of a small file)
  --seed N               random seed; the same seed gives the same result on one adapter (default ${defaultCompressOptions.seed})
  --out DIR              folder for student.json and student.onnx (default mimic-out)
  --json FILE            also write the results as JSON
  --quiet                no progress on stderr
  -h, --help             show this help`;

const optionSpec = {
  target: { type: 'string' },
  positive: { type: 'string' },
  ignore: { type: 'string' },
  pseudo: { type: 'string' },
  'munge-p': { type: 'string' },
  'munge-s': { type: 'string' },
  hidden: { type: 'string' },
  epochs: { type: 'string' },
  'ann-epochs': { type: 'string' },
  patience: { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  loss: { type: 'string' },
  library: { type: 'string' },
  'selection-metric': { type: 'string' },
  train: { type: 'string' },
  validation: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseNumberOption(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.replaceAll('_', ''));
  // Number() also reads hexadecimal and binary literals such as 0x10, which no user means here.
  const decimal = /^\s*[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text);
  if (!decimal || !Number.isFinite(value)) throw new MimicError(`--${flag} must be a number, got '${text}'`);
  return value;
}

function parseList(flag: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw new MimicError(`--${flag} must be a comma-separated list without empty values, got '${text}'`);
  return values;
}

function defaultDataPath(): string {
  return fileURLToPath(new URL('../data/letter.csv', import.meta.url));
}

async function readTable(path: string) {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MimicError(`file not found: ${path}`);
    if (code === 'EISDIR') throw new MimicError(`${path} is a folder; give a CSV file`);
    if (code === 'EACCES') throw new MimicError(`permission denied reading ${path}`);
    throw new MimicError(`could not read ${path}: ${(error as Error).message}`);
  }
  return parseCsv(text, basename(path));
}

/** Reads a JSON library file: an array of model specs, each completed with its family's defaults. */
async function readLibraryFile(path: string): Promise<ModelSpec[]> {
  if (!/\.json$/i.test(path)) {
    throw new MimicError(`--library must be ${librarySizes.join(', ')} or a .json file of model specs, got ${path}`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MimicError(`library file ${path} not found`);
    throw new MimicError(`could not read library file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    // Editors on Windows may start the file with a byte order mark, which JSON.parse rejects.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new MimicError(`library file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseLibrary(parsed, path);
}

/** Builds the run's options from the command line; throws MimicError on bad values. */
function buildOptions(values: Record<string, string | boolean | undefined>, usingDefault: boolean): Partial<CompressOptions> & { target: string } {
  const str = (name: string) => values[name] as string | undefined;
  const num = (name: string) => parseNumberOption(name, str(name));

  let target = str('target');
  let positive = parseList('positive', str('positive'));
  let problemName: string | undefined;
  if (usingDefault && target === undefined) {
    target = 'lettr';
    positive ??= 'ABCDEFGHIJKLM'.split('');
    problemName = 'LETTER.p2';
  }
  if (target === undefined) throw new MimicError('--target is required: name the column to predict, e.g. --target class');

  const options: Partial<CompressOptions> & { target: string } = { target, positive, problemName, ignore: parseList('ignore', str('ignore')) };
  const set = <K extends keyof CompressOptions>(key: K, value: CompressOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('pseudo', num('pseudo'));
  set('swapProbability', num('munge-p'));
  set('spread', num('munge-s'));
  set('hidden', num('hidden'));
  set('studentEpochs', num('epochs'));
  set('annEpochs', num('ann-epochs'));
  set('patience', num('patience'));
  set('studentBatchSize', num('batch-size'));
  set('learningRate', num('learning-rate'));
  set('seed', num('seed'));
  set('loss', str('loss') as CompressOptions['loss'] | undefined);

  set('selectionMetric', str('selection-metric') as CompressOptions['selectionMetric'] | undefined);
  const train = num('train');
  const validation = num('validation');
  if ((train === undefined) !== (validation === undefined)) throw new MimicError('give --train and --validation together');
  if (train !== undefined && validation !== undefined) options.split = { train, validation };
  return options;
}

function logProgress(event: ProgressEvent): void {
  process.stderr.write(`[${event.stage}] ${event.message}\n`);
}

async function runCompress(positionals: string[], values: Record<string, string | boolean | undefined>): Promise<void> {
  if (positionals.length > 1) throw new MimicError(`expected at most one CSV file, got ${positionals.length}: ${positionals.join(' ')}`);
  const usingDefault = positionals.length === 0;
  const path = usingDefault ? defaultDataPath() : positionals[0];
  const options = buildOptions(values, usingDefault);
  const library = values.library as string | undefined;
  if (library !== undefined) options.library = librarySizes.includes(library as LibrarySize) ? (library as LibrarySize) : await readLibraryFile(library);
  const outDir = (values.out as string | undefined) ?? 'mimic-out';
  const jsonPath = values.json as string | undefined;

  const table = await readTable(path);
  if (!values.quiet) options.onProgress = logProgress;
  const prepared = prepareData(table, options);
  const outputs = await prepareOutputs(outDir, jsonPath);
  for (const warning of prepared.warnings) process.stderr.write(`mimic: warning: ${warning}\n`);

  let engine: Engine | undefined;
  let result: CompressResult;
  try {
    engine = await createEngine();
    if (!values.quiet) process.stderr.write(`[data] ${table.source}: ${table.rowCount} rows, ${table.columns.length} columns; adapter: ${engine.adapterName}\n`);
    result = await compress(engine, prepared);
  } catch (error) {
    await removeEmptyFolders(outputs.created);
    throw error;
  } finally {
    engine?.destroy();
  }

  const { studentPath } = outputs;
  const files: Array<{ path: string; text: string | Uint8Array }> = [
    { path: studentPath, text: serializeStudent(result) },
    { path: studentPath.replace(/\.json$/, '.onnx'), text: studentToOnnx(result.student.layers, result.problem) },
  ];
  if (outputs.jsonPath) files.push({ path: outputs.jsonPath, text: JSON.stringify(resultJson(result, studentPath), null, 2) + '\n' });
  await writeFilesAtomic(files);
  process.stdout.write(formatReport(result, studentPath));
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: optionSpec, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util explains on several lines, e.g. how to pass a negative number; keep all of it.
    const sentences = (error as Error).message.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    const message = sentences.map((line) => (/[.?!]$/.test(line) ? line : `${line}.`)).join(' ');
    throw new MimicError(`${message} Run \`mimic --help\` for the options.`);
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === 'help') {
    process.stdout.write(usage + '\n');
    return 0;
  }
  if (command === undefined) {
    process.stderr.write(usage + '\n');
    return 2;
  }
  if (command !== 'compress') throw new MimicError(`unknown command '${command}'; the command is \`mimic compress\``);
  await runCompress(rest, parsed.values);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof MimicError) {
      process.stderr.write(`mimic: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`mimic: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(70);
  },
);
