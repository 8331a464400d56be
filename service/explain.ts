/**
 * Why each result came back, for a customer who asked for a transparent method: per result its
 * cosine to the query under each model, the score it was ranked by, a calibrated probability of
 * sharing the query's class, and its class's share of the vote in the query's neighbourhood; per
 * query the class the vote predicts and the runner-up. Built only when a search asks for it.
 */
import { dot } from '../models/vectors.js';
import { probabilityAt, type ProbabilityCurve } from '../metric/probability-curve.js';
import { classShares, type Neighbour, type VoteParams } from '../metric/rerank.js';
import type { CollectionModel, View } from '../store/collection.js';
import { type ViewVectors, poolViews } from './ensemble-space.js';

export interface ModelCosine {
  model: string;
  /** Cosine of the query's and the item's embeddings under this model, each pooled over the views. */
  cosine: number;
}

export interface MatchExplanation {
  models: ModelCosine[];
  /** The score the result was ranked by (the learned metric's, or the weighted cosine). */
  score: number;
  scoreKind: 'metric' | 'cosine';
  /** Calibrated probability that the item shares the query's class; null without a calibrated metric. */
  probability: number | null;
  /** Share of the item's class in the neighbourhood's vote (0 when unlabelled or not among the voters). */
  classShare: number;
}

export interface ClassVote {
  label: string;
  share: number;
  /** Calibrated probability at the score of the class's best voter; null without a calibrated metric. */
  probability: number | null;
}

export interface Prediction extends ClassVote {
  runnerUp: ClassVote | null;
  /** Neighbours that voted. */
  voters: number;
  /** Whether the votes were weighted by score (the fitted vote's temperature) or counted. */
  weighted: boolean;
}

export interface ExplainInput {
  models: readonly CollectionModel[];
  views: readonly View[];
  query: ViewVectors;
  itemVectors: (id: number) => ViewVectors;
  /** The returned results, in order. */
  results: readonly { id: number; score: number; label: string | null }[];
  /** The ranked neighbourhood the vote is taken over (best first, before any threshold cut). */
  neighbourhood: readonly Neighbour[];
  vote: Pick<VoteParams, 'k' | 'tau'>;
  scoreKind: 'metric' | 'cosine';
  /** Present only for metric scores with a calibration curve. */
  curve: ProbabilityCurve | null;
}

export function explainResults(input: ExplainInput): { explanations: MatchExplanation[]; prediction: Prediction | null } {
  const probability = (score: number) => (input.curve ? probabilityAt(input.curve, score) : null);
  const shares = classShares(input.neighbourhood, input.vote);
  const shareOf = new Map(shares.map((s) => [s.label, s.share]));
  const queryParts = input.models.map((m) => poolViews(input.query, input.views, m.name));
  const explanations = input.results.map((r): MatchExplanation => {
    const item = input.itemVectors(r.id);
    return {
      models: input.models.map((m, j) => ({ model: m.name, cosine: dot(queryParts[j], poolViews(item, input.views, m.name)) })),
      score: r.score,
      scoreKind: input.scoreKind,
      probability: probability(r.score),
      classShare: (r.label && shareOf.get(r.label)) || 0,
    };
  });
  const vote = (i: number): ClassVote | null =>
    shares[i] ? { label: shares[i].label, share: shares[i].share, probability: probability(input.neighbourhood[shares[i].first].score) } : null;
  const top = vote(0);
  const prediction = top
    ? {
        ...top,
        runnerUp: vote(1),
        voters: Math.min(input.vote.k, input.neighbourhood.length),
        weighted: input.vote.tau !== null && input.vote.tau !== Infinity,
      }
    : null;
  return { explanations, prediction };
}
