/** The records the cross-validation stages produce and the selection compares. */
import type { ResolvedParams, ScoreKind } from './artifact.js';
import type { RerankParams } from './shortlist-chain.js';

export interface CvScores {
  map: number;
  classBalancedMap: number;
  precisionAt1: number;
}

/** What the selection maximises (default 'map'). */
export type SelectBy = 'map' | 'classBalancedMap';

export interface CvRow extends CvScores {
  stage: 'baseline' | 'dimension' | 'regularisation';
  params: ResolvedParams;
  outputDim: number;
  scoreKind: ScoreKind;
  millis: number;
}

export interface RerankRow extends CvScores {
  rerank: RerankParams;
}

/**
 * A head's settings: its L2 penalty, its weight in the vote, whether the augmented views were
 * extra training rows, and the power β of its training prior divided out (head.ts dividePrior;
 * absent: 0).
 */
export interface HeadChoice {
  l2: number;
  weight: number;
  views: boolean;
  prior?: number;
}
