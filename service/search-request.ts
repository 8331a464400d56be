/**
 * The one place a search request is checked, before any (costly) embedding: k within the
 * limit, the models the collection has, and a calibrated threshold for minPrecision. The CLI and
 * the API both pass their options through here.
 */
import { ImsearchError } from '../errors/error-codes.js';
import { type SearchParams, resolveSearchParams } from '../indexes/search-params.js';
import type { CheckedRequest } from './collection-searcher.js';
import type { OpenCollection } from './collections.js';
import { DEFAULT_K, checkInt } from './limits.js';
import { calibratedPrecisions } from './search-summary.js';
import { thresholdFor } from './search-config.js';

export interface SearchRequest {
  /** How many results (default 10). */
  k?: number;
  /** A subset of the collection's models; default all. */
  models?: readonly string[];
  /**
   * Calibrated "up to k": keep only results whose learned-metric score passes the threshold
   * fitted for this precision on held-out gallery pairs (fewer than k may come back).
   */
  minPrecision?: number;
  /** Index options for this search only (efSearch, nprobe, searchK): the index is never rebuilt for them. */
  indexParams?: SearchParams;
  /** Candidates the fitted metric re-scores for this search (a fitted collection's default otherwise). */
  shortlist?: number;
  /** Explain every result and predict the query's class; plain searches skip the work. */
  explain?: boolean;
}

const MAX_SHORTLIST = 10_000;

export function checkSearchRequest(c: OpenCollection, req: SearchRequest, maxK: number): CheckedRequest {
  const k = checkInt('k', req.k ?? DEFAULT_K, 1, maxK, 'BAD_K');
  const known = c.searcher.modelNames();
  const unknown = (req.models ?? []).filter((m) => !known.includes(m));
  if (unknown.length) {
    throw new ImsearchError('UNKNOWN_MODEL', `collection ${c.name} has no model ${unknown.map((m) => `"${m}"`).join(', ')} (it has: ${known.join(', ')})`);
  }
  // Naming every model is the full ensemble, with its metric and calibration.
  const subset = req.models?.length && !known.every((m) => req.models!.includes(m)) ? new Set(req.models) : undefined;
  const given = Object.fromEntries(Object.entries(req.indexParams ?? {}).filter(([, v]) => v !== undefined && v !== null));
  // Checked here (a knob the index does not take, a value out of range) so nothing is embedded for a bad request.
  const indexParams = Object.keys(given).length ? resolveSearchParams(c.searcher.indexSpec, c.searcher.searchKnobs, {}, given) : undefined;
  const shortlist = req.shortlist === undefined ? undefined : checkInt('shortlist', req.shortlist, 1, MAX_SHORTLIST);
  const explain = req.explain === true;
  if (req.minPrecision === undefined) return { k, subset, indexParams, shortlist, explain };
  const p = req.minPrecision;
  if (!(p > 0 && p <= 1)) throw new ImsearchError('BAD_PRECISION', `minPrecision must be in (0, 1], received ${p}`);
  const defaults = c.searcher.searchDefaults;
  const fit = defaults ? thresholdFor(defaults, p) : null;
  if (!fit) {
    const calibrated = calibratedPrecisions(c.summary);
    throw new ImsearchError(
      'NOT_CALIBRATED',
      `collection ${c.name} has no threshold calibrated for precision ${p}: ` +
        (calibrated.length ? `it has thresholds up to ${calibrated[calibrated.length - 1]} (${calibrated.join(', ')})` : 'fit its metric first (fitMetric, or imsearch fit)'),
    );
  }
  if (subset) {
    throw new ImsearchError('NOT_CALIBRATED', `minPrecision thresholds are calibrated for collection ${c.name}'s learned metric over all its models (${known.join(', ')}); leave out models, or minPrecision`);
  }
  return { k, cut: fit, indexParams, shortlist, explain };
}
