/**
 * Worker-thread side of fitInWorker (server/metric-fit-job.ts): opens the collection from its
 * directory and fits its metric (search/metric-fit.ts: cross-validation inside its labelled
 * items), which stores the artifact and the search defaults in the manifest.
 *
 * Only the store and the metric code load here. Not the models (sharp, onnxruntime), and not the
 * vector indexes: faiss-node keeps its class constructor in a process-wide static, so loading it
 * in a worker and ending the worker leaves the serving thread's FAISS calls on a dangling
 * reference (a crash at the next index load). The index is rebuilt by the caller.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CvRow } from '../metric/index.js';
import { fitCollectionMetric } from '../search/metric-fit.js';
import { Collection } from '../store/collection.js';
import type { FitProgress, FitWorkerData, FromFitWorker } from './metric-fit-job.js';
import type { WireError } from './worker-embedder.js';

function toWire(err: unknown): WireError {
  const e = err as { name?: string; message?: string; code?: string; stack?: string };
  return { name: e?.name ?? 'Error', message: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : undefined, stack: e?.stack };
}

const port = parentPort!;
const data = workerData as FitWorkerData;
const post = (m: FromFitWorker) => port.postMessage(m);

let collection: Collection | undefined;
try {
  collection = await Collection.open(data.dir);
  const progress: FitProgress = { evaluated: 0, best: null };
  let lastPost = 0;
  const onRow = (row: CvRow) => {
    progress.evaluated++;
    if (!progress.best || row.map > progress.best.map) progress.best = { method: row.params.method, pcaDim: row.params.pcaDim, map: row.map };
    const now = Date.now();
    if (now - lastPost >= 200) {
      lastPost = now;
      post({ type: 'progress', progress: { ...progress } });
    }
  };
  const report = await fitCollectionMetric(collection, { mode: data.mode, cv: { folds: data.folds, onRow } });
  post({ type: 'progress', progress: { ...progress } });
  post({ type: 'done', report, manifest: { metric: collection.manifest.metric, searchDefaults: collection.manifest.searchDefaults } });
} catch (err) {
  post({ type: 'error', error: toWire(err) });
} finally {
  collection?.close();
}
