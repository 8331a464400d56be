import { ImsearchError } from '../errors/error-codes.js';

/**
 * Search-time knobs: how a query walks an index, never what the index stores, so they can change
 * per call without a rebuild. A spec string may hold them (they become the index's defaults);
 * `VectorIndex.search(queries, k, params)` overrides them for one call.
 */
export interface SearchParams {
  /** HNSW (also an IVF's HNSW quantizer): candidate list size of the graph walk. */
  efSearch?: number;
  /** IVF: inverted lists visited per query. */
  nprobe?: number;
  /** Annoy: candidates inspected per query (without it: 10 x k x trees). */
  searchK?: number;
}

export type SearchKnob = keyof SearchParams;

export const SEARCH_KNOB_RANGE: Readonly<Record<SearchKnob, { min: number; max: number }>> = {
  efSearch: { min: 1, max: 1 << 20 },
  nprobe: { min: 1, max: 1 << 22 },
  searchK: { min: 1, max: 2 ** 31 - 1 },
};

export const SEARCH_KNOBS = Object.keys(SEARCH_KNOB_RANGE) as SearchKnob[];

export function isSearchKnob(name: string): name is SearchKnob {
  return Object.hasOwn(SEARCH_KNOB_RANGE, name);
}

export function inKnobRange(knob: SearchKnob, value: unknown): value is number {
  const { min, max } = SEARCH_KNOB_RANGE[knob];
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

export function knobRangeText(knob: SearchKnob): string {
  const { min, max } = SEARCH_KNOB_RANGE[knob];
  return `an integer between ${min} and ${max}`;
}

function badParams(why: string): ImsearchError {
  return new ImsearchError('BAD_USER_INPUT', `Bad search parameters: ${why}`);
}

/**
 * The parameters of one search: the index's defaults overridden by what the caller gave.
 * Strict, because an explicit knob that does nothing would hide a mistake: an unknown name, a
 * value out of range, or a knob the index does not take (efSearch on flat) is BAD_USER_INPUT.
 * Absent, undefined and null values mean "the default" (GraphQL gives null for omitted inputs).
 */
export function resolveSearchParams(
  spec: string,
  knobs: readonly SearchKnob[],
  defaults: Readonly<SearchParams>,
  overrides: unknown,
): SearchParams {
  if (overrides === undefined || overrides === null) return defaults;
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw badParams(`expected an object such as { efSearch: 256 } but received ${JSON.stringify(overrides)}`);
  }
  const out: SearchParams = { ...defaults };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined || value === null) continue;
    if (!isSearchKnob(name)) throw badParams(`unknown parameter ${JSON.stringify(name)}; expected ${SEARCH_KNOBS.join(', ')}`);
    if (!knobs.includes(name)) {
      throw badParams(
        `${name} does not apply to the index ${JSON.stringify(spec)}, which takes ${knobs.length ? knobs.join(', ') : 'no search parameters'}`,
      );
    }
    if (!inKnobRange(name, value)) throw badParams(`expected ${knobRangeText(name)} for ${name} but received ${JSON.stringify(value)}`);
    out[name] = value;
  }
  return out;
}

/**
 * The knobs of `params` that an index takes, the others dropped. For layered defaults (a
 * collection or server setting meant for whatever index kind is configured): unlike explicit
 * per-call parameters, a default for another kind must not fail the search.
 */
export function applicableSearchParams(knobs: readonly SearchKnob[], params: SearchParams): SearchParams {
  const out: SearchParams = {};
  for (const knob of knobs) if (params[knob] !== undefined) out[knob] = params[knob];
  return out;
}
