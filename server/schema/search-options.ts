/**
 * The search arguments of `similarImages` and `similarTo`, handed to the service as they are: it
 * checks them once (service/search-request.ts). A new option is a field here and a line below.
 */
import { ArgsType, Field, Float, Int } from 'type-graphql';
import { DEFAULT_K } from '../../service/limits.js';
import type { SearchRequest } from '../../service/search-request.js';

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

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "Explain every match (`Match.explanation`) and predict the query's class (`SearchResult.prediction`); off by default, so plain searches do none of that work.",
  })
  explain?: boolean | null;

  @Field(() => Int, { nullable: true, description: "HNSW indexes: candidates explored for this search (the collection's default otherwise); larger is slower and more exact. BAD_USER_INPUT on an index without it." })
  efSearch?: number | null;

  @Field(() => Int, { nullable: true, description: "IVF indexes: lists probed for this search (the collection's default otherwise). BAD_USER_INPUT on an index without it." })
  nprobe?: number | null;

  @Field(() => Int, { nullable: true, description: "Annoy indexes: nodes inspected for this search (the collection's default otherwise). BAD_USER_INPUT on an index without it." })
  searchK?: number | null;

  @Field(() => Int, { nullable: true, description: "A fitted collection: candidates re-scored with the learned metric for this search (its fitted default otherwise, 1 to 10000); more finds more of a class at more cost. Ignored for plain cosine." })
  shortlist?: number | null;
}

export function toSearchRequest(options: SearchOptions): SearchRequest & { k: number } {
  return {
    k: options.k ?? DEFAULT_K,
    models: options.models ?? undefined,
    minPrecision: options.minPrecision ?? undefined,
    explain: options.explain ?? false,
    indexParams: { efSearch: options.efSearch ?? undefined, nprobe: options.nprobe ?? undefined, searchK: options.searchK ?? undefined },
    shortlist: options.shortlist ?? undefined,
  };
}
