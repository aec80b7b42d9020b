import type { CompressResult, ModelScores } from '../pipeline/compress.js';

function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

/** Formats the results table printed on stdout. */
export function formatReport(result: CompressResult, studentPath: string): string {
  const lines: string[] = [];
  const r = result.rows;
  lines.push(`${result.problem}: ${r.train} train, ${r.validation} validation, ${r.test} test rows; ${r.pseudo} MUNGE pseudo rows`);
  lines.push(`adapter: ${result.adapter}`);
  lines.push('');
  lines.push(`${pad('model', 10)}${pad('RMSE', 9)}${pad('accuracy', 10)}${pad('AUC', 8)}${pad('size', 11)}ms per 10k rows`);
  const row = (name: string, s: ModelScores) =>
    `${pad(name, 10)}${pad(s.rmse.toFixed(4), 9)}${pad(s.accuracy.toFixed(4), 10)}${pad(Number.isNaN(s.auc) ? '-' : s.auc.toFixed(4), 8)}${pad(formatBytes(s.bytes), 11)}${s.msPer10k.toFixed(1)}`;
  lines.push(row('ensemble', result.models.ensemble));
  lines.push(row('ann', result.models.ann));
  lines.push(row('student', result.models.student));
  lines.push('');
  const { ensemble, ann, student } = result.models;
  const comparison = `it is ${(ensemble.bytes / student.bytes).toFixed(1)}x smaller and ${(ensemble.msPer10k / student.msPer10k).toFixed(1)}x faster than the ensemble`;
  if (ensemble.rmse < ann.rmse) {
    lines.push(`student kept ${(100 * result.gainKept).toFixed(0)}% of the ensemble's RMSE gain over ann; ${comparison}`);
  } else {
    // The share (ann - student) / (ann - ensemble) has no meaning when the teacher did not beat ann.
    lines.push(`the ensemble did not beat ann on the test rows, so there was no gain to keep; the student ${comparison.slice(3)}`);
  }
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
      teacher: result.options.teacher,
    },
  };
}
