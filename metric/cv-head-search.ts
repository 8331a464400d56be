/**
 * The stage after the re-ranker search: whether a classification head (head.ts) joins the class
 * vote, with which L2 penalty and which weight. Per fold the head is trained on the fitted part's
 * metric-space rows (the chosen metric's fold space) and gives every held-out query a class
 * posterior; the query's shortlist (the chosen re-ranking's: α-QE when chosen) then goes through
 * the shortlist chain's vote with that posterior fused in (rerank.ts, ClassPrior), exactly as a
 * query runs it. The vote is chosen again with each head (every vote of the grid, and none: the
 * head alone), since a head shifts which vote complements it best. "No head" is the incumbent
 * row; a head must beat it on the selection score (selection.ts: on a tie the cheaper
 * candidate wins: no head first, then as for the re-ranker search).
 *
 * With the input's augmented views (each item's per-view rows, e.g. the photo and its mirror,
 * beside the pooled row the index holds), each head is trained twice: on the pooled rows alone,
 * and with every view's rows added as extra training rows (head.ts withViewRows, mapped by the
 * fold's own metric). The pooled-only head is the cheaper candidate.
 */
import { rowsOf, type Fold } from './cv-folds.js';
import { foldRetrieval, meanOverFolds } from './cv-fold-scores.js';
import type { CvGrid } from './cv-grid.js';
import type { Evaluated } from './cv-metric-search.js';
import type { CvScores, HeadChoice, SelectBy } from './cv-types.js';
import { classShares, dividePrior, scaledPosteriors, trainScaledHead, withViewRows } from './head.js';
import { scoreMatrixOf } from './scoring.js';
import { voteCandidates } from './cv-rerank-search.js';
import { preferredIndex, rerankCost, selectionScore, tiedAtTop, type Candidate } from './selection.js';
import { expandedShortlists, neighboursOf, qeApplies, voteAndCut, type RerankParams } from './shortlist-chain.js';

export interface HeadRow extends CvScores {
  /** null: no head. */
  head: HeadChoice | null;
  /** The re-ranking this row runs (the incumbent's for no head; the vote re-chosen with a head). */
  rerank: RerankParams;
}

export interface HeadSearchInput {
  chosen: Evaluated;
  /** The chosen re-ranking and its CV scores (the no-head row). */
  rerank: RerankParams;
  incumbent: CvScores;
  folds: Fold[];
  /** The input's augmented views (n × dim each, the weighting's space, the input's row order); fewer than two: none. */
  views: readonly Float32Array[];
  dim: number;
  names: string[];
  grid: CvGrid;
  k: number;
  selectBy: SelectBy;
}

export interface HeadSearchResult {
  table: HeadRow[];
  best: HeadRow;
  tied: number;
  /** The chosen head's class posteriors of every fold's held-out queries (queries × classes), null without a head. */
  posteriors: Float64Array[] | null;
}

export function searchHead(input: HeadSearchInput): HeadSearchResult {
  const { chosen, rerank, folds, names, grid, k, selectBy, views, dim } = input;
  const table: HeadRow[] = [{ head: null, rerank, ...input.incumbent }];
  const posteriorsOf = new Map<string, Float64Array[]>();
  // Without two views a view-trained head is the pooled one: train that once.
  const viewOptions = [...new Set(grid.headViews.map((v) => v && views.length > 1))];
  if (grid.headL2s.length && grid.headWeights.length) {
    const perFold = folds.map((fold, f) => {
      const sp = chosen.spaces[f];
      const lists = qeApplies(rerank.qe, sp.kind) ? expandedShortlists(sp.Tq, chosen.lists[f], sp.Tc, sp.r, rerank.qe, (Q2) => scoreMatrixOf(sp.kind, sp.weights, Q2, sp.Tc, sp.r)) : chosen.lists[f];
      const labelOf = (id: number) => {
        const c = fold.galleryClass[id];
        return c >= 0 ? names[c] : null;
      };
      return { sp, queries: Array.from({ length: lists.queries }, (_, q) => neighboursOf(lists, q, labelOf)) };
    });
    const classOf = new Map(names.map((n, i) => [n, i]));
    const C = names.length;
    // Each fold's training rows, with and without the views' rows (mapped once, not per λ).
    const training = new Map<boolean, { T: Float32Array; classOf: Int32Array }[]>();
    const trainingOf = (withViews: boolean) => {
      let t = training.get(withViews);
      if (!t) {
        t = perFold.map(({ sp }, f) => withViewRows(sp.Tc, folds[f].galleryClass, withViews ? views.map((v) => sp.map(rowsOf(v, dim, folds[f].split.train))) : []));
        training.set(withViews, t);
      }
      return t;
    };
    for (const l2 of grid.headL2s) {
      for (const withViews of viewOptions) {
        const heads = perFold.map(({ sp }, f) => {
          const rows = trainingOf(withViews)[f];
          return { head: trainScaledHead(rows.T, sp.r, rows.classOf, C, { l2, maxIterations: grid.headIterations }), shares: classShares(rows.classOf, C) };
        });
        for (const prior of grid.headPriors.length ? grid.headPriors : [0]) {
          // The prior divided out is a bias shift of the trained head: no training per β.
          const posteriors = perFold.map(({ sp }, f) => scaledPosteriors(dividePrior(heads[f]!.head, heads[f]!.shares, prior), sp.Tq));
          posteriorsOf.set(headKey(l2, withViews, prior), posteriors);
          for (const weight of grid.headWeights) {
            for (const vote of [null, ...voteCandidates(grid)]) {
              const scores = perFold.map(({ queries }, f) => {
                const P = posteriors[f];
                const ranked = queries.map((sl, q) => voteAndCut(sl, vote, { k }, { weight, probability: (label) => P[q * C + (classOf.get(label) as number)] }));
                return foldRetrieval(folds[f], names, (q) => ranked[q].map((nb) => nb.id), k);
              });
              table.push({ head: { l2, weight, views: withViews, ...(prior ? { prior } : {}) }, rerank: { vote, qe: rerank.qe }, ...meanOverFolds(scores) });
            }
          }
        }
      }
    }
  }
  const candidates = table.map((row, order): Candidate => ({ score: selectionScore(row, selectBy), cost: [row.head ? 1 : 0, row.head?.views ? 1 : 0, row.head?.prior ? 1 : 0, ...rerankCost(row.rerank)], order }));
  const best = table[preferredIndex(candidates)];
  return { table, best, tied: tiedAtTop(candidates), posteriors: best.head ? (posteriorsOf.get(headKey(best.head.l2, best.head.views, best.head.prior ?? 0)) ?? null) : null };
}

const headKey = (l2: number, views: boolean, prior: number) => `${l2}/${views}/${prior}`;
