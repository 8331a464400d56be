import type { CollectionModel, View } from '../store/collection.js';
import type { Collection, VectorBlock } from '../store/collection.js';
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
  const stored = storedBlocks(collection, views, models);
  return { ids: stored.ids, data: assemble(stored, views, models), dim: stored.dim };
}

/**
 * The pooled matrix of galleryMatrix and, beside it, each view's own matrix (the same items,
 * models and weights, one view each; none for a single view, which is the pooled matrix), from
 * one read of the stored vectors: what a fit hands the cross-validation so the head can train on
 * the views as extra rows.
 */
export function galleryViewMatrices(
  collection: Collection,
  views: readonly View[],
  models: readonly CollectionModel[] = collection.manifest.models,
): { pooled: GalleryMatrix; perView: Float32Array[] } {
  const stored = storedBlocks(collection, views, models);
  return {
    pooled: { ids: stored.ids, data: assemble(stored, views, models), dim: stored.dim },
    perView: views.length > 1 ? views.map((v) => assemble(stored, [v], models)) : [],
  };
}

interface StoredBlocks {
  blocks: Map<string, VectorBlock>;
  ids: Int32Array;
  n: number;
  dim: number;
}

/** Every (view, model) block of stored vectors, each read once, checked to hold the same items. */
function storedBlocks(collection: Collection, views: readonly View[], models: readonly CollectionModel[]): StoredBlocks {
  const blocks = new Map(views.flatMap((v) => models.map((m) => [`${v}/${m.name}`, collection.vectors(m.name, v)] as const)));
  const first = blocks.get(`${views[0]}/${models[0].name}`)!;
  const n = first.ids.length;
  for (const [key, b] of blocks) {
    if (b.ids.length !== n) throw new Error(`collection ${collection.name}: ${key} has ${b.ids.length} vectors, expected ${n}`);
  }
  return { blocks, ids: first.ids, n, dim: models.reduce((s, m) => s + m.dim, 0) };
}

/** The ensemble vectors of every item, `views` pooled per model. */
function assemble(stored: StoredBlocks, views: readonly View[], models: readonly CollectionModel[]): Float32Array {
  const data = new Float32Array(stored.n * stored.dim);
  for (let i = 0; i < stored.n; i++) {
    const vectors: ViewVectors = {};
    for (const v of views) {
      vectors[v] = Object.fromEntries(
        models.map((m) => {
          const b = stored.blocks.get(`${v}/${m.name}`)!;
          return [m.name, b.data.subarray(i * b.dim, (i + 1) * b.dim)];
        }),
      );
    }
    data.set(ensembleVector(models, vectors, views), i * stored.dim);
  }
  return data;
}
