/**
 * The query-side chain over an in-memory gallery with exact scores: transform → score → top
 * shortlist → the shortlist chain (shortlist-chain.ts: α-QE second pass, class vote, calibrated
 * cut) → top k. What cross-validation measures, and what an evaluation without an index (or a
 * test of the index path against exact search) can call directly.
 */
import { ImsearchError } from '../errors/error-codes.js';
import { metricInputBug } from './errors.js';
import { labelKey, type Label } from './labels.js';
import type { Metric } from './metric.js';
import { expandedShortlists, neighboursOf, qeApplies, voteAndCut, type RerankParams } from './shortlist-chain.js';
import { topS } from './shortlists.js';

export interface RankOptions {
  /** Results per query (default 10). */
  k?: number;
  /** Candidates re-ranked per query (default 100, at least k). */
  shortlist?: number;
  /** Re-ranking (from CvResult.rerank); the vote needs gallery labels. */
  rerank?: RerankParams;
  /** Calibrated threshold on the metric score (e.g. CvResult.thresholds[i].threshold); null/undefined = no cut. */
  threshold?: number | null;
  /** Results kept regardless of the threshold (default 1). */
  minResults?: number;
  /** Queries scored per block (bounds memory: block × gallery float64 scores; default 256). */
  block?: number;
}

export interface RankedResult {
  /** Gallery row index. */
  index: number;
  score: number;
  label: string | null;
}

/**
 * Rank a gallery for every query. `galleryT` / `queriesT` are already transformed
 * (metric.transform), so a caller can transform the gallery once and reuse it.
 */
export function rankGallery(metric: Metric, queriesT: Float32Array, galleryT: Float32Array, galleryLabels: readonly Label[] | null, opts: RankOptions = {}): RankedResult[][] {
  const r = metric.dim;
  if (queriesT.length % r !== 0 || galleryT.length % r !== 0) throw metricInputBug(`rankGallery: vectors are not ${r}-dimensional (transform them with the metric first)`);
  const nq = queriesT.length / r;
  const ng = galleryT.length / r;
  if (galleryLabels && galleryLabels.length !== ng) throw metricInputBug(`rankGallery: ${galleryLabels.length} labels for ${ng} gallery vectors`);
  const k = opts.k ?? 10;
  const s = Math.max(k, opts.shortlist ?? 100);
  const vote = opts.rerank?.vote ?? null;
  const qe = opts.rerank?.qe ?? null;
  if (vote && !galleryLabels) throw new ImsearchError('BAD_USER_INPUT', 'rankGallery: the class vote needs gallery labels');
  if (qe && metric.scoreKind !== 'ip') throw new ImsearchError('BAD_USER_INPUT', `rankGallery: α-QE needs a cosine / inner-product metric, not ${metric.scoreKind}`);
  const labels = galleryLabels ? galleryLabels.map(labelKey) : null;
  const labelOf = (id: number) => (labels ? labels[id] : null);
  const block = Math.max(1, opts.block ?? 256);
  const score = (Q: Float32Array) => metric.scoreMatrix(Q, galleryT);
  const out: RankedResult[][] = [];
  for (let q0 = 0; q0 < nq; q0 += block) {
    const q1 = Math.min(nq, q0 + block);
    const Q = queriesT.subarray(q0 * r, q1 * r);
    let lists = topS(score(Q), q1 - q0, ng, s);
    if (qeApplies(qe, metric.scoreKind)) lists = expandedShortlists(Q, lists, galleryT, r, qe, score);
    for (let q = 0; q < q1 - q0; q++) {
      const prior = metric.classPrior(Q.subarray(q * r, q * r + r));
      const cut = voteAndCut(neighboursOf(lists, q, labelOf), vote, { k, threshold: opts.threshold, minResults: opts.minResults }, prior);
      out.push(cut.map((nb) => ({ index: nb.id, score: nb.score, label: nb.label ?? null })));
    }
  }
  return out;
}
