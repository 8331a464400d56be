/**
 * Retrieval metrics exactly as docs/DESIGN.md defines them:
 *   AP@K(q) = ( sum_{i=1..K} P@i * rel(i) ) / min(K, R_q),   MAP@K = mean over queries.
 * A query whose class has no gallery item (R_q = 0) scores 0: nothing relevant can be found.
 */
import { metricInputBug } from './errors.js';

/** AP@K of one ranked list; `relevant[i]` says whether result i shares the query's label. */
export function averagePrecisionAtK(relevant: readonly boolean[], relevantTotal: number, k = 10): number {
  const denominator = Math.min(k, relevantTotal);
  if (denominator === 0) return 0;
  let hits = 0;
  let sum = 0;
  const n = Math.min(k, relevant.length);
  for (let i = 0; i < n; i++) {
    if (relevant[i]) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / denominator;
}

export interface QueryOutcome {
  label: string;
  /** Labels of the returned results, best first. */
  retrievedLabels: readonly string[];
  /** Number of gallery items with the query's label (R_q). */
  relevantTotal: number;
}

export interface RetrievalScores {
  queries: number;
  map: number;
  /** Mean over classes of the per-class mean AP: small classes weigh as much as big ones. */
  classBalancedMap: number;
  precisionAt1: number;
  perClass: Record<string, { queries: number; map: number }>;
}

export function scoreRetrieval(outcomes: readonly QueryOutcome[], k = 10): RetrievalScores {
  const perClassSum = new Map<string, { sum: number; n: number }>();
  let apSum = 0;
  let p1Sum = 0;
  for (const o of outcomes) {
    const relevant = o.retrievedLabels.map((l) => l === o.label);
    const ap = averagePrecisionAtK(relevant, o.relevantTotal, k);
    apSum += ap;
    if (relevant[0]) p1Sum++;
    const c = perClassSum.get(o.label) ?? { sum: 0, n: 0 };
    c.sum += ap;
    c.n++;
    perClassSum.set(o.label, c);
  }
  const perClass: RetrievalScores['perClass'] = {};
  let balanced = 0;
  for (const [label, c] of [...perClassSum].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    perClass[label] = { queries: c.n, map: c.sum / c.n };
    balanced += c.sum / c.n;
  }
  const n = outcomes.length;
  return {
    queries: n,
    map: n ? apSum / n : 0,
    classBalancedMap: perClassSum.size ? balanced / perClassSum.size : 0,
    precisionAt1: n ? p1Sum / n : 0,
    perClass,
  };
}

/** Mean over queries of |approx ∩ exact| / |exact| for the top-k id lists (recall of an ANN index). */
export function recallAtK(approx: readonly (readonly number[])[], exact: readonly (readonly number[])[], k = 10): number {
  if (approx.length !== exact.length) throw metricInputBug(`recallAtK: ${approx.length} approximate lists vs ${exact.length} exact`);
  if (exact.length === 0) return 0;
  let sum = 0;
  for (let q = 0; q < exact.length; q++) {
    const truth = new Set(exact[q].slice(0, k));
    if (truth.size === 0) {
      sum += 1;
      continue;
    }
    let found = 0;
    for (const id of approx[q].slice(0, k)) if (truth.has(id)) found++;
    sum += found / truth.size;
  }
  return sum / exact.length;
}
