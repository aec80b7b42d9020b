// Messages between the demo page and its worker.
import type { ModelScores, ProgressEvent } from '../src/pipeline/compress.js';
import type { LibrarySize } from '../src/teacher/presets.js';

export interface RunRequest {
  type: 'run';
  csv: string;
  source: string;
  target: string;
  positive?: string[];
  pseudo: number;
  hidden: number;
  library: LibrarySize;
  epochs: number;
}

export type WorkerMessage =
  | { type: 'columns'; names: string[]; original: { rows: number; values: Float32Array } }
  | { type: 'progress'; event: ProgressEvent }
  | {
      type: 'done';
      problem: string;
      rows: { train: number; validation: number; test: number; pseudo: number };
      models: { ensemble: ModelScores; single: ModelScores; ann: ModelScores; student: ModelScores };
      gainKept: number;
      student: string;
    }
  | { type: 'error'; message: string };
