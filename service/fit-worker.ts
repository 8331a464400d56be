/**
 * Worker-thread side of fitInWorker (service/fit-in-worker.ts): opens the collection from its
 * directory and fits its metric (service/metric-fit.ts: cross-validation inside its labelled
 * items), which stores the artifact and the search defaults in the manifest.
 *
 * Only the store and the metric code load here. Not the models (sharp, onnxruntime), and not the
 * vector indexes: faiss-node keeps its class constructor in a process-wide static, so loading it
 * in a worker and ending the worker leaves the serving thread's FAISS calls on a dangling
 * reference (a crash at the next index load). The index is rebuilt by the caller.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Collection } from '../store/collection.js';
import type { FitWorkerData, FromFitWorker } from './fit-in-worker.js';
import { progressFromRows } from './fit-port.js';
import { fitCollectionMetric } from './metric-fit.js';
import { toWire } from './wire-error.js';

const port = parentPort!;
const data = workerData as FitWorkerData;
const post = (m: FromFitWorker) => port.postMessage(m);

let collection: Collection | undefined;
try {
  collection = await Collection.open(data.dir);
  const progress = progressFromRows((p) => post({ type: 'progress', progress: p }), 200);
  const report = await fitCollectionMetric(collection, { mode: data.mode, cv: { folds: data.folds, seed: data.seed, onRow: progress.onRow } });
  progress.flush();
  post({ type: 'done', report });
} catch (err) {
  post({ type: 'error', error: toWire(err) });
} finally {
  collection?.close();
}
