/**
 * The query cost limits and their defaults, apart from the estimator (server/query-cost.ts) so
 * that reading the server's configuration does not load graphql and the complexity library.
 */
export interface QueryCostLimits {
  /** Most lexical tokens in one query document, counted before it is parsed (the SDK's largest operation has under 300). */
  maxQueryTokens: number;
  /** Largest cost of one request: result fields + EMBED_COST per image embedded + SEARCH_COST + k per search. */
  maxQueryCost: number;
  /** Most result fields one request may produce (lists counted at their requested or current length). */
  maxResultFields: number;
  /** Most aliased fields in one request. */
  maxAliases: number;
  /** Deepest field nesting (the introspection query needs 13). */
  maxDepth: number;
}

/**
 * Defaults that let every documented use through with room (the SDK's operations at maxK,
 * maxPageSize, maxFiles and a full job history; the introspection query) and refuse the
 * abusive ones. test/unit/query-cost.test.ts holds both sides.
 */
export const DEFAULT_QUERY_COST_LIMITS: Readonly<QueryCostLimits> = {
  maxQueryTokens: 2_000,
  maxQueryCost: 50_000,
  maxResultFields: 40_000,
  maxAliases: 30,
  maxDepth: 20,
};
