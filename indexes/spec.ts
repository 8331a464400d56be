import { IndexError } from './errors.js';
import type { IndexMetric } from './vector-index.js';

/**
 * Index spec strings.
 *
 *   spec    := kind [ ":" option { "," option } ]
 *            | ( "faiss" | "faiss-l2" ) ":" factory [ "|" search-params ]
 *   option  := key "=" value
 *
 *   flat                              exact inner product (FAISS IndexFlatIP)
 *   flat-l2                           exact L2 (scores are -squared distance)
 *   hnsw[:M=32,efConstruction=40,efSearch=128]
 *                                     FAISS HNSW over full vectors
 *   ivfpq[:nlist=..,m=..,nbits=8,nprobe=16]
 *                                     FAISS IVF + product quantizer, trained at first build;
 *                                     nlist defaults from the size then (about sqrt(n))
 *   annoy[:trees=32,searchK=..,seed=1]
 *                                     Annoy forest, rebuilt lazily after add/remove; searchK
 *                                     (candidates per query) defaults to 10 x k x trees
 *   faiss:HNSW32,Flat                 any FAISS factory string (inner product) ...
 *   faiss-l2:IVF256,Flat|nprobe=8     ... or L2; after "|": FAISS ParameterSpace search parameters
 *
 * Every kind but the faiss ones takes `metric=ip|l2` (default ip; `flat-l2` is `flat:metric=l2`).
 */
export type ParsedSpec =
  | { kind: 'flat'; metric: IndexMetric }
  | { kind: 'hnsw'; metric: IndexMetric; M: number; efConstruction: number; efSearch: number }
  | { kind: 'ivfpq'; metric: IndexMetric; nlist?: number; m?: number; nbits: number; nprobe: number }
  | { kind: 'annoy'; metric: IndexMetric; trees: number; searchK?: number; seed: number }
  | { kind: 'faiss'; metric: IndexMetric; factory: string; params?: string };

export type IndexKind = ParsedSpec['kind'];

/** efConstruction 40 is FAISS's own default. */
export const HNSW_DEFAULTS = { M: 32, efConstruction: 40, efSearch: 128 } as const;
export const IVFPQ_DEFAULTS = { nbits: 8, nprobe: 16 } as const;
export const ANNOY_DEFAULTS = { trees: 32, seed: 1 } as const;

const KINDS = 'flat, flat-l2, hnsw, ivfpq, annoy, faiss:<factory>, faiss-l2:<factory>';

interface OptionRule {
  min: number;
  max: number;
}

const OPTIONS: Record<'flat' | 'flat-l2' | 'hnsw' | 'ivfpq' | 'annoy', Record<string, OptionRule | 'metric'>> = {
  flat: { metric: 'metric' },
  'flat-l2': {},
  hnsw: { metric: 'metric', M: { min: 2, max: 512 }, efConstruction: { min: 1, max: 1 << 16 }, efSearch: { min: 1, max: 1 << 20 } },
  ivfpq: {
    metric: 'metric',
    nlist: { min: 1, max: 1 << 22 },
    m: { min: 1, max: 4096 },
    nbits: { min: 1, max: 16 },
    nprobe: { min: 1, max: 1 << 22 },
  },
  annoy: {
    metric: 'metric',
    trees: { min: 1, max: 10_000 },
    searchK: { min: 1, max: 2 ** 31 - 1 },
    seed: { min: 1, max: 2 ** 31 - 1 },
  },
};

function bad(spec: string, why: string): never {
  throw new IndexError('BAD_INDEX_SPEC', `Bad index spec ${JSON.stringify(spec)}: ${why}`);
}

/** Parses a spec string; throws IndexError('BAD_INDEX_SPEC') saying what is wrong and what is allowed. */
export function parseIndexSpec(spec: string): ParsedSpec {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new IndexError('BAD_INDEX_SPEC', `Bad index spec ${JSON.stringify(spec)}: expected one of ${KINDS}`);
  }
  const colon = spec.indexOf(':');
  const kind = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const rest = colon < 0 ? '' : spec.slice(colon + 1);

  if (kind === 'faiss' || kind === 'faiss-l2') {
    const [factory = '', params, extra] = rest.split('|').map((s) => s.trim());
    if (factory === '') bad(spec, `expected a FAISS factory string after "${kind}:", e.g. "${kind}:HNSW32,Flat"`);
    if (extra !== undefined) bad(spec, 'expected at most one "|" (factory|search-params)');
    if (/^IDMap/i.test(factory)) bad(spec, 'leave out "IDMap": ids are always kept (IDMap2 is added where FAISS needs it)');
    // FAISS's factory wraps a refine stage around everything before it, IDMap2 included, and
    // IndexRefine cannot take caller ids: adds would fail later, so say it now.
    if (/,\s*(RFlat|Refine\()/i.test(factory)) bad(spec, 'a refine stage (RFlat, Refine(...)) cannot keep caller ids; leave it out');
    if (params !== undefined && !/^[A-Za-z_][\w.]*=[^,=]+(,[A-Za-z_][\w.]*=[^,=]+)*$/.test(params)) {
      bad(spec, `expected search parameters as name=value[,name=value] after "|", got ${JSON.stringify(params)}`);
    }
    return { kind: 'faiss', metric: kind === 'faiss' ? 'ip' : 'l2', factory, ...(params ? { params } : {}) };
  }

  if (!(kind in OPTIONS)) bad(spec, `unknown index kind ${JSON.stringify(kind)}; expected one of ${KINDS}`);
  const rules = OPTIONS[kind as keyof typeof OPTIONS];
  const values: Record<string, number> = {};
  let metric: IndexMetric = kind === 'flat-l2' ? 'l2' : 'ip';
  if (colon >= 0) {
    if (rest.trim() === '') bad(spec, `expected options after "${kind}:" (or drop the ":")`);
    for (const part of rest.split(',')) {
      const eq = part.indexOf('=');
      const key = (eq < 0 ? part : part.slice(0, eq)).trim();
      const value = eq < 0 ? '' : part.slice(eq + 1).trim();
      const allowed = Object.keys(rules);
      if (eq < 0 || key === '') bad(spec, `expected key=value, got ${JSON.stringify(part)}`);
      const rule = rules[key];
      if (rule === undefined) {
        bad(
          spec,
          allowed.length === 0
            ? `${kind} takes no options`
            : `unknown option ${JSON.stringify(key)} for ${kind}; expected ${allowed.join(', ')}`,
        );
      }
      if (key in values) bad(spec, `option ${key} given twice`);
      if (rule === 'metric') {
        if (value !== 'ip' && value !== 'l2') bad(spec, `expected ip or l2 for metric but received ${JSON.stringify(value)}`);
        metric = value;
        values.metric = 0;
        continue;
      }
      const n = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < rule.min || n > rule.max) {
        bad(spec, `expected an integer between ${rule.min} and ${rule.max} for ${key} but received ${JSON.stringify(value)}`);
      }
      values[key] = n;
    }
  }

  switch (kind) {
    case 'flat':
    case 'flat-l2':
      return { kind: 'flat', metric };
    case 'hnsw':
      return {
        kind: 'hnsw',
        metric,
        M: values.M ?? HNSW_DEFAULTS.M,
        efConstruction: values.efConstruction ?? HNSW_DEFAULTS.efConstruction,
        efSearch: values.efSearch ?? HNSW_DEFAULTS.efSearch,
      };
    case 'ivfpq':
      return {
        kind: 'ivfpq',
        metric,
        ...(values.nlist !== undefined ? { nlist: values.nlist } : {}),
        ...(values.m !== undefined ? { m: values.m } : {}),
        nbits: values.nbits ?? IVFPQ_DEFAULTS.nbits,
        nprobe: values.nprobe ?? IVFPQ_DEFAULTS.nprobe,
      };
    default:
      return {
        kind: 'annoy',
        metric,
        trees: values.trees ?? ANNOY_DEFAULTS.trees,
        ...(values.searchK !== undefined ? { searchK: values.searchK } : {}),
        seed: values.seed ?? ANNOY_DEFAULTS.seed,
      };
  }
}

/** Checks what depends on the dimension (PQ sub-quantizers must divide it). */
export function checkSpecForDim(spec: string, parsed: ParsedSpec, dim: number): void {
  if (!Number.isSafeInteger(dim) || dim < 1) {
    throw new IndexError('BAD_INDEX_INPUT', `Expected a positive integer dimension but received ${dim}`);
  }
  if (parsed.kind === 'ivfpq' && parsed.m !== undefined && dim % parsed.m !== 0) {
    bad(spec, `m=${parsed.m} must divide the dimension ${dim} (each of the m sub-quantizers takes dim/m components)`);
  }
}

/** Default PQ sub-quantizer count: the largest divisor of dim that gives sub-vectors of >= 4 components. */
export function defaultPqM(dim: number): number {
  for (let m = Math.max(1, Math.floor(dim / 4)); m > 1; m--) {
    if (dim % m === 0) return m;
  }
  return 1;
}

/**
 * Default IVF list count for n training vectors: the power of two nearest sqrt(n), at most
 * n / 39 (FAISS's minimum of 39 training points per centroid), at least 1.
 */
export function defaultNlist(n: number): number {
  const pow = 2 ** Math.round(Math.log2(Math.max(1, Math.sqrt(n))));
  return Math.max(1, Math.min(pow, Math.floor(n / 39)));
}
