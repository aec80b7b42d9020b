import type { CompressResult, ModelScores } from '../pipeline/compress.js';

function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** Describes how the student compares, e.g. "3.2x smaller" or, when it is not, "1.5x larger". */
function ratio(ensemble: number, student: number, better: string, worse: string): string {
  return ensemble >= student ? `${(ensemble / student).toFixed(1)}x ${better}` : `${(student / ensemble).toFixed(1)}x ${worse}`;
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

/** Formats every library model's RMSE and its weight in the selected ensemble. */
function libraryTable(result: CompressResult): string {
  const weights = new Map(result.selection.members.map((m) => [m.name, m.weight]));
  const width = Math.max(20, ...result.library.map((m) => m.name.length + 2));
  const lines = [`${pad('library model', width)}${pad('val RMSE', 10)}${pad('test RMSE', 11)}${pad('fit s', 8)}weight`];
  for (const m of result.library) {
    const weight = weights.get(m.name);
    lines.push(`${pad(m.name, width)}${pad(m.validation.rmse.toFixed(4), 10)}${pad(m.test.rmse.toFixed(4), 11)}${pad(m.seconds.toFixed(1), 8)}${weight === undefined ? '-' : weight.toFixed(3)}`);
  }
  return lines.join('\n');
}

/** Formats the results table printed on stdout. */
export function formatReport(result: CompressResult, studentPath: string): string {
  const lines: string[] = [];
  const r = result.rows;
  lines.push(`${result.problem}: ${r.train} train, ${r.validation} validation, ${r.test} test rows; ${r.pseudo} MUNGE pseudo rows`);
  lines.push(`adapter: ${result.adapter}`);
  lines.push('');
  lines.push(libraryTable(result));
  lines.push('');
  lines.push(`${pad('model', 10)}${pad('RMSE', 9)}${pad('accuracy', 10)}${pad('AUC', 8)}${pad('size', 11)}ms per 10k rows`);
  const row = (name: string, s: ModelScores) =>
    `${pad(name, 10)}${pad(s.rmse.toFixed(4), 9)}${pad(s.accuracy.toFixed(4), 10)}${pad(Number.isNaN(s.auc) ? '-' : s.auc.toFixed(4), 8)}${pad(formatBytes(s.bytes), 11)}${s.msPer10k.toFixed(1)}`;
  lines.push(row('ensemble', result.models.ensemble));
  lines.push(row('single', result.models.single));
  lines.push(row('ann', result.models.ann));
  lines.push(row('student', result.models.student));
  lines.push('');
  const { ensemble, ann, student } = result.models;
  const comparison = `it is ${ratio(ensemble.bytes, student.bytes, 'smaller', 'larger')} and ${ratio(ensemble.msPer10k, student.msPer10k, 'faster', 'slower')} than the ensemble`;
  if (ensemble.rmse < ann.rmse) {
    lines.push(`student kept ${(100 * result.gainKept).toFixed(0)}% of the ensemble's RMSE gain over ann; ${comparison}`);
  } else {
    // The share (ann - student) / (ann - ensemble) has no meaning when the teacher did not beat ann.
    lines.push(`the ensemble did not beat ann on the test rows, so there was no gain to keep; the student ${comparison.slice(3)}`);
  }
  const members = result.selection.members.map((m) => `${m.name} ${m.weight.toFixed(3)}`).join('; ');
  lines.push(`ensemble: ${result.selection.members.length} of ${result.library.length} library models (${members})`);
  lines.push(`single: ${result.single}`);
  lines.push(`student file: ${studentPath}`);
  return lines.join('\n') + '\n';
}

/** Builds the --json document. */
export function resultJson(result: CompressResult, studentPath: string): Record<string, unknown> {
  return {
    problem: result.problem,
    target: result.target,
    positive: result.positive,
    adapter: result.adapter,
    rows: result.rows,
    models: result.models,
    single: result.single,
    selection: result.selection,
    library: result.library,
    gainKept: result.gainKept,
    studentFile: studentPath,
    seconds: result.seconds,
    options: {
      pseudo: result.options.pseudo,
      mungeP: result.options.swapProbability,
      mungeS: result.options.spread,
      hidden: result.options.hidden,
      seed: result.options.seed,
      loss: result.options.loss,
      library: result.options.library,
      selectionMetric: result.options.selectionMetric,
    },
  };
}
