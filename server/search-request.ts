/**
 * The one place where the API's search options become the search layer's SearchRequest. Both
 * `similarImages` and `similarTo` take these options; a new option is a field here and one line
 * in toSearchRequest.
 */
import { ArgsType, Field, Float, Int } from 'type-graphql';
import { type SearchRequest, checkK } from '../search/collection-searcher.js';
import { SearchError } from '../search/search-errors.js';
import type { ServerLimits } from './config.js';

export const DEFAULT_K = 10;

@ArgsType()
export class SearchOptions {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_K, description: 'How many matches, from 1 to the server maximum (BAD_K otherwise).' })
  k?: number | null;

  @Field(() => [String], { nullable: true, description: "A subset of the collection's models to search with; default all (UNKNOWN_MODEL for a name it lacks)." })
  models?: string[] | null;

  @Field(() => String, { nullable: true, description: "The collection to search; default the server's default collection." })
  collection?: string | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Calibrated "up to k": keep only the matches whose learned-metric score passes the threshold calibrated for this precision ' +
      '(same class as the query) on held-out items, so fewer than k may come back. In (0, 1] (BAD_PRECISION otherwise); the ' +
      "collection needs a fitted metric with a threshold at least this high (NOT_CALIBRATED otherwise: see fitMetric and the collection's " +
      '`search.calibratedPrecisions`); searches with all of its models.',
  })
  minPrecision?: number | null;
}

export function toSearchRequest(options: SearchOptions, limits: ServerLimits): SearchRequest {
  const k = options.k ?? DEFAULT_K;
  checkK(k, limits.maxK);
  const minPrecision = options.minPrecision ?? undefined;
  if (minPrecision !== undefined && !(minPrecision > 0 && minPrecision <= 1)) {
    throw new SearchError('BAD_PRECISION', `minPrecision must be in (0, 1], received ${minPrecision}`);
  }
  return {
    k,
    models: options.models ?? undefined,
    minPrecision,
  };
}
