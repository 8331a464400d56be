/**
 * How a served collection answers queries right now: plain cosine, or a fitted metric (its method
 * and parameters, read from the artifact the manifest names) with the mode, re-rankers and
 * calibrated thresholds of its search defaults. Computed when a searcher is (re)opened.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { MetricMethod, QueryExpansionParams, ResolvedParams, ThresholdFit, VoteParams } from '../metric/index.js';
import { parseArtifact } from '../metric/artifact.js';
import type { CollectionSearcher } from '../service/collection-searcher.js';
import type { Collection } from '../store/collection.js';

export interface SearchSummary {
  /** Hash of the fitted metric artifact; null for plain cosine. */
  metricHash: string | null;
  /** 'cosine', or the fitted metric's method. */
  method: 'cosine' | MetricMethod;
  params: ResolvedParams | null;
  mode: 'transform' | 'rerank' | null;
  shortlist: number | null;
  vote: VoteParams | null;
  qe: QueryExpansionParams | null;
  thresholds: ThresholdFit[];
}

export const COSINE: SearchSummary = { metricHash: null, method: 'cosine', params: null, mode: null, shortlist: null, vote: null, qe: null, thresholds: [] };

/** `params`: the fitted parameters when known (a fit just reported them); else read from the artifact. */
export async function summarizeSearch(collection: Collection, searcher: CollectionSearcher, params?: ResolvedParams): Promise<SearchSummary> {
  const ref = collection.manifest.metric;
  const defaults = searcher.searchDefaults;
  if (!ref || !defaults) return COSINE;
  const p = params ?? parseArtifact(await fsp.readFile(path.join(collection.dir, ref.file))).params;
  return {
    metricHash: ref.hash,
    method: p.method,
    params: p,
    mode: defaults.mode,
    shortlist: defaults.shortlist,
    vote: defaults.vote,
    qe: defaults.qe,
    thresholds: defaults.thresholds,
  };
}

/** The precisions minPrecision can ask for: targets whose threshold was reachable. */
export function calibratedPrecisions(s: SearchSummary): number[] {
  return s.thresholds.filter((t) => t.achievable).map((t) => t.targetPrecision).sort((a, b) => a - b);
}
