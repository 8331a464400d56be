/**
 * The shape of an operation as written: how deep its selections nest and how many aliases it
 * holds once fragments are expanded. Fragments are measured once each and reused, so a document
 * that spreads fragments into each other (each use doubling the work) is measured in linear time
 * and its expanded size is still counted in full.
 */
import { type DocumentNode, type FragmentDefinitionNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export interface QueryShape {
  /** Deepest field nesting (a top-level field is depth 1). */
  depth: number;
  /** Aliased fields, counted once per place they end up after fragment expansion. */
  aliases: number;
}

export function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
}

export function measureShape(document: DocumentNode, operation: OperationDefinitionNode): QueryShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const measured = new Map<string, QueryShape>();
  // Validation has already refused fragment cycles; `visiting` only keeps a bad document finite.
  const visiting = new Set<string>();

  const fragment = (name: string): QueryShape => {
    const known = measured.get(name);
    if (known) return known;
    const def = fragments.get(name);
    if (!def || visiting.has(name)) return { depth: 0, aliases: 0 };
    visiting.add(name);
    const shape = selections(def.selectionSet);
    visiting.delete(name);
    measured.set(name, shape);
    return shape;
  };

  const selections = (set: SelectionSetNode): QueryShape => {
    let depth = 0;
    let aliases = 0;
    for (const s of set.selections) {
      const inner =
        s.kind === Kind.FIELD
          ? s.selectionSet
            ? selections(s.selectionSet)
            : { depth: 0, aliases: 0 }
          : s.kind === Kind.INLINE_FRAGMENT
            ? selections(s.selectionSet)
            : fragment(s.name.value);
      const own = s.kind === Kind.FIELD ? 1 : 0;
      depth = Math.max(depth, inner.depth + own);
      aliases += inner.aliases + (s.kind === Kind.FIELD && s.alias ? 1 : 0);
    }
    return { depth, aliases };
  };

  return selections(operation.selectionSet);
}
