import type { TreeTrainingInput, TreeTrainingResult } from './train.js';

/** Messages from the library to the tree worker. */
export type TreeWorkerRequest = { type: 'train'; input: TreeTrainingInput };

/** Messages from the tree worker: `ready` once it has loaded, then progress and one result. */
export type TreeWorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; message: string; fraction: number }
  | { type: 'done'; result: TreeTrainingResult }
  | { type: 'failed'; name: string; message: string };

/** File name of the worker bundle that build.mjs writes next to each bundle of the library. */
export const TREE_WORKER_FILE = 'tree_worker.js';
