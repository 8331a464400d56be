/**
 * What the Caltech ensemble benchmarks share: their path flags, the three offline models, and the
 * cached gallery/queries embeddings (embedded once per data dir, crop setting and views).
 */
import os from 'node:os';
import path from 'node:path';
import type { Embedder } from '../models/embedder.js';
import { type EvalOptions, evalCollections } from '../service/evaluate.js';
import type { View } from '../store/collection.js';

export const ENSEMBLE_MODELS = ['mobilenetv2-int8', 'mnv4s-int8', 'mobilenet-v1-025'];

/** parseArgs options: --data (the embedding cache), --model-dir, --dataset. */
export const PATH_OPTIONS = {
  data: { type: 'string', default: path.join(os.tmpdir(), 'imsearch-bench-data') },
  'model-dir': { type: 'string', default: path.resolve('../shared/models') },
  dataset: { type: 'string', default: path.resolve('../shared/datasets/caltech101') },
} as const;

/** The gallery and queries of `dataset`, embedded by `embedder` (the ensemble) into the cache under `data`. */
export function ensembleCollections(
  paths: { dataset: string; data: string },
  embedder: Embedder,
  views: View[],
  onProgress?: EvalOptions['onProgress'],
): ReturnType<typeof evalCollections> {
  return evalCollections({
    gallery: path.join(paths.dataset, 'gallery'),
    queries: path.join(paths.dataset, 'queries'),
    workDir: path.join(paths.data, 'eval-cache'),
    embedder,
    models: ENSEMBLE_MODELS.map((name) => ({ name, weight: 1 })),
    views,
    onProgress,
  });
}
