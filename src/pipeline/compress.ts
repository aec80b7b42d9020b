import { attributeGroups, distanceWeights, encodeRows, fitEncoder, type Encoder } from '../data/encode.js';
import { defineProblem, type Problem } from '../data/problem.js';
import { splitRows, type Split } from '../data/split.js';
import { listValues, parseNumber, type Table } from '../data/csv.js';
import { MimicError, check } from '../errors.js';
import type { Engine } from '../gpu/engine.js';
import { fitData } from './teacher.js';
import type { Tensor } from '../gpu/tensor.js';
import type { FitData, ModelFamily } from '../models/model.js';
import { SelectedEnsemble } from '../teacher/ensemble.js';
import { fitLibrary, isTree, type LibraryEntry, type ModelSpec } from '../teacher/library.js';
import { resolveTreeSpec } from '../models/trees/spec.js';
import { resolveLibrary } from '../teacher/presets.js';
import { bestSingle, defaultSelection, selectEnsemble, type SelectionMetric } from '../teacher/selection.js';
import { Mlp, type ExportedLayer } from '../models/mlp.js';
import { trainMlp, type EpochReport } from '../models/train.js';
import { accuracy, auc, logLoss, rmse } from '../metrics/metrics.js';
import { munge } from '../pseudo/munge.js';
import { defaultCompressOptions, validateOptions, type CompressOptions } from './options.js';

export type Stage = 'data' | 'teacher' | 'ann' | 'pseudo' | 'label' | 'student' | 'evaluate';

/** A progress event for logs and progress bars. `fraction` is the stage's completed share. */
export interface ProgressEvent {
  stage: Stage;
  message: string;
  fraction?: number;
  epoch?: EpochReport;
  /** With the pseudo stage: its first rows (at most 2,000, encoded, rows x columns) for plots. */
  pseudoSample?: { rows: number; columns: number; values: Float32Array };
}

/** Test-set scores of one model. */
export interface ModelScores {
  rmse: number;
  accuracy: number;
  auc: number;
  /** Parameters stored as f32. */
  bytes: number;
  /** Median wall time to predict 10,000 rows on the engine's device, upload and readback included. */
  msPer10k: number;
}

/** Scores of a library model on one set of rows. */
export interface RowScores {
  rmse: number;
  accuracy: number;
  /** NaN for a multiclass problem. */
  auc: number;
  logLoss: number;
}

export interface LibraryModelScores {
  name: string;
  family: ModelFamily;
  bytes: number;
  /** Wall time of the fit. */
  seconds: number;
  validation: RowScores;
  test: RowScores;
}

export interface CompressResult {
  problem: string;
  target: string;
  positive: string[];
  classes: string[];
  adapter: string;
  rows: { train: number; validation: number; test: number; pseudo: number };
  models: { ensemble: ModelScores; single: ModelScores; ann: ModelScores; student: ModelScores };
  /** Every library model's scores on the validation and test rows, in fitting order. */
  library: LibraryModelScores[];
  /** The selected ensemble: the metric it climbed, its validation score and its weighted members. */
  selection: { metric: SelectionMetric; validationScore: number; members: Array<{ name: string; family: ModelFamily; weight: number }> };
  /** Name of `single`, the library model with the best validation score. */
  single: string;
  /** (ann - student) / (ann - ensemble) in test RMSE: the share of the teacher's gain the student kept. */
  gainKept: number;
  student: { encoder: Encoder; layers: ExportedLayer[]; hidden: number; validationRmse: number; epochs: number };
  options: CompressOptions;
  seconds: Record<Stage, number>;
}

/** The problem, split and encoded rows on the CPU, checked before any GPU work starts. */
export interface PreparedData {
  problem: Problem;
  split: Split;
  encoder: Encoder;
  /** 1 for binary problems, else the number of classes. */
  outputs: number;
  train: Float32Array;
  validation: Float32Array;
  test: Float32Array;
  /** The teacher's library, resolved from `options.library` and checked against the encoded width. */
  specs: ModelSpec[];
  options: CompressOptions;
  /** Doubts about the input that do not stop the run, e.g. a numeric column read as nominal. */
  warnings: string[];
}

/**
 * Warns about attributes read as nominal although nearly all their values are numbers: one stray
 * word such as 'null' turns a measurement into hundreds of one-hot columns.
 */
function nominalNumberWarnings(table: Table, excluded: string[]): string[] {
  const warnings: string[] = [];
  for (const column of table.columns) {
    if (column.kind !== 'nominal' || excluded.includes(column.name)) continue;
    let present = 0;
    let numeric = 0;
    let firstOther = -1;
    column.strings.forEach((value, row) => {
      if (value === null) return;
      present++;
      if (!Number.isNaN(parseNumber(value))) numeric++;
      else if (firstOther < 0) firstOther = row;
    });
    if (present > 0 && numeric >= 0.9 * present) {
      warnings.push(
        `column '${column.name}' is read as nominal because of non-numeric values such as '${column.strings[firstOther]}' (data row ${firstOther + 1}); replace them with a number or leave them empty to use the column as numeric`,
      );
    }
  }
  return warnings;
}

function rowScores(probabilities: Float32Array, labels: Int32Array, outputs: number): RowScores {
  const positive = outputs === 1 ? probabilities : probabilities.filter((_, i) => i % outputs === 1);
  const binaryLabels = outputs === 1 ? labels : labels.map((l) => (l === 1 ? 1 : 0));
  return {
    rmse: rmse(probabilities, labels, outputs),
    accuracy: accuracy(probabilities, labels, outputs),
    auc: outputs <= 2 ? auc(positive, binaryLabels) : NaN,
    logLoss: logLoss(probabilities, labels, outputs),
  };
}

function libraryScores(entry: LibraryEntry, validationLabels: Int32Array, testLabels: Int32Array, outputs: number): LibraryModelScores {
  return {
    name: entry.model.name,
    family: entry.model.family,
    bytes: entry.model.bytes,
    seconds: entry.seconds,
    validation: rowScores(entry.validation, validationLabels, outputs),
    test: rowScores(entry.test, testLabels, outputs),
  };
}

async function scoreModel(engine: Engine, predict: (x: Tensor) => Tensor, test: Tensor, labels: Int32Array, outputs: number, bytes: number): Promise<ModelScores> {
  const probabilitiesTensor = predict(test);
  const probabilities = await engine.read(probabilitiesTensor);
  probabilitiesTensor.release();
  const scores = rowScores(probabilities, labels, outputs);
  return { rmse: scores.rmse, accuracy: scores.accuracy, auc: scores.auc, bytes, msPer10k: await timePredict(engine, predict, test) };
}

/**
 * Times predicting 10,000 rows: upload, every forward pass and the readback of the probabilities,
 * median of 3 runs after one warm-up. Rows are taken from `source`, repeated if it has fewer.
 */
async function timePredict(engine: Engine, predict: (x: Tensor) => Tensor, source: Tensor): Promise<number> {
  const rows = 10000;
  const all = await engine.read(source);
  const data = new Float32Array(rows * source.cols);
  for (let r = 0; r < rows; r++) {
    const from = (r % source.rows) * source.cols;
    data.set(all.subarray(from, from + source.cols), r * source.cols);
  }
  const times: number[] = [];
  for (let run = 0; run < 4; run++) {
    const started = performance.now();
    const x = engine.tensor(rows, source.cols, data);
    const p = predict(x);
    await engine.read(p);
    times.push(performance.now() - started);
    x.release();
    p.release();
  }
  times.shift();
  times.sort((a, b) => a - b);
  return times[1];
}

/**
 * Checks the options, defines the problem, splits the rows and encodes them, all on the CPU, so
 * that bad input fails with a clear message before a GPU device is opened.
 */
export function prepareData(table: Table, requested: Partial<CompressOptions> & { target: string }): PreparedData {
  const options: CompressOptions = { ...defaultCompressOptions, ...requested };
  validateOptions(options);
  const problem = defineProblem(table, { target: options.target, positive: options.positive });
  const split = splitRows(problem.labels, options.seed, options.split, problem.classes);
  if (options.selectionMetric === 'auc' && problem.kind !== 'binary') {
    throw new MimicError(
      `--selection-metric auc needs a binary problem, and '${problem.target}' has ${problem.classes.length} classes; use rmse, accuracy or logloss, or make the problem binary with --positive`,
    );
  }
  const excluded = [options.target, ...(options.ignore ?? [])];
  const encoder = fitEncoder(table, excluded, split.train);
  check(encoder.width > 0, `no attributes left to learn from: ${table.source} has only the target column`);
  const specs = resolveLibrary(options.library, options.seed);
  checkLibrary(specs, encoder.width);
  const warnings = nominalNumberWarnings(table, excluded);
  const targetColumn = table.columns.find((c) => c.name === options.target);
  if (targetColumn?.kind === 'numeric' && problem.classes.length > 20) {
    warnings.push(`target '${options.target}' has ${problem.classes.length} distinct numbers and is treated as that many classes; regression targets are not supported`);
  }
  const trainCounts = new Array<number>(problem.classes.length).fill(0);
  for (const row of split.train) trainCounts[problem.labels[row]]++;
  const absent = problem.classes.filter((_, c) => trainCounts[c] === 0);
  if (absent.length > 0) {
    warnings.push(
      `${absent.length} of ${problem.classes.length} classes have no training rows (${listValues(absent, 10)}), so no model can predict them; use a larger --train`,
    );
  }
  if (split.test.length < 100) {
    warnings.push(`only ${split.test.length} test rows, so the test scores are noisy; use a larger file or smaller --train and --validation`);
  }
  return {
    warnings,
    problem,
    split,
    encoder,
    outputs: problem.kind === 'binary' ? 1 : problem.classes.length,
    train: encodeRows(encoder, table, split.train),
    validation: encodeRows(encoder, table, split.validation),
    test: encodeRows(encoder, table, split.test),
    specs,
    options,
  };
}

/**
 * Runs model compression end to end on the GPU. It fits the model library, selects the teacher
 * ensemble from it and trains the `ann` baseline. Then it generates MUNGE pseudo rows, labels them
 * with the ensemble's probabilities, trains the student on original plus pseudo rows, and scores
 * the ensemble, the best single library model, ann and the student on the test rows.
 */
export async function compress(engine: Engine, prepared: PreparedData): Promise<CompressResult> {
  const { problem, split, encoder, outputs, options } = prepared;
  const progress = options.onProgress ?? (() => {});
  const seconds = { data: 0, teacher: 0, ann: 0, pseudo: 0, label: 0, student: 0, evaluate: 0 } as Record<Stage, number>;
  let stageStarted = performance.now();
  const endStage = (stage: Stage) => {
    const now = performance.now();
    seconds[stage] = (now - stageStarted) / 1000;
    stageStarted = now;
  };

  checkPseudoFits(engine, prepared);
  const uploaded = fitData(engine, prepared);
  const fit: FitData = { ...uploaded.data, onProgress: (message) => progress({ stage: 'teacher', message }) };
  const validation = fit.validation;
  progress({ stage: 'data', message: `${problem.description}: ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test rows, ${encoder.width} encoded columns`, fraction: 1 });
  endStage('data');

  const owned: Array<{ release(): void }> = [uploaded];
  try {
    // Teacher: a library of models, and the ensemble selected from it on the validation rows.
    const entries = await fitLibrary(fit, uploaded.test, prepared.specs, {
      onEpoch: (name, e) => {
        // Every tenth epoch, so a long fit still shows progress without flooding the log.
        if (e.epoch % 10 === 0) progress({ stage: 'teacher', message: `${name} ${epochMessage(e)}`, epoch: e });
      },
      onModel: ({ done, total, entry }) =>
        progress({
          stage: 'teacher',
          message: `model ${done}/${total} ${entry.model.name}: validation RMSE ${rmse(entry.validation, validation.labels, outputs).toFixed(4)}, ${entry.seconds.toFixed(1)} s`,
          fraction: done / total,
        }),
    });
    const selectionOptions = { ...defaultSelection, metric: options.selectionMetric, seed: options.seed };
    const predictions = entries.map((e) => e.validation);
    const selection = selectEnsemble(predictions, validation.labels, outputs, selectionOptions);
    const singleIndex = bestSingle(predictions, validation.labels, outputs, options.selectionMetric);
    const members = entries.flatMap((e, m) => (selection.weights[m] > 0 ? [{ model: e.model, weight: selection.weights[m] }] : []));
    const teacher = new SelectedEnsemble(engine, members, outputs);
    const single = entries[singleIndex].model;
    const library = entries.map((e) => libraryScores(e, validation.labels, uploaded.testLabels, outputs));
    for (const [m, e] of entries.entries()) {
      if (selection.weights[m] > 0 || m === singleIndex) owned.push(e.model);
      else e.model.release();
    }
    progress({
      stage: 'teacher',
      message: `selected ${members.length} of ${entries.length} models, validation ${options.selectionMetric} ${selection.validationScore.toFixed(4)}; best single model: ${single.name}`,
      fraction: 1,
    });
    endStage('teacher');

    // ann: the student's architecture trained on the original rows only.
    const studentArchitecture = { inputs: encoder.width, hidden: [options.hidden], outputs };
    const ann = Mlp.create(engine, studentArchitecture, options.seed * 1000 + 999);
    owned.push(ann);
    const annResult = await trainMlp(ann, { x: fit.x, targets: fit.targets }, validation, {
      epochs: options.annEpochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      schedule: 'cosine',
      patience: options.patience,
      loss: 'cross-entropy',
      seed: options.seed * 1000 + 999,
      onEpoch: (e) => progress({ stage: 'ann', message: epochMessage(e), epoch: e, fraction: e.epoch / options.annEpochs }),
    });
    progress({ stage: 'ann', message: `best validation RMSE ${annResult.bestValidationRmse.toFixed(4)} at epoch ${annResult.bestEpoch}`, fraction: 1 });
    endStage('ann');

    // Pseudo data: MUNGE, then original and pseudo rows side by side in one matrix.
    const n = fit.x.rows;
    const pseudoRows = options.pseudo;
    const mimicX = engine.tensor(n + pseudoRows, encoder.width);
    owned.push(mimicX);
    engine.copyRows(fit.x, mimicX, 0);
    if (pseudoRows > 0) {
      const pseudo = munge(engine, fit.x, attributeGroups(encoder), distanceWeights(encoder), {
        rows: pseudoRows,
        swapProbability: options.swapProbability,
        spread: options.spread,
        seed: options.seed,
      });
      engine.copyRows(pseudo, mimicX, n);
      pseudo.release();
    }
    await engine.finish();
    const sampleRows = Math.min(2000, pseudoRows);
    const sample = sampleRows > 0 ? await engine.readRows(mimicX, n, sampleRows) : undefined;
    progress({
      stage: 'pseudo',
      message: `MUNGE made ${pseudoRows} rows (p = ${options.swapProbability}, s = ${options.spread})`,
      fraction: 1,
      pseudoSample: sample ? { rows: sampleRows, columns: encoder.width, values: sample } : undefined,
    });
    endStage('pseudo');

    // Labels: the ensemble's probabilities for every original and pseudo row.
    const mimicTargets = teacher.predict(mimicX);
    owned.push(mimicTargets);
    await engine.finish();
    progress({ stage: 'label', message: `ensemble labelled ${n + pseudoRows} rows`, fraction: 1 });
    endStage('label');

    // Student: the same architecture as ann, trained to match the ensemble's probabilities.
    const student = Mlp.create(engine, studentArchitecture, options.seed * 1000 + 998);
    owned.push(student);
    const studentResult = await trainMlp(student, { x: mimicX, targets: mimicTargets }, validation, {
      epochs: options.studentEpochs,
      batchSize: options.studentBatchSize,
      learningRate: options.learningRate,
      schedule: 'cosine',
      patience: options.patience,
      loss: options.loss,
      seed: options.seed * 1000 + 998,
      onEpoch: (e) => progress({ stage: 'student', message: epochMessage(e), epoch: e, fraction: e.epoch / options.studentEpochs }),
    });
    progress({ stage: 'student', message: `best validation RMSE ${studentResult.bestValidationRmse.toFixed(4)} at epoch ${studentResult.bestEpoch}`, fraction: 1 });
    endStage('student');

    // Evaluation on the test rows.
    const models = {
      ensemble: await scoreModel(engine, (x) => teacher.predict(x), uploaded.test, uploaded.testLabels, outputs, teacher.bytes),
      single: await scoreModel(engine, (x) => single.predict(x), uploaded.test, uploaded.testLabels, outputs, single.bytes),
      ann: await scoreModel(engine, (x) => ann.predict(x), uploaded.test, uploaded.testLabels, outputs, ann.bytes),
      student: await scoreModel(engine, (x) => student.predict(x), uploaded.test, uploaded.testLabels, outputs, student.bytes),
    };
    progress({ stage: 'evaluate', message: 'scored ensemble, ann and student on the test rows', fraction: 1 });
    endStage('evaluate');

    return {
      problem: options.problemName ?? problem.description,
      target: problem.target,
      positive: problem.positive,
      classes: problem.classes,
      adapter: engine.adapterName,
      rows: { train: split.train.length, validation: split.validation.length, test: split.test.length, pseudo: pseudoRows },
      models,
      library,
      selection: {
        metric: options.selectionMetric,
        validationScore: selection.validationScore,
        members: members.map((m) => ({ name: m.model.name, family: m.model.family, weight: m.weight })),
      },
      single: single.name,
      gainKept: (models.ann.rmse - models.student.rmse) / (models.ann.rmse - models.ensemble.rmse),
      student: { encoder, layers: await student.export(), hidden: options.hidden, validationRmse: studentResult.bestValidationRmse, epochs: studentResult.epochs },
      options: { ...options, onProgress: undefined },
      seconds,
    };
  } finally {
    for (const o of owned) o.release();
  }
}

/** Checks each tree spec against the encoded width, so that a bad option fails before any GPU work. */
function checkLibrary(specs: ModelSpec[], columns: number): void {
  specs.forEach((spec, i) => {
    if (!isTree(spec)) return;
    try {
      resolveTreeSpec(spec, columns);
    } catch (error) {
      throw new MimicError(`library model ${i + 1} (${spec.family}): ${(error as Error).message}`);
    }
  });
}

/** Fails before any training if original plus pseudo rows cannot be bound as one matrix. */
function checkPseudoFits(engine: Engine, prepared: PreparedData): void {
  const n = prepared.split.train.length;
  const width = prepared.encoder.width;
  const limit = Math.min(engine.maxStorageBufferBindingSize, engine.limits.maxBufferSize);
  const bytes = (n + prepared.options.pseudo) * width * 4;
  if (bytes > limit) {
    const maxPseudo = Math.max(0, Math.floor(limit / (width * 4)) - n);
    throw new MimicError(
      `--pseudo ${prepared.options.pseudo} needs a ${n + prepared.options.pseudo}x${width} matrix of ${bytes} bytes, more than this adapter binds at once (${limit}); use --pseudo ${maxPseudo} or less`,
    );
  }
}

function epochMessage(e: EpochReport): string {
  return `epoch ${e.epoch}: loss ${e.trainLoss.toFixed(5)}, validation RMSE ${e.validationRmse.toFixed(4)}${e.improved ? ' *' : ''}`;
}
