/**
 * Calibration inside the cross-validation: every held-out query × its shortlist under the chosen
 * metric is one (score, same class?) pair; the thresholds for the target precisions are fitted
 * on those pairs (calibration.ts), never on queries.
 *
 * Leave-classes-out: a photo of a class the collection does not have has no right match, and a
 * threshold fitted on familiar queries alone lets its nearest wrong matches through. So in every
 * fold the classes are cut into seeded groups of about a share each, and each group in turn plays
 * "not in the collection": the chosen params are fitted again on the fold without it (a metric
 * that never saw those classes, as for a real stranger), its held-out items query the rest, and
 * every pair of those shortlists joins the calibration as a wrong match. (Removing the class from
 * a shortlist under the fold's own metric is not enough: measured on Caltech, a metric that
 * learned a class scores strangers far too low.)
 *
 * With the open-set condition (calibrateOpenSet, open-set.ts) the strangers choose the condition
 * instead: the thresholds are fitted on the familiar pairs, and each one's query-level condition
 * by what the cut returns to the familiar and the stranger queries.
 */
import type { ResolvedParams, ScoreKind } from './artifact.js';
import { fitThresholds, type ThresholdFit } from './calibration.js';
import { rowsOf, type Fold } from './cv-folds.js';
import { fitContext } from './fit-context.js';
import type { ClassIndex } from './labels.js';
import { Metric } from './metric.js';
import { SUPERVISED } from './params.js';
import type { ScatterCache } from './pca.js';
import { Rng } from './random.js';
import { topS, type Shortlists } from './shortlists.js';
import type { FoldSpace } from './cv-metric-search.js';
import { classShares, dividePrior, scaledPosteriors, trainScaledHead, withViewRows } from './head.js';
import type { HeadChoice } from './cv-types.js';
import { fitOpenSetCuts, openSetSignal, OPEN_SET_SIGNALS, type OpenSetSignal, type RankedQuery, type SignalledPairs } from './open-set.js';
import { classVoteRerank, type ClassPrior, type Neighbour } from './rerank.js';
import { scoreMatrixOf } from './scoring.js';
import { expandedShortlists, neighboursOf, qeApplies, type RerankParams } from './shortlist-chain.js';

export interface CalibrationPairs {
  scores: Float64Array;
  same: Uint8Array;
}

/**
 * The groups of classes (ids) a fold treats as absent, one stranger fit each: the fold's query
 * classes in a seeded shuffle, cut into ⌈classes / m⌉ groups as even as can be (so at most m
 * each), m = round(share · classes) (at least 1, and at most all but 2, so every group's fit
 * keeps two classes). Every class is a stranger once: one draw of a fifth of the classes was a
 * sample of about 20 classes whose look-alikes decided the calibration (Caltech CV seeds 2 and 3:
 * stranger AUC 0.70 against 0.89).
 */
export function unfamiliarClassGroups(fold: Fold, share: number, seed: number): Set<number>[] {
  if (!(share > 0)) return [];
  const present = [...new Set(fold.queryClass)].filter((c) => c >= 0).sort((a, b) => a - b);
  const m = Math.min(present.length - 2, Math.max(1, Math.round(share * present.length)));
  if (m < 1) return [];
  const shuffled = new Rng(seed).shuffle(present);
  const groups = Math.ceil(shuffled.length / m);
  const base = Math.floor(shuffled.length / groups);
  const extra = shuffled.length % groups;
  const out: Set<number>[] = [];
  for (let g = 0, at = 0; g < groups; g++) {
    const size = base + (g < extra ? 1 : 0);
    out.push(new Set(shuffled.slice(at, at + size)));
    at += size;
  }
  return out;
}

/** One fold's stranger queries: their shortlists against the fold's part without their classes, and that space. */
export interface StrangerFold {
  lists: Shortlists;
  /** Class of each row the stranger shortlists index (the fold's fitted part without the absent classes). */
  galleryClass: Int32Array;
  /** The stranger queries (Tq) and those rows (Tc) under the metric fitted without the absent classes. */
  Tq: Float32Array;
  Tc: Float32Array;
  r: number;
  kind: ScoreKind;
  weights: Float64Array | null;
  /** The input rows behind Tc, and that metric's map from input rows (to train a head with augmented views as well). */
  train: Int32Array;
  map: (rows: Float32Array) => Float32Array;
  /** Which of its fold's groups (unfamiliarClassGroups) this is. */
  group: number;
}

/**
 * Each fold's first group: one draw of about the share of the classes. The pairs that pool
 * familiar and stranger matches (the probability curve, the thresholds without an open-set
 * condition) take these alone, so the mix they assume stays about one stranger query in five
 * rather than one in two; the open-set choice, which weighs familiar and stranger queries
 * separately, takes every group.
 */
export function firstDraw(strangers: readonly StrangerFold[]): StrangerFold[] {
  return strangers.filter((u) => u.group === 0);
}

/**
 * Per fold and per group of its absent classes (unfamiliarClassGroups), the shortlists (s long) of
 * that group's held-out items against the fold's fitted part without the group's classes, under
 * `params` fitted on that part alone. A fold with no unfamiliar class gives none. With the
 * gallery's scatter cache, that fit's PCA removes the fold's held-out rows (already scattered by
 * the fold) and the absent classes' rows from the gallery's scatter instead of a pass over every
 * kept row.
 */
export function unfamiliarFolds(
  X: Float32Array,
  dim: number,
  classes: ClassIndex,
  folds: Fold[],
  params: ResolvedParams,
  opts: { share: number; seed: number; s: number; scatter?: ScatterCache | null },
): StrangerFold[] {
  return folds.flatMap((fold, f) => unfamiliarClassGroups(fold, opts.share, opts.seed + 7919 * f).map((absent, group): StrangerFold => {
    const train = fold.split.train.filter((r) => !absent.has(classes.classOf[r]));
    const absentTrain = fold.split.train.filter((r) => absent.has(classes.classOf[r]));
    const queries = fold.split.heldOut.filter((r) => absent.has(classes.classOf[r]));
    const { ctx } = fitContext(X, dim, classes, {
      rows: train,
      maxPcaDim: params.method === 'identity' ? 0 : params.pcaDim,
      supervised: SUPERVISED.includes(params.method),
      seed: params.seed,
      scatter: opts.scatter ?? undefined,
      complementParts: opts.scatter ? [fold.split.heldOut, absentTrain] : undefined,
    });
    const metric = new Metric(ctx.artifact(params));
    const Tq = metric.transform(rowsOf(X, dim, queries));
    const Tc = metric.transform(rowsOf(X, dim, train));
    const S = metric.scoreMatrix(Tq, Tc);
    const lists = topS(S, queries.length, train.length, Math.min(opts.s, train.length));
    const galleryClass = Int32Array.from(train, (r) => classes.classOf[r]);
    const weights = metric.artifact.normWeights ? Float64Array.from(metric.artifact.normWeights) : null;
    return { lists, galleryClass, Tq, Tc, r: metric.dim, kind: metric.scoreKind, weights, train, map: (rows) => metric.transform(rows), group };
  }));
}

/** The pairs in fold, query, rank order, then every pair of the unfamiliar shortlists (all wrong matches). */
export function calibrationPairs(lists: Shortlists[], folds: Fold[], unfamiliar: readonly Shortlists[] = []): CalibrationPairs {
  return withStrangerPairs(familiarPairs(lists, folds), unfamiliar);
}

/** The familiar queries' pairs, fold by fold: (score, whether the result shares the query's class). */
function familiarPairs(lists: Shortlists[], folds: Fold[]): CalibrationPairs {
  let n = 0;
  for (const l of lists) n += l.queries * l.s;
  const scores = new Float64Array(n);
  const same = new Uint8Array(n);
  let o = 0;
  lists.forEach((l, f) => {
    for (let q = 0; q < l.queries; q++) {
      for (let t = 0; t < l.s; t++) {
        scores[o] = l.scores[q * l.s + t];
        same[o] = folds[f].galleryClass[l.ids[q * l.s + t]] === folds[f].queryClass[q] ? 1 : 0;
        o++;
      }
    }
  });
  return { scores, same };
}

/** `pairs` followed by the strangers' shortlists, none of them a same-class pair. */
function withStrangerPairs(pairs: CalibrationPairs, unfamiliar: readonly Shortlists[]): CalibrationPairs {
  if (unfamiliar.length === 0) return pairs;
  let n = pairs.scores.length;
  for (const l of unfamiliar) n += l.queries * l.s;
  const scores = new Float64Array(n);
  const same = new Uint8Array(n);
  scores.set(pairs.scores);
  same.set(pairs.same);
  let o = pairs.scores.length;
  for (const l of unfamiliar) {
    scores.set(l.scores.subarray(0, l.queries * l.s), o);
    o += l.queries * l.s;
  }
  return { scores, same };
}

export function calibrate(
  lists: Shortlists[],
  folds: Fold[],
  targetPrecisions: readonly number[],
  unfamiliar: readonly Shortlists[] = [],
): { thresholds: ThresholdFit[]; pairs: CalibrationPairs } {
  const pairs = calibrationPairs(lists, folds, unfamiliar);
  return { thresholds: fitThresholds(pairs.scores, pairs.same, targetPrecisions), pairs };
}

/** What the open-set calibration needs of the chosen chain. */
export interface OpenSetCalibrationInput {
  /** The chosen metric's fold shortlists (the familiar pairs) and spaces (for α-QE). */
  lists: Shortlists[];
  spaces: FoldSpace[];
  folds: Fold[];
  strangers: readonly StrangerFold[];
  names: string[];
  rerank: RerankParams;
  /** The chosen head (null: none), the L-BFGS iterations it is trained with, and its posteriors of every fold's held-out queries. */
  head: HeadChoice | null;
  headIterations: number;
  /** The input's augmented views (the head's extra training rows when head.views; n × dim each). */
  views: readonly Float32Array[];
  dim: number;
  familiarPosteriors: Float64Array[] | null;
  targets: readonly number[];
  k: number;
}

/** One calibration query as the product's chain meets it: its vote list, its head prior, and whether it is familiar. */
interface ChainQuery {
  list: Neighbour[];
  prior: ClassPrior | null;
  familiar: boolean;
  label: string | null;
}

/** How well a signal tells the calibration's familiar queries from its strangers. */
export interface SignalSummary {
  /** Medians over the familiar and the stranger queries (NaN-free). */
  familiarMedian: number;
  strangerMedian: number;
  /** Probability that a random familiar query's signal exceeds a random stranger's (ties count half): 0.5 is no separation. */
  auc: number;
}

/**
 * The calibrated cuts with the open-set condition (open-set.ts). Every familiar held-out query
 * and every stranger query is run through the chosen chain as a query runs it (α-QE when chosen,
 * the vote fused with the head's posterior: for strangers a head trained on the fold without
 * their classes, like the metric that scores them); its vote outcome gives its signals;
 * fitOpenSetCuts fits each threshold on the familiar pairs and chooses the condition by the cut's
 * results on these queries, which it reports (ThresholdFit.cv). The pairs it returns (for the
 * probability curve) are the familiar ones and those of each fold's first stranger group
 * (firstDraw).
 */
export function calibrateOpenSet(input: OpenSetCalibrationInput): { thresholds: ThresholdFit[]; pairs: CalibrationPairs; signals: Partial<Record<OpenSetSignal, SignalSummary>> } {
  const { folds, names, rerank, head, k } = input;
  const C = names.length;
  const classOf = new Map(names.map((n, i) => [n, i]));
  const priorOf = (P: Float64Array, q: number): ClassPrior | null => (head ? { weight: head.weight, probability: (label) => P[q * C + (classOf.get(label) as number)] } : null);
  const chainLists = (lists: Shortlists, sp: { Tq: Float32Array; Tc: Float32Array; r: number; kind: ScoreKind; weights: Float64Array | null }): Shortlists =>
    qeApplies(rerank.qe, sp.kind) && lists.queries > 0 ? expandedShortlists(sp.Tq, lists, sp.Tc, sp.r, rerank.qe, (Q2) => scoreMatrixOf(sp.kind, sp.weights, Q2, sp.Tc, sp.r)) : lists;
  const queries: ChainQuery[] = [];
  folds.forEach((fold, f) => {
    const L = chainLists(input.lists[f], input.spaces[f]);
    const labelOf = (id: number) => (fold.galleryClass[id] >= 0 ? names[fold.galleryClass[id]] : null);
    const P = input.familiarPosteriors?.[f] ?? null;
    for (let q = 0; q < L.queries; q++) queries.push({ list: neighboursOf(L, q, labelOf), prior: P ? priorOf(P, q) : null, familiar: true, label: names[fold.queryClass[q]] });
  });
  for (const u of input.strangers) {
    if (u.lists.queries === 0) continue;
    const L = chainLists(u.lists, u);
    const labelOf = (id: number) => (u.galleryClass[id] >= 0 ? names[u.galleryClass[id]] : null);
    const views = head?.views ? input.views.map((v) => u.map(rowsOf(v, input.dim, u.train))) : [];
    const P = head ? strangerPosteriors(u, C, head, input.headIterations, views) : null;
    for (let q = 0; q < L.queries; q++) queries.push({ list: neighboursOf(L, q, labelOf), prior: P ? priorOf(P, q) : null, familiar: false, label: null });
  }

  // Per query the vote outcome its chain reaches: its ranked results and its signals.
  const voting = rerank.vote !== null || (head !== null && head.weight > 0);
  const outcomes = voting ? queries.map((cq) => classVoteRerank(cq.list, rerank.vote, cq.prior)) : null;
  const signals: SignalledPairs['signals'] = {};
  if (outcomes) {
    for (const signal of OPEN_SET_SIGNALS) {
      if (signal === 'posterior' && !head) continue;
      signals[signal] = Float64Array.from(outcomes, (o, i) => openSetSignal(signal, o, queries[i].prior) ?? NaN);
    }
  }
  const ranked: RankedQuery[] = queries.map((cq, i) => {
    const list = outcomes ? outcomes[i].ranked : cq.list;
    return { scores: list.map((n) => n.score), right: list.map((n) => (cq.familiar && n.label === cq.label ? 1 : 0)) };
  });

  // The cuts are fitted on the familiar queries' pairs (a stranger's results are never right);
  // the strangers enter through their signals and ranked results. The familiar queries come
  // first in `queries`, fold by fold, as their pairs do.
  const familiarOnly = familiarPairs(input.lists, folds);
  const query = new Int32Array(familiarOnly.scores.length);
  let o = 0;
  let qi = 0;
  for (const l of input.lists) {
    for (let q = 0; q < l.queries; q++, qi++) for (let t = 0; t < l.s; t++) query[o++] = qi;
  }
  const familiar = Uint8Array.from(queries, (cq) => (cq.familiar ? 1 : 0));
  const thresholds: ThresholdFit[] = fitOpenSetCuts({ ...familiarOnly, query, familiar, signals }, ranked, input.targets, { k });
  const summaries: Partial<Record<OpenSetSignal, SignalSummary>> = {};
  for (const [signal, values] of Object.entries(signals) as [OpenSetSignal, Float64Array][]) {
    const fam = Array.from(values).filter((v, q) => familiar[q] && !Number.isNaN(v));
    const str = Array.from(values).filter((v, q) => !familiar[q] && !Number.isNaN(v));
    if (fam.length && str.length) summaries[signal] = { familiarMedian: median(fam), strangerMedian: median(str), auc: aucOf(fam, str) };
  }
  return { thresholds, pairs: withStrangerPairs(familiarOnly, firstDraw(input.strangers).map((u) => u.lists)), signals: summaries };
}

function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
}

/** P(a > b) + P(a = b)/2 for a from `pos`, b from `neg` (the Mann–Whitney statistic, by one sort). */
export function aucOf(pos: readonly number[], neg: readonly number[]): number {
  const all = [...pos.map((v) => ({ v, p: 1 })), ...neg.map((v) => ({ v, p: 0 }))].sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].v === all[i].v) j++;
    const midRank = (i + j + 1) / 2; // ranks are 1-based: i+1 .. j
    for (let t = i; t < j; t++) if (all[t].p) rankSum += midRank;
    i = j;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

/**
 * The posteriors of a fold's stranger queries under a head trained on the fold's part without
 * their classes, over the classes that part has (as the product's head knows only the
 * collection's classes: no posterior mass on classes it has no row of), laid out over all C.
 */
function strangerPosteriors(u: StrangerFold, C: number, head: HeadChoice, maxIterations: number, views: readonly Float32Array[]): Float64Array {
  const present = [...new Set(u.galleryClass)].filter((c) => c >= 0).sort((a, b) => a - b);
  const local = new Int32Array(C).fill(-1);
  present.forEach((c, i) => (local[c] = i));
  const training = withViewRows(u.Tc, Int32Array.from(u.galleryClass, (c) => (c >= 0 ? local[c] : -1)), views);
  const trained = trainScaledHead(training.T, u.r, training.classOf, present.length, { l2: head.l2, maxIterations });
  const P = scaledPosteriors(dividePrior(trained, classShares(training.classOf, present.length), head.prior ?? 0), u.Tq);
  const out = new Float64Array(u.lists.queries * C);
  for (let q = 0; q < u.lists.queries; q++) present.forEach((c, i) => (out[q * C + c] = P[q * present.length + i]));
  return out;
}
