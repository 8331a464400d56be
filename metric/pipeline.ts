/**
 * The query-side chain as one pure function, over an in-memory gallery with exact scores:
 * transform → score → top shortlist → α-QE second pass (cosine spaces) → class vote → calibrated
 * cut → top k. What cross-validation measures, and what an evaluation without an index (or a test
 * of the index path against exact search) can call directly. A service with a VectorIndex runs the
 * same steps with index searches in place of the exact scoring.
 */
import type { RerankParams } from './cv.js';
import { cutResults } from './calibration.js';
import { ImsearchError } from '../errors/error-codes.js';
import { metricInputBug } from './errors.js';
import { labelKey, type Label } from './labels.js';
import type { Metric } from './metric.js';
import { alphaQueryExpansion, classVoteRerank, type Neighbour } from './rerank.js';
import { topS } from './cv.js';

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
  const block = Math.max(1, opts.block ?? 256);
  const out: RankedResult[][] = [];
  for (let q0 = 0; q0 < nq; q0 += block) {
    const q1 = Math.min(nq, q0 + block);
    let Q = queriesT.subarray(q0 * r, q1 * r);
    let lists = topS(metric.scoreMatrix(Q, galleryT), q1 - q0, ng, s);
    if (qe && qe.n > 0) {
      const Q2 = new Float32Array(Q.length);
      const m = Math.min(qe.n, lists.s);
      const neigh = new Float32Array(m * r);
      for (let q = 0; q < q1 - q0; q++) {
        for (let t = 0; t < m; t++) {
          const id = lists.ids[q * lists.s + t];
          neigh.set(galleryT.subarray(id * r, id * r + r), t * r);
        }
        Q2.set(alphaQueryExpansion(Q.subarray(q * r, q * r + r), neigh, lists.scores.subarray(q * lists.s, q * lists.s + m), qe), q * r);
      }
      Q = Q2;
      lists = topS(metric.scoreMatrix(Q, galleryT), q1 - q0, ng, s);
    }
    for (let q = 0; q < q1 - q0; q++) {
      let ranked: Neighbour[] = Array.from({ length: lists.s }, (_, t) => {
        const id = lists.ids[q * lists.s + t];
        return { id, score: lists.scores[q * lists.s + t], label: labels ? labels[id] : null };
      });
      if (vote) ranked = classVoteRerank(ranked, vote).ranked;
      const cut = opts.threshold === undefined ? ranked.slice(0, k) : cutResults(ranked, opts.threshold, k, opts.minResults ?? 1);
      out.push(cut.map((nb) => ({ index: nb.id, score: nb.score, label: nb.label ?? null })));
    }
  }
  return out;
}
