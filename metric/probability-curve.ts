/**
 * Score → probability of the same class, from the calibration pairs (held-out gallery pairs,
 * never queries): isotonic regression (pool adjacent violators), so a higher score never gets a
 * lower probability, compressed to a few knots that a manifest can carry and interpolated
 * linearly between them. The thresholds of calibration.ts answer "which cut keeps precision p";
 * this answers "how likely is this one result right".
 */
import { metricInputBug } from './errors.js';

export interface ProbabilityCurve {
  /** Ascending knot scores. */
  scores: number[];
  /** Non-decreasing probabilities at the knots. */
  probabilities: number[];
}

interface Block {
  n: number;
  sumScore: number;
  positives: number;
}

/** Isotonic fit of same ~ score, at most `maxKnots` knots (each the mean score and same-class rate of a run of pairs). */
export function fitProbabilityCurve(scores: ArrayLike<number>, same: ArrayLike<boolean | number>, maxKnots = 32): ProbabilityCurve {
  if (scores.length !== same.length) throw metricInputBug(`fitProbabilityCurve: ${scores.length} scores but ${same.length} same-class flags`);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
  const blocks: Block[] = [];
  for (let i = 0; i < n; ) {
    // Equal scores are one block: the curve cannot tell them apart.
    const s = scores[order[i]];
    const b: Block = { n: 0, sumScore: 0, positives: 0 };
    for (; i < n && scores[order[i]] === s; i++) {
      b.n++;
      b.sumScore += s;
      if (same[order[i]]) b.positives++;
    }
    blocks.push(b);
    while (blocks.length > 1 && rate(blocks[blocks.length - 2]) >= rate(blocks[blocks.length - 1])) {
      const last = blocks.pop()!;
      merge(blocks[blocks.length - 1], last);
    }
  }
  // Merging neighbouring blocks of a non-decreasing sequence keeps it non-decreasing.
  const knots: Block[] = [];
  const per = n / Math.max(1, maxKnots);
  let seen = 0;
  for (const b of blocks) {
    const open = knots[knots.length - 1];
    if (open && Math.floor((seen - 1) / per) === Math.floor((seen + b.n - 1) / per)) merge(open, b);
    else knots.push({ ...b });
    seen += b.n;
  }
  return { scores: knots.map((b) => b.sumScore / b.n), probabilities: knots.map(rate) };
}

/** The curve at a score: linear between knots, flat beyond the ends; null for an empty curve. */
export function probabilityAt(curve: ProbabilityCurve, score: number): number | null {
  const { scores: s, probabilities: p } = curve;
  if (!s.length) return null;
  if (score <= s[0]) return p[0];
  if (score >= s[s.length - 1]) return p[p.length - 1];
  let hi = 1;
  while (s[hi] < score) hi++;
  const t = (score - s[hi - 1]) / (s[hi] - s[hi - 1]);
  return p[hi - 1] + t * (p[hi] - p[hi - 1]);
}

function rate(b: Block): number {
  return b.positives / b.n;
}

function merge(into: Block, b: Block): void {
  into.n += b.n;
  into.sumScore += b.sumScore;
  into.positives += b.positives;
}
