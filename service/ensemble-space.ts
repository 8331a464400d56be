import type { CollectionModel, View } from '../store/collection.js';
import type { Collection } from '../store/collection.js';
import { concatWeighted, l2NormalizeInPlace } from '../models/vectors.js';

export type ViewVectors = Partial<Record<View, Record<string, Float32Array>>>;

/**
 * Per-model vectors of the given views averaged and renormalised (flip test-time augmentation
 * is the mean of the photo's and its mirror's embeddings).
 */
export function poolViews(vectors: ViewVectors, views: readonly View[], model: string): Float32Array {
  const parts = views.map((v) => vectors[v]?.[model]);
  const first = parts[0];
  if (!first) throw new Error(`no ${views[0]} embedding for model ${model}`);
  if (parts.length === 1) return first;
  const out = new Float32Array(first.length);
  for (const p of parts) {
    if (!p) throw new Error(`missing a view embedding for model ${model}`);
    for (let i = 0; i < out.length; i++) out[i] += p[i];
  }
  return l2NormalizeInPlace(out);
}

/**
 * The ensemble vector of one image: the collection's models in manifest order, each part
 * weighted. Models left out of `subset` get weight 0, so their slots are zero and the inner
 * product with any gallery vector is the weighted cosine over the subset alone: one index
 * serves every subset of the collection's models.
 */
export function ensembleVector(
  models: readonly CollectionModel[],
  vectors: ViewVectors,
  views: readonly View[],
  subset?: ReadonlySet<string>,
): Float32Array {
  const parts = models.map((m) => poolViews(vectors, views, m.name));
  const weights = models.map((m) => (subset && !subset.has(m.name) ? 0 : m.weight));
  return concatWeighted(parts, weights);
}

export interface GalleryMatrix {
  ids: Int32Array;
  data: Float32Array;
  dim: number;
}

/**
 * Every item of the collection as an ensemble vector, in id order (the tie-break order); `models`
 * picks and weights a subset of the collection's models (default: all, with their weights).
 */
export function galleryMatrix(
  collection: Collection,
  views: readonly View[],
  models: readonly CollectionModel[] = collection.manifest.models,
): GalleryMatrix {
  const blocks = new Map(views.flatMap((v) => models.map((m) => [`${v}/${m.name}`, collection.vectors(m.name, v)] as const)));
  const first = blocks.get(`${views[0]}/${models[0].name}`)!;
  const n = first.ids.length;
  for (const [key, b] of blocks) {
    if (b.ids.length !== n) throw new Error(`collection ${collection.name}: ${key} has ${b.ids.length} vectors, expected ${n}`);
  }
  const dim = models.reduce((s, m) => s + m.dim, 0);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const vectors: ViewVectors = {};
    for (const v of views) {
      vectors[v] = Object.fromEntries(
        models.map((m) => {
          const b = blocks.get(`${v}/${m.name}`)!;
          return [m.name, b.data.subarray(i * b.dim, (i + 1) * b.dim)];
        }),
      );
    }
    data.set(ensembleVector(models, vectors, views), i * dim);
  }
  return { ids: first.ids, data, dim };
}
