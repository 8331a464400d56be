/**
 * Whether a collection's fitted metric still describes its items. The policy: the fit is stale
 * once more than REFIT_SHARE of the items it was fitted on have changed (added or removed)
 * since; the server then starts a fit job by itself, and `imsearch index` says so and how to
 * refresh. Below that, a few new photos are searched well enough by the fitted metric.
 */
import type { Collection } from '../store/collection.js';
import { type FittedItems, servedFitItems } from './metric-fit.js';

export const REFIT_SHARE = 0.1;

export interface FitFreshness {
  /** Items the metric was fitted on (null: a fit from before they were recorded). */
  fittedItems: number | null;
  /** Items added or removed since the fit (null when unknown). */
  itemsChanged: number | null;
  /** itemsChanged / fittedItems. */
  changedShare: number | null;
  /** More than REFIT_SHARE changed, or an unknown amount: fit again. */
  stale: boolean;
}

/**
 * Items changed since a fit from the fit's record and the collection now: ids are never reused,
 * so items above the fit's largest id were added, and fitted items no longer there were removed.
 */
export function itemsChangedSince(fitted: FittedItems, now: { count: number; addedSince: number }): number {
  const removed = fitted.count - (now.count - now.addedSince);
  return now.addedSince + removed;
}

export function freshnessOf(fitted: FittedItems, now: { count: number; addedSince: number }): FitFreshness {
  const itemsChanged = itemsChangedSince(fitted, now);
  const changedShare = itemsChanged / Math.max(1, fitted.count);
  return { fittedItems: fitted.count, itemsChanged, changedShare, stale: changedShare > REFIT_SHARE };
}

/** The served fit's freshness; null for a collection without a fitted metric. */
export async function fitFreshness(collection: Collection): Promise<FitFreshness | null> {
  const served = await servedFitItems(collection);
  if (!served) return null;
  if (!served.items) {
    // An older report: only "nothing changed" can be told.
    return served.sameVersion ? { fittedItems: null, itemsChanged: 0, changedShare: 0, stale: false } : { fittedItems: null, itemsChanged: null, changedShare: null, stale: true };
  }
  return freshnessOf(served.items, { count: collection.count(), addedSince: collection.itemsAfter(served.items.maxId).length });
}
