import { AnnoyVectorIndex } from './annoy-index.js';
import { IndexError } from './errors.js';
import { FaissVectorIndex } from './faiss-index.js';
import { SIDECAR_SUFFIX, readSidecar } from './files.js';
import { type ParsedSpec, checkSpecForDim, parseIndexSpec } from './spec.js';
import type { VectorIndex } from './vector-index.js';

export type { IndexMetric, SearchHit, VectorIndex } from './vector-index.js';
export { IndexError, type IndexErrorCode } from './errors.js';
export { type ParsedSpec, parseIndexSpec } from './spec.js';
export { AnnoyVectorIndex, FaissVectorIndex, SIDECAR_SUFFIX };

/**
 * A new, empty index. `spec` (see indexes/spec.ts): flat, flat-l2, hnsw[:M=..,efSearch=..],
 * ivfpq[:nlist=..,m=..,nbits=..,nprobe=..], annoy[:trees=..,searchK=..,seed=..], each with
 * optional metric=ip|l2, or faiss:<factory>[|params] / faiss-l2:<factory>[|params].
 * Throws IndexError('BAD_INDEX_SPEC') for a bad spec, IndexError('NATIVE_UNAVAILABLE') when
 * the native addon is not built. `index.spec` is `spec` as given.
 */
export function createIndex(spec: string, dim: number): VectorIndex {
  const parsed = parseIndexSpec(spec);
  checkSpecForDim(spec, parsed, dim);
  return parsed.kind === 'annoy' ? AnnoyVectorIndex.create(spec, parsed, dim) : FaissVectorIndex.create(spec, parsed, dim);
}

/** Checks a spec string (and the dimension, when given) without building anything. */
export function validateIndexSpec(spec: string, dim?: number): ParsedSpec {
  const parsed = parseIndexSpec(spec);
  if (dim !== undefined) checkSpecForDim(spec, parsed, dim);
  return parsed;
}

/**
 * Loads an index written by `save(file)`: the engine file plus its sidecar `file + ".meta.json"`
 * (spec, dim, metric; Annoy item ids; FAISS tombstones). Search-time parameters come from the spec.
 */
export async function loadIndex(file: string): Promise<VectorIndex> {
  const meta = await readSidecar(file);
  let parsed: ParsedSpec;
  try {
    parsed = parseIndexSpec(meta.spec);
  } catch (e) {
    throw new IndexError('BAD_INDEX_FILE', `The index sidecar of ${file} has a bad spec: ${(e as Error).message}`, { cause: e });
  }
  if (parsed.metric !== meta.metric || (parsed.kind === 'annoy') !== (meta.engine === 'annoy')) {
    throw new IndexError('BAD_INDEX_FILE', `The index sidecar of ${file} is inconsistent: spec ${meta.spec} vs ${meta.engine}/${meta.metric}`);
  }
  if (meta.engine === 'annoy' && parsed.kind === 'annoy') return AnnoyVectorIndex.load(file, meta, parsed);
  if (meta.engine === 'faiss' && parsed.kind !== 'annoy') return FaissVectorIndex.load(file, meta, parsed);
  throw new IndexError('BAD_INDEX_FILE', `Unknown index engine in the sidecar of ${file}`);
}
