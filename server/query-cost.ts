/**
 * Query cost control, checked after an operation is resolved and before any resolver runs: its
 * depth, its aliases, the result fields it can produce (a bound on the response size) and its
 * cost (the result fields plus the work it asks for: an embedding per image, a search per k) must
 * stay within the server's limits, or the whole request is refused with QUERY_TOO_COMPLEX and the
 * numbers. Without it one request of 3,000 aliases, or 200 embeddings of one upload, held the
 * server for seconds.
 *
 * The cost walk is graphql-query-complexity's (fragments, inline fragments, @skip/@include,
 * variables); the estimator below is the product's price list. Its CommonJS build is the one
 * imported: its ES build loads graphql's .mjs files, a second copy of graphql next to the one
 * Apollo and type-graphql use, which refuses the schema ("from another module or realm").
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { type DocumentNode, GraphQLError, type GraphQLSchema, Lexer, Source, TokenKind } from 'graphql';
import { type ComplexityEstimator, type ComplexityEstimatorArgs, getComplexity } from 'graphql-query-complexity/cjs';
import { ImsearchError } from '../errors/error-codes.js';
import { DEFAULT_K } from '../service/limits.js';
import type { QueryCostLimits } from './query-cost-limits.js';
import { measureShape, operationOf } from './query-shape.js';

/** One image through the models: about a thousand result fields' worth of CPU. */
export const EMBED_COST = 1000;
/** One index probe, plus k. */
export const SEARCH_COST = 10;
/** Expanded field nodes walked at most (fragments spread into each other multiply them). */
const MAX_NODES = 10_000;

/** List lengths the server knows at planning time (not given by an argument). */
export interface ListSizes {
  collections(): number;
  jobs(): number;
  /** k and first above these are refused by their own check (BAD_K, BAD_USER_INPUT): counted at most at these. */
  maxK: number;
  maxPageSize: number;
}

export interface QueryCost {
  cost: number;
  resultFields: number;
  aliases: number;
  depth: number;
}

/** The images of an addImages(input: { images }) call. */
function uploadCount(args: Record<string, unknown>): number {
  const images = (args.input as { images?: unknown } | undefined)?.images;
  return Array.isArray(images) ? images.length : 1;
}

/** How many times a field's selection is repeated in the result (its list length). */
function repeats({ type, field, args }: ComplexityEstimatorArgs, sizes: ListSizes): number {
  if (type.name === 'Query') {
    switch (field.name) {
      case 'similarImages':
      case 'similarTo':
        return Math.min(Number(args.k ?? DEFAULT_K), sizes.maxK);
      case 'items':
        return Math.min(Number(args.first ?? 0), sizes.maxPageSize);
      case 'jobs':
        return sizes.jobs();
      case 'collections':
        return sizes.collections();
    }
  }
  if (type.name === 'Mutation' && field.name === 'addImages') return uploadCount(args);
  return 1;
}

/** The work a field asks for beyond producing its result. */
function work({ type, field, args }: ComplexityEstimatorArgs): number {
  const k = Number(args.k ?? DEFAULT_K);
  if (type.name === 'Query' && field.name === 'similarImages') return EMBED_COST + SEARCH_COST + k;
  if (type.name === 'Query' && field.name === 'similarTo') return SEARCH_COST + k;
  if (type.name === 'Mutation' && field.name === 'addImages') return EMBED_COST * uploadCount(args);
  return 0;
}

const sizeEstimator =
  (sizes: ListSizes): ComplexityEstimator =>
  (a) =>
    1 + Math.max(0, repeats(a, sizes)) * a.childComplexity;

const costEstimator =
  (sizes: ListSizes): ComplexityEstimator =>
  (a) =>
    1 + work(a) + Math.max(0, repeats(a, sizes)) * a.childComplexity;

const refuse = (what: string, value: number | string, limit: number, limitName: keyof QueryCostLimits, measured: Partial<QueryCost>) =>
  new ImsearchError('QUERY_TOO_COMPLEX', `the query's ${what} is ${value}, above the limit of ${limit} (${limitName}); split it into smaller requests`, {
    ...measured,
    limit: limitName,
    [limitName]: limit,
  });

/** Tokens in `query`, counting stops past `max` (a token bound that costs no more than the bound). */
export function countTokens(query: string, max: number): number {
  const lexer = new Lexer(new Source(query));
  let n = 0;
  try {
    while (n <= max && lexer.advance().kind !== TokenKind.EOF) n++;
  } catch {
    // A syntax error: the parser reports it with its own code.
  }
  return n;
}

/**
 * Express middleware in front of Apollo: a document above maxQueryTokens is refused before it is
 * parsed. Parsing and validating a document of 3,000 aliases takes the event loop for most of a
 * second, which no later check can give back.
 */
export function queryTokenGuard(limits: Pick<QueryCostLimits, 'maxQueryTokens'>) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const query: unknown = (req.body as { query?: unknown } | undefined)?.query;
    if (typeof query === 'string') {
      const tokens = countTokens(query, limits.maxQueryTokens);
      if (tokens > limits.maxQueryTokens) {
        // Counting stopped past the limit: the exact count is not known, and not worth knowing.
        next(refuse('token count', `more than ${limits.maxQueryTokens}`, limits.maxQueryTokens, 'maxQueryTokens', {}));
        return;
      }
    }
    next();
  };
}

/** Measures an operation and throws QUERY_TOO_COMPLEX at the first limit it passes. */
export function checkQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: QueryCostLimits,
  sizes: ListSizes,
): QueryCost {
  const operation = operationOf(document, operationName);
  if (!operation) return { cost: 0, resultFields: 0, aliases: 0, depth: 0 };
  const shape = measureShape(document, operation);
  if (shape.aliases > limits.maxAliases) throw refuse('alias count', shape.aliases, limits.maxAliases, 'maxAliases', shape);
  if (shape.depth > limits.maxDepth) throw refuse('depth', shape.depth, limits.maxDepth, 'maxDepth', shape);
  const measure = (estimator: ComplexityEstimator) => {
    try {
      return getComplexity({ schema, query: document, operationName: operationName ?? undefined, variables, estimators: [estimator], maxQueryNodes: MAX_NODES });
    } catch (err) {
      if (err instanceof GraphQLError && /maximum allowed number of nodes/.test(err.message)) {
        throw new ImsearchError('QUERY_TOO_COMPLEX', `the query expands to more than ${MAX_NODES} fields once its fragments are spread; split it into smaller requests`, { ...shape });
      }
      // Variables that do not coerce: execution refuses them (BAD_USER_INPUT) before any resolver runs.
      if (err instanceof GraphQLError && err.message.startsWith('Variable "$')) return 0;
      throw err;
    }
  };
  const resultFields = measure(sizeEstimator(sizes));
  if (resultFields > limits.maxResultFields) throw refuse('estimated result size', resultFields, limits.maxResultFields, 'maxResultFields', { ...shape, resultFields });
  const cost = measure(costEstimator(sizes));
  if (cost > limits.maxQueryCost) throw refuse('estimated cost', cost, limits.maxQueryCost, 'maxQueryCost', { ...shape, resultFields, cost });
  return { ...shape, resultFields, cost };
}

/** Measured (accepted) operations kept per document: a client sends the same few over and over. */
const CACHED_PER_DOCUMENT = 64;

/** The list sizes a measurement read, with the values it read (only those can change its result). */
type SizesRead = Partial<Record<'collections' | 'jobs', number>>;

/** What an operation's cost depends on besides its document and the list sizes: its name and its variables (an upload counts, not its bytes). */
function costKey(operationName: string | null | undefined, variables: Record<string, unknown> | undefined): string {
  const plain = (_key: string, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype ? 'upload' : value;
  return `${operationName ?? ''}\u0000${JSON.stringify(variables ?? {}, plain)}`;
}

/**
 * The Apollo plugin: every operation is measured before execution (didResolveOperation). Apollo
 * hands back the same parsed document for the same query text, so an accepted measurement is
 * remembered per document and key, with the list sizes it read (a listing of the data directory
 * for `collections`): the two walks cost 0.6 ms per search request (BENCHMARKS.md, issue 14).
 */
export function queryCostPlugin(limits: QueryCostLimits, sizes: ListSizes): ApolloServerPlugin {
  const accepted = new WeakMap<DocumentNode, Map<string, SizesRead>>();
  const unchanged = (read: SizesRead) => (Object.keys(read) as (keyof SizesRead)[]).every((k) => sizes[k]() === read[k]);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operationName, request }) {
          const key = costKey(operationName, request.variables);
          let seen = accepted.get(document);
          const hit = seen?.get(key);
          if (hit && unchanged(hit)) return;
          const read: SizesRead = {};
          const recording: ListSizes = { ...sizes, collections: () => (read.collections = sizes.collections()), jobs: () => (read.jobs = sizes.jobs()) };
          try {
            checkQueryCost(schema, document, operationName, request.variables, limits, recording);
            if (!seen) accepted.set(document, (seen = new Map()));
            if (seen.size >= CACHED_PER_DOCUMENT) seen.clear();
            seen.set(key, read);
          } catch (err) {
            if (!(err instanceof ImsearchError)) throw err;
            // A GraphQLError with an http status: Apollo answers 400 instead of 500.
            throw new GraphQLError(err.message, { extensions: { ...err.details, code: err.code, http: { status: 400 } } });
          }
        },
      };
    },
  };
}
