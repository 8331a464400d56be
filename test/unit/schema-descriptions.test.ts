/**
 * The API documents itself: every type, field, argument, input field and enum value of the
 * checked-in schema has a description (GraphiQL, the explorer and the SDK's generated types show
 * them). Built from schema/schema.graphql with graphql's own parser: no server, no native addon.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type GraphQLNamedType, buildSchema, isEnumType, isInputObjectType, isInterfaceType, isIntrospectionType, isObjectType, isSpecifiedScalarType } from 'graphql';
import { repoRoot } from '../helpers/paths.js';

const described = (d: string | null | undefined) => typeof d === 'string' && d.trim().length > 0;

/** "Type", "Type.field", "Type.field(arg)", "Enum.VALUE" for each element without a description. */
function undescribed(type: GraphQLNamedType): string[] {
  const missing = described(type.description) ? [] : [type.name];
  if (isObjectType(type) || isInterfaceType(type)) {
    for (const field of Object.values(type.getFields())) {
      if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
      for (const arg of field.args) if (!described(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name})`);
    }
  } else if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
  } else if (isEnumType(type)) {
    for (const value of type.getValues()) if (!described(value.description)) missing.push(`${type.name}.${value.name}`);
  }
  return missing;
}

describe('schema descriptions', () => {
  it('every type, field, argument and enum value of schema/schema.graphql is described', async () => {
    const schema = buildSchema(await fs.readFile(path.join(repoRoot, 'schema/schema.graphql'), 'utf8'));
    const types = Object.values(schema.getTypeMap()).filter((t) => !isIntrospectionType(t) && !isSpecifiedScalarType(t));
    assert.ok(types.some((t) => t.name === 'Query'), 'the schema was read');
    assert.deepEqual(types.flatMap(undescribed), []);
  });
});
