import type { SearchParams } from '../indexes/search-params.js';
import type { VectorIndex } from '../indexes/vector-index.js';
// The query path's own metric modules, not the package index: that one loads the fitting code too.
import type { Metric } from '../metric/metric.js';
import type { Neighbour } from '../metric/rerank.js';
import { expandQuery, qeApplies, voteAndCut } from '../metric/shortlist-chain.js';
import type { CalibratedCut, SearchDefaults } from './search-config.js';

export interface RankRequest {
  k: number;
  exclude?: ReadonlySet<number>;
  /** Accept results with metric score ≥ its threshold, under its open-set condition (calibrated "up to k"); undefined = exactly k. */
  cut?: CalibratedCut;
  /** Index options for the shortlist search (efSearch, nprobe, searchK). */
  params?: SearchParams;
  /** Candidates re-scored with the metric for this search (default: the collection's). */
  shortlist?: number;
}

export interface Ranked {
  id: number;
  score: number;
}

export interface RankOutcome {
  ranked: Ranked[];
  /** The shortlist the class vote was taken over, best first (what an explanation reports on). */
  neighbourhood: Neighbour[];
}

/**
 * The query side of a learned metric over an index: shortlist from the index (metric space in
 * transform mode, cosine in rerank mode), exact metric scores, α-QE second pass, class vote
 * (with the fitted head's class posterior for the first-pass query, when there is a head),
 * calibrated cut. The gallery's metric-space rows and labels are held in memory by id.
 */
export class QueryRanker {
  private readonly rows = new Map<number, Float32Array>();

  constructor(
    readonly metric: Metric,
    readonly defaults: SearchDefaults,
    private readonly labels: Map<number, string | null>,
  ) {}

  /** Metric-space rows for ids, and the vectors an index of this mode holds for them. */
  addRows(ids: ArrayLike<number>, plain: Float32Array): Float32Array {
    const T = this.metric.transform(plain);
    const r = this.metric.dim;
    for (let i = 0; i < ids.length; i++) this.rows.set(ids[i], T.subarray(i * r, (i + 1) * r));
    return this.defaults.mode === 'transform' ? this.metric.indexVectors(T, 'ip') : plain;
  }

  setLabel(id: number, label: string | null): void {
    this.labels.set(id, label);
  }

  removeRows(ids: readonly number[]): void {
    for (const id of ids) {
      this.rows.delete(id);
      this.labels.delete(id);
    }
  }

  /** Dimension of the vectors the index holds in this mode. */
  indexDim(plainDim: number): number {
    return this.defaults.mode === 'transform' ? this.metric.indexLayout('ip').dim : plainDim;
  }

  async rank(index: VectorIndex, query: Float32Array, req: RankRequest): Promise<RankOutcome> {
    const d = this.defaults;
    const t = this.metric.transform(query);
    const want = Math.min(index.size(), Math.max(req.shortlist ?? d.shortlist, req.k) + (req.exclude?.size ?? 0));
    if (want === 0) return { ranked: [], neighbourhood: [] };
    // The shortlist chain (metric/shortlist-chain.ts), with the index as the search.
    let list = await this.shortlist(index, query, t, want, req);
    if (qeApplies(d.qe, this.metric.scoreKind) && list.length) {
      const t2 = expandQuery(t, { ids: list.map((n) => n.id), scores: list.map((n) => n.score) }, (id) => this.rows.get(id)!, d.qe);
      list = d.mode === 'transform' ? await this.shortlist(index, query, t2, want, req) : this.rescore(t2, list);
    }
    const ranked = voteAndCut(list, d.vote, { k: req.k, threshold: req.cut?.threshold, openSet: req.cut?.openSet ?? null }, this.metric.classPrior(t)).map((n) => ({ id: n.id, score: n.score }));
    return { ranked, neighbourhood: list };
  }

  private async shortlist(index: VectorIndex, query: Float32Array, t: Float32Array, want: number, req: RankRequest): Promise<Neighbour[]> {
    const probe = this.defaults.mode === 'transform' ? this.metric.indexQuery(t, 'ip') : query;
    const [hits] = await index.search(probe, want, req.params);
    return this.rescore(
      t,
      hits.filter((h) => !req.exclude?.has(h.id)),
    );
  }

  /** Exact metric scores for the candidates, best first, ties by id (gallery order). */
  private rescore(t: Float32Array, candidates: readonly { id: number }[]): Neighbour[] {
    const r = this.metric.dim;
    const C = new Float32Array(candidates.length * r);
    candidates.forEach((c, i) => C.set(this.rows.get(c.id)!, i * r));
    const scores = this.metric.score(t, C);
    return candidates
      .map((c, i) => ({ id: c.id, score: scores[i], label: this.labels.get(c.id) ?? null }))
      .sort((a, b) => b.score - a.score || a.id - b.id);
  }
}
