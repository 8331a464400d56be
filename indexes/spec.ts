import { badSpec, indexFault } from './errors.js';
import { type SearchKnob, type SearchParams, inKnobRange, isSearchKnob, knobRangeText } from './search-params.js';
import type { IndexMetric } from './vector-index.js';

/**
 * Index spec strings.
 *
 *   spec    := kind [ ":" option { "," option } ]
 *            | ( "faiss" | "faiss-l2" ) ":" factory [ "|" name=value { "," name=value } ]
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
 *   faiss-l2:IVF256,Flat|nprobe=8     ... or L2; after "|": FAISS ParameterSpace parameters
 *
 * Every kind but the faiss ones takes `metric=ip|l2` (default ip; `flat-l2` is `flat:metric=l2`).
 *
 * A spec mixes two things: build options (what the stored index is) and search options
 * (efSearch, nprobe, searchK: how a query walks it). Only the build part decides whether a
 * stored index file can be reused (`buildKey`); the search options are the index's defaults,
 * which each search may override.
 */
export type BuildSpec =
  | { kind: 'flat'; metric: IndexMetric }
  | { kind: 'hnsw'; metric: IndexMetric; M: number; efConstruction: number }
  | { kind: 'ivfpq'; metric: IndexMetric; nlist?: number; m?: number; nbits: number }
  | { kind: 'annoy'; metric: IndexMetric; trees: number; seed: number }
  /** `params`: the ParameterSpace settings after "|" other than the search knobs, fixed at creation. */
  | { kind: 'faiss'; metric: IndexMetric; factory: string; params?: string };

export type IndexKind = BuildSpec['kind'];

export interface ParsedSpec {
  build: BuildSpec;
  /** The index's default search parameters: those in the spec, else the kind's defaults. */
  search: SearchParams;
  /** The search knobs this index takes (a per-call knob outside this list is refused). */
  searchKnobs: readonly SearchKnob[];
  /** The build part as a canonical spec string: equal keys mean the same stored index. */
  buildKey: string;
}

/** efConstruction 40 is FAISS's own default. */
export const HNSW_DEFAULTS = { M: 32, efConstruction: 40, efSearch: 128 } as const;
export const IVFPQ_DEFAULTS = { nbits: 8, nprobe: 16 } as const;
export const ANNOY_DEFAULTS = { trees: 32, seed: 1 } as const;
/**
 * FAISS's own defaults (IndexHNSW, IndexIVF), for raw factory strings whose spec leaves a knob
 * out: the index needs a value to return to after a call that overrode it.
 */
const FAISS_KNOB_DEFAULTS = { efSearch: 16, nprobe: 1 } as const;

const KINDS = 'flat, flat-l2, hnsw, ivfpq, annoy, faiss:<factory>, faiss-l2:<factory>';

type OptionRule = 'metric' | 'search' | { min: number; max: number };

/** Per kind, its options in the order error messages list them; 'search' marks a search knob. */
const OPTIONS: Record<'flat' | 'flat-l2' | 'hnsw' | 'ivfpq' | 'annoy', Record<string, OptionRule>> = {
  flat: { metric: 'metric' },
  'flat-l2': {},
  hnsw: { metric: 'metric', M: { min: 2, max: 512 }, efConstruction: { min: 1, max: 1 << 16 }, efSearch: 'search' },
  ivfpq: {
    metric: 'metric',
    nlist: { min: 1, max: 1 << 22 },
    m: { min: 1, max: 4096 },
    nbits: { min: 1, max: 16 },
    nprobe: 'search',
  },
  annoy: { metric: 'metric', trees: { min: 1, max: 10_000 }, searchK: 'search', seed: { min: 1, max: 2 ** 31 - 1 } },
};

/** Parses a spec string; throws ImsearchError BAD_INDEX_SPEC saying what is wrong and what is allowed. */
export function parseIndexSpec(spec: string): ParsedSpec {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw badSpec(spec, `expected one of ${KINDS}`);
  }
  const colon = spec.indexOf(':');
  const kind = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  if (kind === 'faiss' || kind === 'faiss-l2') return parseFaissSpec(spec, kind, rest);

  if (!(kind in OPTIONS)) throw badSpec(spec, `unknown index kind ${JSON.stringify(kind)}; expected one of ${KINDS}`);
  const rules = OPTIONS[kind as keyof typeof OPTIONS];
  const values: Record<string, number> = {};
  let metric: IndexMetric = kind === 'flat-l2' ? 'l2' : 'ip';
  if (colon >= 0) {
    if (rest.trim() === '') throw badSpec(spec, `expected options after "${kind}:" (or drop the ":")`);
    for (const part of rest.split(',')) {
      const eq = part.indexOf('=');
      const key = (eq < 0 ? part : part.slice(0, eq)).trim();
      const value = eq < 0 ? '' : part.slice(eq + 1).trim();
      const allowed = Object.keys(rules);
      if (eq < 0 || key === '') throw badSpec(spec, `expected key=value, got ${JSON.stringify(part)}`);
      const rule = rules[key];
      if (rule === undefined) {
        throw badSpec(
          spec,
          allowed.length === 0 ? `${kind} takes no options` : `unknown option ${JSON.stringify(key)} for ${kind}; expected ${allowed.join(', ')}`,
        );
      }
      if (key in values) throw badSpec(spec, `option ${key} given twice`);
      if (rule === 'metric') {
        if (value !== 'ip' && value !== 'l2') throw badSpec(spec, `expected ip or l2 for metric but received ${JSON.stringify(value)}`);
        metric = value;
        values.metric = 0;
        continue;
      }
      values[key] = rule === 'search' ? knobValue(spec, key as SearchKnob, value) : integerOption(spec, key, value, rule);
    }
  }
  const searchKnobs = Object.keys(rules).filter((key) => rules[key] === 'search') as SearchKnob[];

  switch (kind) {
    case 'flat':
    case 'flat-l2':
      return parsed({ kind: 'flat', metric }, {}, searchKnobs);
    case 'hnsw':
      return parsed(
        {
          kind: 'hnsw',
          metric,
          M: values.M ?? HNSW_DEFAULTS.M,
          efConstruction: values.efConstruction ?? HNSW_DEFAULTS.efConstruction,
        },
        { efSearch: values.efSearch ?? HNSW_DEFAULTS.efSearch },
        searchKnobs,
      );
    case 'ivfpq':
      return parsed(
        {
          kind: 'ivfpq',
          metric,
          ...(values.nlist !== undefined ? { nlist: values.nlist } : {}),
          ...(values.m !== undefined ? { m: values.m } : {}),
          nbits: values.nbits ?? IVFPQ_DEFAULTS.nbits,
        },
        { nprobe: values.nprobe ?? IVFPQ_DEFAULTS.nprobe },
        searchKnobs,
      );
    default:
      return parsed(
        { kind: 'annoy', metric, trees: values.trees ?? ANNOY_DEFAULTS.trees, seed: values.seed ?? ANNOY_DEFAULTS.seed },
        values.searchK !== undefined ? { searchK: values.searchK } : {},
        searchKnobs,
      );
  }
}

/**
 * A raw factory string: efSearch applies when it has an HNSW stage (the graph, or an IVF's HNSW
 * quantizer), nprobe when it has an IVF stage; other ParameterSpace names after "|" cannot be
 * told apart from build settings, so they stay fixed, in the build part.
 */
function parseFaissSpec(spec: string, kind: 'faiss' | 'faiss-l2', rest: string): ParsedSpec {
  const [factory = '', params, extra] = rest.split('|').map((s) => s.trim());
  if (factory === '') throw badSpec(spec, `expected a FAISS factory string after "${kind}:", e.g. "${kind}:HNSW32,Flat"`);
  if (extra !== undefined) throw badSpec(spec, 'expected at most one "|" (factory|search-params)');
  if (/^IDMap/i.test(factory)) throw badSpec(spec, 'leave out "IDMap": ids are always kept (IDMap2 is added where FAISS needs it)');
  // FAISS's factory wraps a refine stage around everything before it, IDMap2 included, and
  // IndexRefine cannot take caller ids: adds would fail later, so say it now.
  if (/,\s*(RFlat|Refine\()/i.test(factory)) throw badSpec(spec, 'a refine stage (RFlat, Refine(...)) cannot keep caller ids; leave it out');
  if (params !== undefined && !/^[A-Za-z_][\w.]*=[^,=]+(,[A-Za-z_][\w.]*=[^,=]+)*$/.test(params)) {
    throw badSpec(spec, `expected search parameters as name=value[,name=value] after "|", got ${JSON.stringify(params)}`);
  }
  const searchKnobs: SearchKnob[] = [];
  if (/HNSW/i.test(factory)) searchKnobs.push('efSearch');
  if (/(^|,)\s*IVF/i.test(factory)) searchKnobs.push('nprobe');
  const search: SearchParams = {};
  for (const knob of searchKnobs) search[knob] = FAISS_KNOB_DEFAULTS[knob as keyof typeof FAISS_KNOB_DEFAULTS];
  const fixed: string[] = [];
  const given = new Set<string>();
  for (const pair of params ? params.split(',') : []) {
    const [name = '', value = ''] = pair.split('=');
    if (!isSearchKnob(name)) {
      fixed.push(pair);
      continue;
    }
    if (!searchKnobs.includes(name)) {
      throw badSpec(spec, `${name} does not apply to the factory "${factory}" (it needs ${name === 'nprobe' ? 'an IVF' : 'an HNSW'} stage)`);
    }
    if (given.has(name)) throw badSpec(spec, `option ${name} given twice`);
    given.add(name);
    search[name] = knobValue(spec, name, value);
  }
  const build: BuildSpec = {
    kind: 'faiss',
    metric: kind === 'faiss' ? 'ip' : 'l2',
    factory,
    ...(fixed.length ? { params: fixed.join(',') } : {}),
  };
  return parsed(build, search, searchKnobs);
}

function parsed(build: BuildSpec, search: SearchParams, searchKnobs: readonly SearchKnob[]): ParsedSpec {
  return { build, search, searchKnobs, buildKey: buildKeyOf(build) };
}

/** The build part as a spec string of its own, every option spelled out in one order. */
function buildKeyOf(b: BuildSpec): string {
  switch (b.kind) {
    case 'flat':
      return `flat:metric=${b.metric}`;
    case 'hnsw':
      return `hnsw:M=${b.M},efConstruction=${b.efConstruction},metric=${b.metric}`;
    case 'ivfpq':
      return `ivfpq:${b.nlist !== undefined ? `nlist=${b.nlist},` : ''}${b.m !== undefined ? `m=${b.m},` : ''}nbits=${b.nbits},metric=${b.metric}`;
    case 'annoy':
      return `annoy:trees=${b.trees},seed=${b.seed},metric=${b.metric}`;
    case 'faiss':
      return `${b.metric === 'ip' ? 'faiss' : 'faiss-l2'}:${b.factory}${b.params ? `|${b.params}` : ''}`;
  }
}

function integerOption(spec: string, key: string, value: string, rule: { min: number; max: number }): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < rule.min || n > rule.max) {
    throw badSpec(spec, `expected an integer between ${rule.min} and ${rule.max} for ${key} but received ${JSON.stringify(value)}`);
  }
  return n;
}

function knobValue(spec: string, knob: SearchKnob, value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!inKnobRange(knob, n)) throw badSpec(spec, `expected ${knobRangeText(knob)} for ${knob} but received ${JSON.stringify(value)}`);
  return n;
}

/** Checks what depends on the dimension (PQ sub-quantizers must divide it). */
export function checkSpecForDim(spec: string, parsed: ParsedSpec, dim: number): void {
  if (!Number.isSafeInteger(dim) || dim < 1) {
    throw indexFault('BAD_INDEX_INPUT', `Expected a positive integer dimension but received ${dim}`);
  }
  const b = parsed.build;
  if (b.kind === 'ivfpq' && b.m !== undefined && dim % b.m !== 0) {
    throw badSpec(spec, `m=${b.m} must divide the dimension ${dim} (each of the m sub-quantizers takes dim/m components)`);
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
