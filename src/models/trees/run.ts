import { MimicError } from '../../errors.js';
import { TREE_WORKER_FILE, type TreeWorkerMessage, type TreeWorkerRequest } from './protocol.js';
import { Pacer, trainTrees, type ProgressCallback, type TreeTrainingInput, type TreeTrainingResult } from './train.js';

export interface RunTrainingOptions {
  /** Train in a worker when one starts (the default); false trains inline on this thread. */
  worker?: boolean;
  onProgress?: ProgressCallback;
  /** Maximum time of inline training between two yields to the event loop, in milliseconds. */
  sliceMs?: number;
  /**
   * Location of the worker bundle, for an application that serves tree_worker.js from elsewhere;
   * by default the file beside this module's own bundle.
   */
  workerUrl?: URL | string;
}

/** Training place: a worker, or inline on the calling thread. */
export type TrainingPlace = 'worker' | 'inline';

/** The few calls that a Node worker thread and a browser Web Worker have in common here. */
interface WorkerHandle {
  post(request: TreeWorkerRequest): void;
  listen(onMessage: (message: TreeWorkerMessage) => void, onFailure: (error: Error) => void): void;
  terminate(): void;
}

const isNode = typeof process === 'object' && process.versions?.node !== undefined;

/**
 * Starts the tree worker from `url`, by default tree_worker.js beside this module's own file
 * (dist/ for the package, build/test/ for the tests). Returns null when this environment has no
 * workers.
 */
async function openWorker(url: URL | string = new URL(`./${TREE_WORKER_FILE}`, import.meta.url)): Promise<WorkerHandle | null> {
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(url);
    return {
      post: (request) => worker.postMessage(request),
      listen(onMessage, onFailure) {
        worker.on('message', onMessage);
        worker.on('error', onFailure);
        worker.on('exit', (code) => onFailure(new Error(`the tree worker exited with code ${code}`)));
      },
      terminate: () => void worker.terminate(),
    };
  }
  if (typeof Worker !== 'function') return null;
  const worker = new Worker(url, { type: 'module' });
  return {
    post: (request) => worker.postMessage(request),
    listen(onMessage, onFailure) {
      worker.onmessage = (event: MessageEvent<TreeWorkerMessage>) => onMessage(event.data);
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        onFailure(new Error(`the tree worker failed: ${event.message || 'its script could not be loaded'}`));
      };
    },
    terminate: () => worker.terminate(),
  };
}

/** Rebuilds an error that the worker caught, keeping the classes a caller may test for. */
function workerError(name: string, message: string): Error {
  if (name === 'RangeError') return new RangeError(message);
  if (name === 'TypeError') return new TypeError(message);
  if (name === 'MimicError') return new MimicError(message);
  return new Error(message);
}

/**
 * Trains in the tree worker. Resolves null, so that the caller trains inline instead, when the
 * worker cannot start or fails before it reports `ready`. After that its errors reject.
 */
async function trainInWorker(input: TreeTrainingInput, options: RunTrainingOptions): Promise<TreeTrainingResult | null> {
  let handle: WorkerHandle | null;
  try {
    handle = await openWorker(options.workerUrl);
  } catch {
    return null;
  }
  if (handle === null) return null;
  const worker = handle;

  return new Promise((resolve, reject) => {
    let ready = false;
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      worker.terminate();
      finish();
    };
    worker.listen(
      (message) => {
        if (message.type === 'ready') {
          ready = true;
          worker.post({ type: 'train', input });
        } else if (message.type === 'progress') {
          options.onProgress?.(message.message, message.fraction);
        } else if (message.type === 'done') {
          settle(() => resolve(message.result));
        } else {
          settle(() => reject(workerError(message.name, message.message)));
        }
      },
      (error) => settle(() => (ready ? reject(error) : resolve(null))),
    );
  });
}

/**
 * Trains the trees that `input.spec` describes without blocking the event loop: in a worker
 * where one starts, else inline with a yield to the event loop every `sliceMs` milliseconds
 * (between nodes of a tree). Both places give the same trees for the same input.
 */
export async function runTreeTraining(input: TreeTrainingInput, options: RunTrainingOptions = {}): Promise<{ result: TreeTrainingResult; place: TrainingPlace }> {
  if (options.worker !== false) {
    const result = await trainInWorker(input, options);
    if (result !== null) return { result, place: 'worker' };
  }
  const result = await trainTrees(input, new Pacer(options.sliceMs ?? 10), options.onProgress);
  return { result, place: 'inline' };
}
