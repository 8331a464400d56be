/**
 * What the results page shows, as its address: the collection, the item whose neighbours are
 * listed (`similarTo`), how many (`k`) and the calibrated precision cut, e.g.
 * `/?collection=caltech&similarTo=42&k=20`. A picked or pasted image cannot travel in an address:
 * its view is the same without `similarTo`. Pure functions (no DOM), so the unit tests run them.
 */

export interface View {
  /** null: the server's default collection. */
  collection: string | null;
  /** The item whose neighbours are shown; null for an image query or none. */
  similarTo: string | null;
  k: number;
  /** The calibrated precision to cut the list at; null for all k. */
  precision: number | null;
}

/** How many more results "show more" asks for at a time. */
export const MORE_STEP = 10;

const POSITIVE_INT = /^[1-9]\d{0,8}$/;

/** The view an address names (its query string); what it lacks or garbles takes the defaults. */
export function viewFromSearch(search: string, defaults: { k: number }): View {
  const params = new URLSearchParams(search);
  const text = (name: string) => params.get(name)?.trim() || null;
  const k = text('k');
  const precision = Number(text('precision') ?? Number.NaN);
  return {
    collection: text('collection'),
    similarTo: text('similarTo'),
    k: k !== null && POSITIVE_INT.test(k) ? Number(k) : defaults.k,
    precision: precision > 0 && precision <= 1 ? precision : null,
  };
}

/** The address of a view (path and query string), the inverse of viewFromSearch. */
export function addressOf(view: View): string {
  const params = new URLSearchParams();
  if (view.collection !== null) params.set('collection', view.collection);
  if (view.similarTo !== null) params.set('similarTo', view.similarTo);
  params.set('k', String(view.k));
  if (view.precision !== null) params.set('precision', String(view.precision));
  return `/?${params}`;
}

/**
 * The k of the next "show more", or null when there is no more to show: the last answer came
 * back short (the collection or the precision cut ran out), or k already reaches the server's
 * limit or the number of items a query can return (`available`).
 */
export function nextK(k: number, returned: number, limits: { maxK: number; available: number }): number | null {
  const ceiling = Math.min(limits.maxK, limits.available);
  if (returned < k || k >= ceiling) return null;
  return Math.min(k + MORE_STEP, ceiling);
}
