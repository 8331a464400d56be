/**
 * The one port the metric fit runs through: the CLI fits in-process (service/metric-fit.ts
 * fitInProcess), the server in a worker thread (service/fit-in-worker.ts), and the fitting use
 * case (service/service.ts) does not know which.
 */
import type { CvRow } from '../metric/index.js';
import type { Collection } from '../store/collection.js';
import type { FitReport } from './metric-fit.js';

export type FitMode = 'transform' | 'rerank';

export interface FitRequest {
  mode: FitMode;
  /** Independent seeded CV splits averaged (1 = one split). */
  folds: number;
  /** Seed of the CV splits (default: metric/'s fixed DEFAULT_CV_SEED): rerun with others to see the spread. */
  seed?: number;
}

export interface FitProgress {
  /** Settings (metric parameters, then re-rankers) evaluated so far. */
  evaluated: number;
  /** Best metric setting so far by CV MAP@10. */
  best: { method: string; pcaDim: number; map: number } | null;
}

export interface FitRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: FitProgress) => void;
}

/**
 * Fits the collection's metric, stores the artifact and writes the chosen configuration to the
 * manifest on disk (the caller re-reads it, also after a failure).
 */
export type FitRunner = (collection: Collection, request: FitRequest, opts: FitRunOptions) => Promise<FitReport>;

/** Turns the cross-validation's rows into progress reports, at most one per `everyMs`. */
export function progressFromRows(onProgress: ((p: FitProgress) => void) | undefined, everyMs: number): { onRow: (row: CvRow) => void; flush: () => void } {
  const progress: FitProgress = { evaluated: 0, best: null };
  let last = 0;
  const flush = () => onProgress?.({ ...progress });
  return {
    onRow: (row) => {
      progress.evaluated++;
      if (!progress.best || row.map > progress.best.map) progress.best = { method: row.params.method, pcaDim: row.params.pcaDim, map: row.map };
      const now = Date.now();
      if (now - last >= everyMs) {
        last = now;
        flush();
      }
    },
    flush,
  };
}
