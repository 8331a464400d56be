/**
 * The one place where the API's search options become the search layer's SearchRequest. Both
 * `similarImages` and `similarTo` take these options; a new option (re-ranking, a calibrated
 * "up to k" threshold, ...) is a field here and one line in toSearchRequest.
 */
import { ArgsType, Field, Int } from 'type-graphql';
import { type SearchRequest, checkK } from '../search/collection-searcher.js';
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
}

export function toSearchRequest(options: SearchOptions, limits: ServerLimits): SearchRequest {
  const k = options.k ?? DEFAULT_K;
  checkK(k, limits.maxK);
  return {
    k,
    models: options.models ?? undefined,
  };
}
