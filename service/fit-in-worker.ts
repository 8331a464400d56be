/**
 * The server's FitRunner: cross-validating the learned metric is synchronous, CPU-bound
 * JavaScript (seconds on a small collection, minutes on thousands of images), so it runs in a
 * worker thread (service/fit-worker.ts). The worker opens the collection itself (files on disk:
 * manifest, item database, embeddings), fits, stores the metric artifact and the search defaults
 * in the manifest, and returns the report; the fitting use case then re-reads the manifest and
 * reopens the searcher, which rebuilds the index in the new space (FAISS cannot be used from a
 * worker thread: see the worker).
 */
import { Worker } from 'node:worker_threads';
import { ImsearchError } from '../errors/error-codes.js';
import type { Collection } from '../store/collection.js';
import type { FitProgress, FitRequest, FitRunOptions } from './fit-port.js';
import type { FitReport } from './metric-fit.js';
import { type WireError, fromWire } from './wire-error.js';

export interface FitWorkerData extends FitRequest {
  /** The collection's directory (its manifest, item database and embeddings). */
  dir: string;
  /** Its name, for messages. */
  collection: string;
}

export type FromFitWorker =
  | { type: 'progress'; progress: FitProgress }
  | { type: 'done'; report: FitReport }
  | { type: 'error'; error: WireError };

const WORKER_URL = new URL('./fit-worker.js', import.meta.url);

/**
 * Runs the fit in a new worker thread, which writes the artifact and the manifest (each
 * atomically, the artifact first): the caller re-reads the manifest afterwards, also after a
 * failure or a cancel (the worker may have got as far as writing it). Rejects with the worker's
 * error (NOT_LABELLED, ...) or CANCELLED when the signal aborts it.
 */
export function fitInWorker(collection: Collection, request: FitRequest, opts: FitRunOptions): Promise<FitReport> {
  const data: FitWorkerData = { ...request, dir: collection.dir, collection: collection.name };
  return new Promise<FitReport>((resolve, reject) => {
    const cancelled = () => new ImsearchError('CANCELLED', 'the fit was cancelled (the server is stopping)');
    if (opts.signal?.aborted) {
      reject(cancelled());
      return;
    }
    const worker = new Worker(WORKER_URL, { workerData: data, name: `fit ${data.collection}` });
    let settled = false;
    const finish = (fn: () => void, stop = true) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
      // After 'done' the worker closes the collection and ends by itself.
      if (stop) void worker.terminate();
    };
    const onAbort = () => finish(() => reject(cancelled()));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: FromFitWorker) => {
      if (m.type === 'progress') opts.onProgress?.(m.progress);
      else if (m.type === 'done') finish(() => resolve(m.report), false);
      else if (m.type === 'error') finish(() => reject(fromWire(m.error, 'the metric fit worker')));
    });
    worker.on('error', (err) => finish(() => reject(new ImsearchError('INTERNAL_SERVER_ERROR', `the metric fit worker failed: ${err.message}`, {}, { cause: err }))));
    worker.on('exit', (code) => finish(() => reject(new ImsearchError('INTERNAL_SERVER_ERROR', `the metric fit worker exited (code ${code}) before reporting`))));
  });
}
