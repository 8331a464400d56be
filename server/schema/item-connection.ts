/** The `items` connection: cursors in (decoded to item ids for the service), edges and page info out. */
import type { ItemPageRequest } from '../../service/service.js';
import type { Item as StoredItem } from '../../store/collection.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { type ItemConnection, toItem } from './types.js';

/** Arguments left out arrive as undefined, not null. */
export function pageRequest(args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null; label?: string | null }): ItemPageRequest {
  return {
    first: args.first,
    last: args.last,
    after: args.after == null ? null : decodeCursor(args.after),
    before: args.before == null ? null : decodeCursor(args.before),
    label: args.label,
  };
}

export function itemConnection(
  page: { collection: { name: string }; items: StoredItem[]; hasNextPage: boolean; hasPreviousPage: boolean; totalCount: number },
  baseUrl: string,
): ItemConnection {
  const edges = page.items.map((i) => ({ cursor: encodeCursor(i.id), node: toItem(i, page.collection.name, baseUrl) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: page.totalCount,
  };
}
