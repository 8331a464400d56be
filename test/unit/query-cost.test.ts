/**
 * Query cost control on the real schema (schema/schema.graphql) and the SDK's real operations:
 * every documented use passes the default limits at its largest, the abusive shapes of issue 12
 * are refused with QUERY_TOO_COMPLEX and their numbers, and fragments spread into each other are
 * measured without expanding them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { type DocumentNode, Kind, buildSchema, getIntrospectionQuery, parse } from 'graphql';
import { ImsearchError } from '../../errors/error-codes.js';
import { DEFAULT_LIMITS } from '../../service/limits.js';
import { checkQueryCost } from '../../server/query-cost.js';
import { DEFAULT_QUERY_COST_LIMITS } from '../../server/query-cost-limits.js';
import { repoRoot } from '../helpers/paths.js';

const schema = buildSchema(fs.readFileSync(path.join(repoRoot, 'schema/schema.graphql'), 'utf8'));
const opsDir = path.join(repoRoot, 'sdk/operations');
const sdkDocument = parse(
  fs
    .readdirSync(opsDir)
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => fs.readFileSync(path.join(opsDir, f), 'utf8'))
    .join('\n'),
);
/** A full job history and a handful of collections: the largest lists the server may hold. */
const fullSizes = { collections: () => 20, jobs: () => 200, maxK: 100, maxPageSize: 500 };

function check(doc: string | DocumentNode, variables: Record<string, unknown> = {}, operationName?: string) {
  const document = typeof doc === 'string' ? parse(doc) : doc;
  return checkQueryCost(schema, document, operationName, variables, DEFAULT_QUERY_COST_LIMITS, fullSizes);
}

function refused(doc: string, limit: string, variables: Record<string, unknown> = {}): ImsearchError {
  try {
    check(doc, variables);
  } catch (err) {
    assert.ok(err instanceof ImsearchError, String(err));
    assert.equal(err.code, 'QUERY_TOO_COMPLEX');
    assert.equal(err.details.limit, limit, err.message);
    return err;
  }
  assert.fail(`expected ${limit} to refuse the query`);
}

const aliases = (n: number, field: string) => `query { ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const ITEM = '{ id collection label sourceName bytes sha256 addedAt url thumbnailUrl }';

test('every SDK operation passes the default limits at its largest (maxK, maxPageSize, maxFiles, full job history)', () => {
  const worst = {
    k: DEFAULT_LIMITS.maxK,
    first: DEFAULT_LIMITS.maxPageSize,
    // Upload is a plain scalar in the SDL: any non-null value stands for a file.
    upload: 'file',
    id: '1',
    name: 'c',
  };
  // Each mutation's one input object, at its largest.
  const inputs: Record<string, unknown> = {
    AddImages: { images: Array.from({ length: DEFAULT_LIMITS.maxFiles }, () => ({ file: 'file', label: 'x' })) },
    IndexFolder: { path: 'photos' },
    RemoveItems: { ids: ['1'] },
    RebuildIndex: { indexSpec: 'flat' },
    FitMetric: {},
    CreateCollection: { name: 'c', models: [{ name: 'm' }] },
    DeleteCollection: { name: 'c' },
  };
  const names = sdkDocument.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
  assert.ok(names.length >= 10, names.join(','));
  for (const name of names) {
    const cost = check(sdkDocument, { ...worst, input: inputs[name] }, name);
    // A cost of 0 would mean the variables did not coerce and nothing was measured.
    assert.ok(cost.cost > 0 && cost.cost <= DEFAULT_QUERY_COST_LIMITS.maxQueryCost, `${name}: ${JSON.stringify(cost)}`);
  }
  // The largest ones are priced as work, not as free: a page of 500 and 32 embeddings.
  assert.ok(check(sdkDocument, worst, 'Items').resultFields > 500 * 9);
  assert.ok(check(sdkDocument, { ...worst, input: inputs.AddImages }, 'AddImages').cost > 32 * 1000);
});

test('the introspection query (GraphiQL, the SDK tooling) passes', () => {
  const cost = check(getIntrospectionQuery());
  assert.ok(cost.depth > 10 && cost.depth <= DEFAULT_QUERY_COST_LIMITS.maxDepth, JSON.stringify(cost));
});

test('3,000 aliases of similarTo(k: 100) are refused by the alias limit, with the numbers', () => {
  const err = refused(aliases(3000, 'similarTo(id: 1, k: 100) { matches { score } }'), 'maxAliases');
  assert.equal(err.details.aliases, 3000);
  assert.equal(err.details.maxAliases, DEFAULT_QUERY_COST_LIMITS.maxAliases);
  assert.match(err.message, /3000.*30/);
});

test('embeddings are priced: 200 aliases of similarImages refused; 40 of them refused by cost once aliases are allowed', () => {
  refused(aliases(200, 'similarImages(upload: $u) { k }').replace('query', 'query ($u: Upload!)'), 'maxAliases', { u: 'file' });
  const doc = parse(aliases(40, 'similarImages(upload: $u, k: 100) { matches { score item { id } } }').replace('query', 'query ($u: Upload!)'));
  const limits = { ...DEFAULT_QUERY_COST_LIMITS, maxAliases: 1000 };
  assert.throws(
    () => checkQueryCost(schema, doc, undefined, { u: 'file' }, limits, fullSizes),
    (e: ImsearchError) => e.code === 'QUERY_TOO_COMPLEX' && e.details.limit === 'maxQueryCost' && (e.details.cost as number) > 40 * 1000,
  );
});

test('pages of items are priced by their size: 8 pages of 500 exceed the result size', () => {
  refused(aliases(1000, `items(first: 500) { edges { node ${ITEM} } }`), 'maxAliases');
  const err = refused(aliases(8, `items(first: 500) { edges { node ${ITEM} } }`), 'maxResultFields');
  assert.ok((err.details.resultFields as number) >= 8 * 500 * 10, JSON.stringify(err.details));
});

test('k given through a variable counts', () => {
  const q = `query ($k: Int) { ${Array.from({ length: 20 }, (_, i) => `a${i}: similarTo(id: 1, k: $k) { matches { rank score item ${ITEM} } }`).join(' ')} }`;
  const small = check(q, { k: 10 });
  const large = check(q, { k: 100 });
  assert.ok(large.resultFields > 9 * small.resultFields, `${small.resultFields} -> ${large.resultFields}`);
  assert.equal(large.cost - large.resultFields, 20 * (10 + 100));
});

test('depth beyond the limit is refused', () => {
  const nested = (n: number) => '{ ofType '.repeat(n) + '{ name }' + ' }'.repeat(n);
  assert.doesNotThrow(() => check(`query { __type(name: "Item") ${nested(15)} }`));
  const err = refused(`query { __type(name: "Item") ${nested(25)} }`, 'maxDepth');
  assert.equal(err.details.depth, 27);
});

test('fragments spread into each other are measured fast and refused by their expanded size', () => {
  const levels = 40;
  const frags = [`fragment F0 on Query { a: limits { maxK } }`];
  for (let i = 1; i <= levels; i++) frags.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
  const t0 = performance.now();
  refused(`query { ...F${levels} } ${frags.join(' ')}`, 'maxAliases');
  assert.ok(performance.now() - t0 < 1000);
});
