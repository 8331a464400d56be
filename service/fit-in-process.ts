import { type FitRunner, progressFromRows } from './fit-port.js';
import { fitCollectionMetric } from './metric-fit.js';

/** The CLI's FitRunner: the fit on this thread (the process does nothing else meanwhile). */
export const fitInProcess: FitRunner = async (collection, request, opts) => {
  opts.signal?.throwIfAborted();
  const progress = progressFromRows(opts.onProgress, 200);
  const report = await fitCollectionMetric(collection, { mode: request.mode, cv: { folds: request.folds, seed: request.seed, onRow: progress.onRow } });
  progress.flush();
  return report;
};
