/**
 * Stage 3 of the cross-validation: which re-ranking on top of the chosen metric, run on that
 * metric's fold shortlists through the shortlist chain (shortlist-chain.ts), exactly as a query
 * runs it: α-QE (inner-product spaces only) and the class vote, alone and, when α-QE beats plain
 * ranking, combined. The preferred row follows selection.ts (exact score, then cost: no α-QE
 * before α-QE, fewer voters before more, then grid order).
 */
import type { Fold } from './cv-folds.js';
import { foldRetrieval, meanOverFolds } from './cv-fold-scores.js';
import type { CvGrid } from './cv-grid.js';
import type { Evaluated } from './cv-metric-search.js';
import type { RerankRow, SelectBy } from './cv-types.js';
import type { QueryExpansionParams, VoteParams } from './rerank.js';
import { scoreMatrixOf } from './scoring.js';
import { compareCandidates, preferredIndex, rerankCost, selectionScore, tiedAtTop, type Candidate } from './selection.js';
import { expandedShortlists, neighboursOf, voteAndCut } from './shortlist-chain.js';
import type { Shortlists } from './shortlists.js';

export interface RerankSearchInput {
  chosen: Evaluated;
  folds: Fold[];
  names: string[];
  grid: CvGrid;
  k: number;
  selectBy: SelectBy;
}

export interface RerankSearchResult {
  /** Plain ranking first, then every evaluated re-ranking in evaluation order. */
  table: RerankRow[];
  best: RerankRow;
  /** Rows sharing the best row's selection score exactly. */
  tied: number;
}

/** The class votes of the grid, in grid order (τ is moot for K = 1). */
export function voteCandidates(grid: CvGrid): VoteParams[] {
  const out: VoteParams[] = [];
  for (const k of grid.voteKs) for (const tau of k === 1 ? [null] : grid.voteTaus) for (const minShare of grid.voteMinShares) out.push({ k, tau, minShare });
  return out;
}

export function searchReranking(input: RerankSearchInput): RerankSearchResult {
  const { chosen, folds, names, grid, k, selectBy } = input;
  const candidateOf = (row: RerankRow, order: number): Candidate => ({ score: selectionScore(row, selectBy), cost: rerankCost(row.rerank), order });
  const plain: RerankRow = { rerank: { vote: null, qe: null }, map: chosen.row.map, classBalancedMap: chosen.row.classBalancedMap, precisionAt1: chosen.row.precisionAt1 };
  const table: RerankRow[] = [plain];
  const bases: { qe: QueryExpansionParams | null; lists: Shortlists[] }[] = [{ qe: null, lists: chosen.lists }];

  if (chosen.row.scoreKind === 'ip' && grid.qeNs.length && grid.qeAlphas.length) {
    let bestQe: { qe: QueryExpansionParams; lists: Shortlists[]; candidate: Candidate } | null = null;
    for (const n of grid.qeNs) {
      for (const alpha of grid.qeAlphas) {
        const qe: QueryExpansionParams = { n, alpha };
        const lists = chosen.spaces.map((sp, f) => expandedShortlists(sp.Tq, chosen.lists[f], sp.Tc, sp.r, qe, (Q2) => scoreMatrixOf('ip', null, Q2, sp.Tc, sp.r)));
        const row: RerankRow = { rerank: { vote: null, qe }, ...meanOverFolds(lists.map((list, f) => foldRetrieval(folds[f], names, (q) => list.ids.subarray(q * list.s, q * list.s + list.s), k))) };
        const candidate = candidateOf(row, table.length);
        table.push(row);
        if (!bestQe || compareCandidates(candidate, bestQe.candidate) < 0) bestQe = { qe, lists, candidate };
      }
    }
    // The vote also runs on the best α-QE shortlists, but only when α-QE alone beats plain ranking
    // (on a tie plain ranking is the cheaper candidate).
    if (bestQe && bestQe.candidate.score > selectionScore(plain, selectBy)) bases.push({ qe: bestQe.qe, lists: bestQe.lists });
  }

  if (grid.voteKs.length) {
    for (const base of bases) {
      // Neighbour objects built once per query, reused by every vote setting.
      const perFold = base.lists.map((list, f) => {
        const labelOf = (id: number) => {
          const c = folds[f].galleryClass[id];
          return c >= 0 ? names[c] : null;
        };
        return Array.from({ length: list.queries }, (_, q) => neighboursOf(list, q, labelOf));
      });
      for (const vote of voteCandidates(grid)) {
        const scores = perFold.map((queries, f) => {
          const ranked = queries.map((sl) => voteAndCut(sl, vote, { k }));
          return foldRetrieval(folds[f], names, (q) => ranked[q].map((nb) => nb.id), k);
        });
        table.push({ rerank: { vote, qe: base.qe }, ...meanOverFolds(scores) });
      }
    }
  }

  const candidates = table.map(candidateOf);
  return { table, best: table[preferredIndex(candidates)], tied: tiedAtTop(candidates) };
}
