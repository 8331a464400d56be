/**
 * fitMetric's work, off the serving thread: cross-validating the learned metric is synchronous,
 * CPU-bound JavaScript (seconds on a small collection, minutes on thousands of images), so it
 * runs in a worker thread (server/metric-fit-worker.ts). The worker opens the collection itself
 * (it is files on disk: manifest, item database, embeddings), fits, stores the metric artifact
 * and the search defaults in the manifest, and returns the report. The caller (holding the
 * collection's write lock) then brings its own Collection's manifest in step and reopens the
 * searcher, which rebuilds the index in the new space (FAISS cannot be used from a worker thread:
 * see the worker).
 */
import { Worker } from 'node:worker_threads';
import { ImsearchError, type ErrorCode } from '../errors/error-codes.js';
import type { FitReport } from '../search/metric-fit.js';
import { SearchError, type SearchErrorCode } from '../search/search-errors.js';
import type { CollectionManifest } from '../store/collection.js';
import type { WireError } from './worker-embedder.js';

export type FitMode = 'transform' | 'rerank';

export interface FitWorkerData {
  /** The collection's directory (its manifest, item database and embeddings). */
  dir: string;
  /** Its name, for messages. */
  collection: string;
  mode: FitMode;
  /** Independent seeded CV splits averaged (1 = one split). */
  folds: number;
}

/** What the worker wrote to the manifest (the caller's Collection adopts it). */
export type FittedManifest = Pick<CollectionManifest, 'metric' | 'searchDefaults'>;

export interface FitProgress {
  /** Settings (metric parameters, then re-rankers) evaluated so far. */
  evaluated: number;
  /** Best metric setting so far by CV MAP@10. */
  best: { method: string; pcaDim: number; map: number } | null;
}

export type FromFitWorker =
  | { type: 'progress'; progress: FitProgress }
  | { type: 'done'; report: FitReport; manifest: FittedManifest }
  | { type: 'error'; error: WireError };

export interface FitOutcome {
  report: FitReport;
  /** What the worker wrote to the manifest. */
  manifest: FittedManifest;
}

export class FitWorkerError extends Error {
  override readonly name = 'FitWorkerError';
  constructor(message: string, options?: { cause?: unknown; cancelled?: boolean }) {
    super(message, options);
    this.cancelled = options?.cancelled ?? false;
  }

  /** Stopped by the abort signal, not failed. */
  readonly cancelled: boolean;
}

const WORKER_URL = new URL('./metric-fit-worker.js', import.meta.url);

/** The search layer's and the metric code's error classes again, so their codes reach the API. */
function fromWire(e: WireError): Error {
  let err: Error;
  if (e.name === 'SearchError') err = new SearchError(e.code as SearchErrorCode, e.message);
  else if (e.name === 'ImsearchError') err = new ImsearchError(e.code as ErrorCode, e.message);
  else err = new Error(e.message);
  if (e.stack) err.stack = `${e.stack}\n    (in the metric fit worker)`;
  return err;
}

/**
 * Runs the fit in a new worker thread. Rejects with a FitWorkerError whose cause is the worker's
 * error (SearchError NOT_LABELLED, ImsearchError, ...). An abort terminates the worker (nothing is
 * half-written: artifact and manifest are each written atomically, the artifact first; the caller
 * still checks which manifest is on disk).
 */
export function fitInWorker(
  data: FitWorkerData,
  opts: { signal?: AbortSignal; onProgress?: (p: FitProgress) => void } = {},
): Promise<FitOutcome> {
  return new Promise<FitOutcome>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new FitWorkerError('the fit was cancelled before it started (the server is stopping)', { cancelled: true }));
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
    const onAbort = () => finish(() => reject(new FitWorkerError('the fit was cancelled (the server is stopping)', { cancelled: true })));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: FromFitWorker) => {
      if (m.type === 'progress') opts.onProgress?.(m.progress);
      else if (m.type === 'done') finish(() => resolve({ report: m.report, manifest: m.manifest }), false);
      else if (m.type === 'error') {
        const cause = fromWire(m.error);
        finish(() => reject(new FitWorkerError(cause.message, { cause })));
      }
    });
    worker.on('error', (err) => finish(() => reject(new FitWorkerError(`the metric fit worker failed: ${err.message}`, { cause: err }))));
    worker.on('exit', (code) => finish(() => reject(new FitWorkerError(`the metric fit worker exited (code ${code}) before reporting`))));
  });
}
