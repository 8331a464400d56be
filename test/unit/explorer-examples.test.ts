/**
 * The example operations of GraphiQL and the built-in explorer are valid against the checked-in
 * schema, so a schema change cannot leave them broken (they are strings: tsc does not see them).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildSchema, parse, validate } from 'graphql';
import { EXAMPLES } from '../../server/web/explorer-examples.js';
import { repoRoot } from '../helpers/paths.js';

describe('explorer examples', () => {
  it('every example operation validates against schema/schema.graphql', async () => {
    const schema = buildSchema(await fs.readFile(path.join(repoRoot, 'schema/schema.graphql'), 'utf8'));
    assert.ok(EXAMPLES.length > 5);
    for (const e of EXAMPLES) assert.deepEqual(validate(schema, parse(e.query)).map((err) => err.message), [], e.name);
  });
});
