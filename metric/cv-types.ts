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

/** A head's settings: its L2 penalty, its weight in the vote, and whether the augmented views were extra training rows. */
export interface HeadChoice {
  l2: number;
  weight: number;
  views: boolean;
}
