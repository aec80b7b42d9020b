// Entry point of the tree worker bundle (tree_worker.js): trains trees off the main thread, as a
// Node worker thread or a browser module Web Worker, and posts the flattened trees back.
import type { TreeWorkerMessage, TreeWorkerRequest } from './protocol.js';
import { Pacer, trainTrees } from './train.js';

type Post = (message: TreeWorkerMessage, transfer?: Transferable[]) => void;

async function handle(request: TreeWorkerRequest, post: Post): Promise<void> {
  try {
    const result = await trainTrees(request.input, new Pacer(Infinity), (message, fraction) => post({ type: 'progress', message, fraction }));
    const { nodes, trees, values, base } = result.trees;
    post({ type: 'done', result }, [nodes.buffer, trees.buffer, values.buffer, base.buffer]);
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    post({ type: 'failed', name, message });
  }
}

const isNode = typeof process === 'object' && process.versions?.node !== undefined;
if (isNode) {
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) throw new Error('tree_worker.js must run as a worker thread');
  const post: Post = (message, transfer = []) => parentPort.postMessage(message, transfer as never[]);
  parentPort.on('message', (request: TreeWorkerRequest) => void handle(request, post));
  post({ type: 'ready' });
} else {
  const scope = self as unknown as Worker;
  const post: Post = (message, transfer = []) => scope.postMessage(message, transfer);
  scope.onmessage = (event: MessageEvent<TreeWorkerRequest>) => void handle(event.data, post);
  post({ type: 'ready' });
}
