/**
 * How much the cross-validated selection depends on its split: the same selection rerun with
 * several seeds (each its own split and PCA start), the configuration each one chose and the
 * spread of its CV score. What a benchmark reports next to a single seeded fit, so a difference
 * between two runs can be read against the split-to-split variation.
 */
import type { ResolvedParams } from './artifact.js';
import { crossValidateMetric, type CvOptions } from './cv.js';
import type { CvScores } from './cv-types.js';
import type { Label } from './labels.js';
import type { RerankParams } from './shortlist-chain.js';

export interface SeedChoice {
  seed: number;
  params: ResolvedParams;
  rerank: RerankParams;
  reranked: CvScores;
  /** Re-rankings tied with the chosen one (see CvResult.ties). */
  rerankTies: number;
}

export interface SeedSpread {
  choices: SeedChoice[];
  /** Distinct (params, rerank) choices among the seeds. */
  distinctChoices: number;
  /** MAP@k of the chosen metric + re-ranking over the seeds (sd: population standard deviation). */
  map: { mean: number; sd: number; min: number; max: number };
}

/** crossValidateMetric once per seed, without the final fit. */
export function seedSpread(X: Float32Array, dim: number, labels: readonly Label[], seeds: readonly number[], options: Omit<CvOptions, 'seed' | 'fitFinal'> = {}): SeedSpread {
  const choices = seeds.map((seed): SeedChoice => {
    const r = crossValidateMetric(X, dim, labels, { ...options, seed, fitFinal: false });
    return { seed, params: r.params, rerank: r.rerank, reranked: r.scores.reranked, rerankTies: r.ties.rerank };
  });
  const maps = choices.map((c) => c.reranked.map);
  const mean = maps.reduce((a, m) => a + m, 0) / maps.length;
  return {
    choices,
    distinctChoices: new Set(choices.map((c) => JSON.stringify([c.params, c.rerank]))).size,
    map: { mean, sd: Math.sqrt(maps.reduce((a, m) => a + (m - mean) ** 2, 0) / maps.length), min: Math.min(...maps), max: Math.max(...maps) },
  };
}
