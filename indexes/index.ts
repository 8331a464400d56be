import { AnnoyVectorIndex, type AnnoySpec } from './annoy-index.js';
import { badSpec, indexFault } from './errors.js';
import { FaissVectorIndex, type FaissSpec } from './faiss-index.js';
import { SIDECAR_SUFFIX, readSidecar } from './files.js';
import { type ParsedSpec, checkSpecForDim, parseIndexSpec } from './spec.js';
import type { VectorIndex } from './vector-index.js';

export type { IndexMetric, SearchHit, VectorIndex } from './vector-index.js';
export type { IndexFaultKind } from './errors.js';
export { type BuildSpec, type IndexKind, type ParsedSpec, parseIndexSpec } from './spec.js';
export {
  type SearchKnob,
  type SearchParams,
  SEARCH_KNOBS,
  applicableSearchParams,
  resolveSearchParams,
} from './search-params.js';
export { AnnoyVectorIndex, FaissVectorIndex, SIDECAR_SUFFIX };

function isAnnoy(parsed: ParsedSpec): parsed is AnnoySpec {
  return parsed.build.kind === 'annoy';
}

/**
 * A new, empty index. `spec` (see indexes/spec.ts): flat, flat-l2, hnsw[:M=..,efSearch=..],
 * ivfpq[:nlist=..,m=..,nbits=..,nprobe=..], annoy[:trees=..,searchK=..,seed=..], each with
 * optional metric=ip|l2, or faiss:<factory>[|params] / faiss-l2:<factory>[|params].
 * Throws ImsearchError BAD_INDEX_SPEC for a bad spec, INDEX_ERROR (details.kind
 * NATIVE_UNAVAILABLE) when the native addon is not built. `index.spec` is `spec` as given.
 */
export function createIndex(spec: string, dim: number): VectorIndex {
  const parsed = parseIndexSpec(spec);
  checkSpecForDim(spec, parsed, dim);
  return isAnnoy(parsed) ? AnnoyVectorIndex.create(spec, parsed, dim) : FaissVectorIndex.create(spec, parsed as FaissSpec, dim);
}

/** Checks a spec string (and the dimension, when given) without building anything. */
export function validateIndexSpec(spec: string, dim?: number): ParsedSpec {
  const parsed = parseIndexSpec(spec);
  if (dim !== undefined) checkSpecForDim(spec, parsed, dim);
  return parsed;
}

/**
 * Loads an index written by `save(file)`: the engine file plus its sidecar `file + ".meta.json"`
 * (spec, dim, metric; Annoy item ids; FAISS tombstones). `spec`, when given, is the spec to open
 * it with: its build part must be the saved one (BAD_INDEX_SPEC otherwise), its search options
 * become the defaults, so changing only those never needs a rebuild. Without it, the saved spec.
 */
export async function loadIndex(file: string, spec?: string): Promise<VectorIndex> {
  const meta = await readSidecar(file);
  let saved: ParsedSpec;
  try {
    saved = parseIndexSpec(meta.spec);
  } catch (e) {
    throw indexFault('BAD_INDEX_FILE', `The index sidecar of ${file} has a bad spec: ${(e as Error).message}`, { cause: e });
  }
  if (saved.build.metric !== meta.metric || isAnnoy(saved) !== (meta.engine === 'annoy')) {
    throw indexFault('BAD_INDEX_FILE', `The index sidecar of ${file} is inconsistent: spec ${meta.spec} vs ${meta.engine}/${meta.metric}`);
  }
  const parsed = spec === undefined ? saved : parseIndexSpec(spec);
  if (parsed.buildKey !== saved.buildKey) {
    throw badSpec(spec!, `it builds ${parsed.buildKey}, but the index file ${file} is ${saved.buildKey}: rebuild it instead`);
  }
  const openAs = spec ?? meta.spec;
  if (meta.engine === 'annoy' && isAnnoy(parsed)) return AnnoyVectorIndex.load(file, meta, openAs, parsed);
  if (meta.engine === 'faiss' && !isAnnoy(parsed)) return FaissVectorIndex.load(file, meta, openAs, parsed as FaissSpec);
  throw indexFault('BAD_INDEX_FILE', `Unknown index engine in the sidecar of ${file}`);
}
