/** The line `imsearch index` prints about the collection's fitted metric after adding items (the refit policy of service/fit-freshness.ts). */
import { type FitFreshness, REFIT_SHARE } from '../service/fit-freshness.js';

export function fitStatusLine(collection: string, f: FitFreshness): string {
  const changed = f.itemsChanged === null ? 'an unknown number of items' : `${f.itemsChanged} of ${f.fittedItems ?? '?'} items`;
  const policy = `refit above ${REFIT_SHARE * 100} %`;
  if (!f.stale) return `fitted metric of ${collection}: current (${changed} changed since the fit; ${policy})`;
  return (
    `fitted metric of ${collection}: STALE, ${changed} changed since the fit (${policy}); searches still use the old fit. ` +
    `Refresh it: imsearch fit --collection ${collection} (a running server refits by itself)`
  );
}
