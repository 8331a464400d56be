import fsp from 'node:fs/promises';
import { indexFault } from './errors.js';
import type { IndexMetric } from './vector-index.js';

/**
 * An index saved to `file` is the engine's own file plus a JSON sidecar `file + SIDECAR_SUFFIX`
 * holding the spec, dimension and metric (and per-engine state). Each is written to a temporary
 * name, fsynced and renamed; the sidecar goes last, so a complete sidecar means a complete save.
 */
export const SIDECAR_SUFFIX = '.meta.json';
const FORMAT = 'imsearch-vector-index';
const VERSION = 1;

export interface SidecarCommon {
  format: typeof FORMAT;
  version: typeof VERSION;
  engine: 'faiss' | 'annoy';
  spec: string;
  dim: number;
  metric: IndexMetric;
  /** Live vectors at save time. */
  count: number;
}

export interface FaissSidecar extends SidecarCommon {
  engine: 'faiss';
  /** False when nothing was ever added to a trained kind (no FAISS file then). */
  hasNative: boolean;
  /** Removed ids still stored in an index that cannot delete (HNSW): filtered from results. */
  tombstones: number[];
}

export interface AnnoySidecar extends SidecarCommon {
  engine: 'annoy';
  /** Caller id of each Annoy item, in item order. */
  ids: number[];
}

export type Sidecar = FaissSidecar | AnnoySidecar;

export type SidecarBody = Omit<FaissSidecar, 'format' | 'version'> | Omit<AnnoySidecar, 'format' | 'version'>;

export async function writeSidecar(file: string, body: SidecarBody): Promise<void> {
  await fsp.writeFile(file + SIDECAR_SUFFIX, JSON.stringify({ format: FORMAT, version: VERSION, ...body }));
}

export async function readSidecar(file: string): Promise<Sidecar> {
  const where = file + SIDECAR_SUFFIX;
  let text: string;
  try {
    text = await fsp.readFile(where, 'utf8');
  } catch (e) {
    throw indexFault('BAD_INDEX_FILE', `Cannot read the index sidecar ${where} (saved beside every index file): ${(e as Error).message}`, {
      cause: e,
    });
  }
  let meta: Partial<Sidecar>;
  try {
    meta = JSON.parse(text) as Partial<Sidecar>;
  } catch (e) {
    throw indexFault('BAD_INDEX_FILE', `The index sidecar ${where} is not valid JSON`, { cause: e });
  }
  if (meta.format !== FORMAT || meta.version !== VERSION) {
    throw indexFault('BAD_INDEX_FILE', `${where} is not an index sidecar of format ${FORMAT} v${VERSION}`);
  }
  if (
    typeof meta.spec !== 'string' ||
    !Number.isSafeInteger(meta.dim) ||
    (meta.metric !== 'ip' && meta.metric !== 'l2') ||
    (meta.engine !== 'faiss' && meta.engine !== 'annoy')
  ) {
    throw indexFault('BAD_INDEX_FILE', `The index sidecar ${where} lacks spec, dim, metric or engine`);
  }
  return meta as Sidecar;
}
