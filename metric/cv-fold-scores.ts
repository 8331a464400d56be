/**
 * Scores of a ranking of a fold's held-out queries, as the evaluation protocol defines them
 * (retrieval-scores.ts), and their mean over folds (summed in fold order).
 */
import type { CvScores } from './cv-types.js';
import type { Fold } from './cv-folds.js';
import { scoreRetrieval, type QueryOutcome, type RetrievalScores } from './retrieval-scores.js';

/** `rankedIds(q)`: held-out query q's ranking, as indices into the fold's fitted part, best first. */
export function foldRetrieval(fold: Fold, names: string[], rankedIds: (q: number) => ArrayLike<number>, k: number): RetrievalScores {
  const outcomes: QueryOutcome[] = [];
  for (let q = 0; q < fold.queryClass.length; q++) {
    const ids = rankedIds(q);
    const labels: string[] = [];
    for (let t = 0; t < Math.min(k, ids.length); t++) {
      const c = fold.galleryClass[ids[t]];
      labels.push(c >= 0 ? names[c] : '');
    }
    outcomes.push({ label: names[fold.queryClass[q]], retrievedLabels: labels, relevantTotal: fold.relevantTotal[q] });
  }
  return scoreRetrieval(outcomes, k);
}

export function meanOverFolds(xs: RetrievalScores[]): CvScores {
  return {
    map: xs.reduce((a, x) => a + x.map, 0) / xs.length,
    classBalancedMap: xs.reduce((a, x) => a + x.classBalancedMap, 0) / xs.length,
    precisionAt1: xs.reduce((a, x) => a + x.precisionAt1, 0) / xs.length,
  };
}
