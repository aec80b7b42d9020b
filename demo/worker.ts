// Runs the whole compression off the page's main thread, on the worker's own WebGPU device.
import { parseCsv } from '../src/data/csv.js';
import { MimicError } from '../src/errors.js';
import { serializeStudent } from '../src/export/student_file.js';
import { createEngine } from '../src/gpu/engine.js';
import { compress, prepareData } from '../src/pipeline/compress.js';
import type { RunRequest, WorkerMessage } from './protocol.js';

const post = (message: WorkerMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

/** Names each encoded column: the attribute, and the category for one-hot columns. */
function columnNames(encoder: ReturnType<typeof prepareData>['encoder']): string[] {
  const names: string[] = [];
  for (const attribute of encoder.attributes) {
    if (attribute.kind === 'continuous') names[attribute.column] = attribute.name;
    else attribute.categories.forEach((category, i) => (names[attribute.column + i] = `${attribute.name}=${category}`));
  }
  return names;
}

async function run(request: RunRequest): Promise<void> {
  const table = parseCsv(request.csv, request.source);
  const prepared = prepareData(table, {
    target: request.target,
    positive: request.positive,
    pseudo: request.pseudo,
    hidden: request.hidden,
    studentEpochs: request.epochs,
    library: request.library,
    onProgress: (event) => post({ type: 'progress', event }),
  });
  const sampleRows = Math.min(2000, prepared.split.train.length);
  post({ type: 'columns', names: columnNames(prepared.encoder), original: { rows: sampleRows, values: prepared.train.slice(0, sampleRows * prepared.encoder.width) } });

  const engine = await createEngine();
  try {
    const result = await compress(engine, prepared);
    post({ type: 'done', problem: result.problem, rows: result.rows, models: result.models, gainKept: result.gainKept, student: serializeStudent(result) });
  } finally {
    engine.destroy();
  }
}

self.onmessage = (event: MessageEvent<RunRequest>) => {
  run(event.data).catch((error: unknown) => {
    const message = error instanceof MimicError ? error.message : `internal error: ${(error as Error).message}`;
    post({ type: 'error', message });
  });
};
