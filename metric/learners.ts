/**
 * The GLRT learners, in the (PCA) coordinates their ClassStats were computed in. Each returns a
 * p × r linear map L applied to centred coordinates (row convention u = (y − ȳ)·L) and how two
 * mapped vectors are scored:
 *
 *   'l2'        score = −‖u_q − u_c‖²                                  (KISSME, XQDA: M = L Lᵀ)
 *   'quadratic' score = 2 u_q·u_c − Σ_k w_k (u_qk² + u_ck²)            (Joint Bayesian)
 */
import { ImsearchError } from '../errors/error-codes.js';
import { congruence, inverseFromEig, inverseSqrtFromEig, inverseSqrtSpd, mul, shrink, symEig, type SymEig } from './linalg.js';
import type { ClassStats, WithinWeighting } from './stats.js';

export interface Learned {
  /** p × r row-major. */
  L: Float64Array;
  p: number;
  r: number;
  kind: 'l2' | 'quadratic';
  /** Per-output-dimension weights of the quadratic score (kind 'quadratic' only). */
  normWeights: Float64Array | null;
  /** Diagnostics for the CV table / manifests. */
  info: Record<string, number>;
}

/** Relative eigenvalue below which a learned direction is dropped. */
const KEEP_TOL = 1e-9;

function checkShrinkage(alpha: number): void {
  if (!(alpha >= 0 && alpha <= 1)) throw new ImsearchError('BAD_USER_INPUT', `shrinkage must be in [0, 1], got ${alpha}`);
}

/**
 * Memo of the decompositions learners share for one ClassStats (one fold, PCA dimension and
 * whitening): the shrunk Σ_S / Σ_D, their eigendecompositions and XQDA's generalised eigenproblem
 * depend only on (weighting, shrinkage), not on the method or the XQDA subspace cap, so a grid
 * that tries KISSME and XQDA at several caps decomposes each once. The memo returns the very
 * arrays the first computation produced: a learner with a memo gives bit-identical output to one
 * without. Callers must not modify what it returns.
 */
export interface LearnMemo {
  get<T>(key: string, make: () => T): T;
}

/** A memo that remembers nothing (every call computes). */
const NO_MEMO: LearnMemo = { get: (_key, make) => make() };

/** A fresh memo (one per ClassStats; fit-context.ts keys it by dimension and whitening). */
export function learnMemo(): LearnMemo {
  const store = new Map<string, unknown>();
  return {
    get<T>(key: string, make: () => T): T {
      if (store.has(key)) return store.get(key) as T;
      const v = make();
      store.set(key, v);
      return v;
    },
  };
}

/** Shrunk Σ_S and Σ_D. */
export function pairCovariances(stats: ClassStats, weighting: WithinWeighting, shrinkage: number): { sigmaS: Float64Array; sigmaD: Float64Array } {
  checkShrinkage(shrinkage);
  return {
    sigmaS: shrink(stats.sigmaS(weighting), stats.p, shrinkage),
    sigmaD: shrink(stats.sigmaD(), stats.p, shrinkage),
  };
}

function shrunkSigmaS(stats: ClassStats, weighting: WithinWeighting, shrinkage: number, memo: LearnMemo): Float64Array {
  return memo.get(`sigmaS/${weighting}/${shrinkage}`, () => shrink(stats.sigmaS(weighting), stats.p, shrinkage));
}

function shrunkSigmaD(stats: ClassStats, shrinkage: number, memo: LearnMemo): Float64Array {
  return memo.get(`sigmaD/${shrinkage}`, () => shrink(stats.sigmaD(), stats.p, shrinkage));
}

function eigSigmaS(stats: ClassStats, weighting: WithinWeighting, shrinkage: number, memo: LearnMemo): SymEig {
  return memo.get(`eigS/${weighting}/${shrinkage}`, () => symEig(shrunkSigmaS(stats, weighting, shrinkage, memo), stats.p));
}

/** KISSME: M = Σ_S⁻¹ − Σ_D⁻¹ clipped to the PSD cone, L = V_+ √Λ_+. */
export function learnKissme(stats: ClassStats, opts: { weighting: WithinWeighting; shrinkage: number }, memo: LearnMemo = NO_MEMO): Learned {
  checkShrinkage(opts.shrinkage);
  const p = stats.p;
  const iS = memo.get(`invS/${opts.weighting}/${opts.shrinkage}`, () => inverseFromEig(eigSigmaS(stats, opts.weighting, opts.shrinkage, memo), p));
  const iD = memo.get(`invD/${opts.shrinkage}`, () => inverseFromEig(symEig(shrunkSigmaD(stats, opts.shrinkage, memo), p), p));
  const M = new Float64Array(p * p);
  for (let i = 0; i < M.length; i++) M[i] = iS[i] - iD[i];
  // PSD clip: negative eigenvalues to zero (linalg.psdClip, without forming the clipped matrix).
  const eig = symEig(M, p);
  let clipped = 0;
  for (let k = 0; k < p; k++) {
    if (eig.values[k] < 0) {
      clipped++;
      eig.values[k] = 0;
    }
  }
  const top = eig.values[0] > 0 ? eig.values[0] : 0;
  let r = 0;
  while (r < p && eig.values[r] > top * KEEP_TOL && eig.values[r] > 0) r++;
  const L = new Float64Array(p * r);
  for (let k = 0; k < r; k++) {
    const s = Math.sqrt(eig.values[k]);
    for (let i = 0; i < p; i++) L[i * r + k] = eig.vectors[i * p + k] * s;
  }
  return { L, p, r, kind: 'l2', normWeights: null, info: { clippedEigenvalues: clipped, rank: r } };
}

/**
 * XQDA: W = leading generalised eigenvectors of (Σ_D, Σ_S) (WᵀΣ_S W = I, WᵀΣ_D W = Λ), keeping
 * eigenvalues > 1 ('auto') or the top `subspaceDim` of those; inside, M = I − Λ⁻¹ (PSD by
 * construction), so L = W √(1 − 1/Λ).
 */
export function learnXqda(stats: ClassStats, opts: { weighting: WithinWeighting; shrinkage: number; subspaceDim: number | 'auto' }, memo: LearnMemo = NO_MEMO): Learned {
  checkShrinkage(opts.shrinkage);
  const p = stats.p;
  // The generalised eigenproblem does not depend on the subspace cap: one per (weighting, shrinkage).
  const { e, W } = memo.get(`xqda/${opts.weighting}/${opts.shrinkage}`, () => {
    const R = inverseSqrtFromEig(eigSigmaS(stats, opts.weighting, opts.shrinkage, memo), p);
    const C = congruence(shrunkSigmaD(stats, opts.shrinkage, memo), p, R, p);
    const e = symEig(C, p);
    return { e, W: mul(R, p, p, e.vectors, p) }; // columns of W: generalised eigenvectors
  });
  let above = 0;
  while (above < p && e.values[above] > 1) above++;
  const r = opts.subspaceDim === 'auto' ? above : Math.min(above, Math.max(1, Math.floor(opts.subspaceDim)));
  const L = new Float64Array(p * r);
  for (let k = 0; k < r; k++) {
    const s = Math.sqrt(1 - 1 / e.values[k]);
    for (let i = 0; i < p; i++) L[i * r + k] = W[i * p + k] * s;
  }
  return { L, p, r, kind: 'l2', normWeights: null, info: { eigenvaluesAboveOne: above, topEigenvalue: e.values[0] ?? 0 } };
}

/**
 * Joint Bayesian: S_ε = (shrunk) within-class covariance (Σ_S / 2 with the chosen weighting),
 * S_μ = (shrunk) covariance of class means, optionally refined by EM. In the basis T that makes
 * S_ε = I and S_μ = Λ (generalised eigenproblem) both A and G are diagonal:
 *   g_k = λ_k / (2λ_k + 1)   (−G),   a_k = −λ_k² / ((λ_k + 1)(2λ_k + 1))   (A)
 * so r(x₁, x₂) = Σ a_k (z₁ₖ² + z₂ₖ²) + 2 Σ g_k z₁ₖ z₂ₖ; with u = √g ⊙ z this is
 * 2 u₁·u₂ − Σ w_k (u₁ₖ² + u₂ₖ²), w_k = λ_k / (λ_k + 1).
 */
export function learnJointBayesian(stats: ClassStats, opts: { weighting: WithinWeighting; shrinkage: number; emIterations: number }): Learned {
  checkShrinkage(opts.shrinkage);
  const p = stats.p;
  const Se = shrink(stats.sigmaS(opts.weighting).map((v) => v / 2), p, opts.shrinkage);
  const Smu = shrink(stats.classMeanCovariance(), p, opts.shrinkage);
  // T = Se^{-1/2} U, with U from the eigenproblem of Se^{-1/2} Smu Se^{-1/2}.
  const R = inverseSqrtSpd(Se, p);
  let e = symEig(congruence(Smu, p, R, p), p);
  let T = mul(R, p, p, e.vectors, p);
  for (let it = 0; it < opts.emIterations; it++) {
    const { sMu, sEps } = jointBayesianEmStep(stats, T, e.values);
    shrink(sEps, p, opts.shrinkage);
    shrink(sMu, p, opts.shrinkage);
    const R2 = inverseSqrtSpd(sEps, p);
    e = symEig(congruence(sMu, p, R2, p), p);
    T = mul(T, p, p, mul(R2, p, p, e.vectors, p), p);
  }
  const top = Math.max(e.values[0] ?? 0, 0);
  let r = 0;
  while (r < p && e.values[r] > top * KEEP_TOL && e.values[r] > 0) r++;
  const L = new Float64Array(p * r);
  const w = new Float64Array(r);
  for (let k = 0; k < r; k++) {
    const lambda = e.values[k];
    const g = lambda / (2 * lambda + 1);
    w[k] = lambda / (lambda + 1);
    const s = Math.sqrt(g);
    for (let i = 0; i < p; i++) L[i * r + k] = T[i * p + k] * s;
  }
  return { L, p, r, kind: 'quadratic', normWeights: w, info: { rank: r, topEigenvalue: top, emIterations: opts.emIterations } };
}

/**
 * One EM step of Joint Bayesian in the current diagonal basis (S_ε = I, S_μ = diag(λ)):
 * posterior class means μ̂_c = λ/(n_c λ + 1) ⊙ Tᵀ s_c, residuals ε_i = z_i − μ̂_c; returns the
 * new S_μ = mean_c μ̂_c μ̂_cᵀ and S_ε = mean_i ε_i ε_iᵀ, both in the current basis.
 */
function jointBayesianEmStep(stats: ClassStats, T: Float64Array, lambda: Float64Array): { sMu: Float64Array; sEps: Float64Array } {
  const p = stats.p;
  const C = stats.classes;
  const sz = mul(stats.sums, C, p, T, p); // class sums in z coordinates (C × p)
  const Qz = congruence(stats.moment('total'), p, T, p);
  const sMu = new Float64Array(p * p);
  const sEps = Float64Array.from(Qz);
  let classes = 0;
  const mu = new Float64Array(p);
  for (let c = 0; c < C; c++) {
    const n = stats.counts[c];
    if (n < 1) continue;
    classes++;
    for (let k = 0; k < p; k++) mu[k] = (Math.max(lambda[k], 0) / (n * Math.max(lambda[k], 0) + 1)) * sz[c * p + k];
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        const mm = mu[i] * mu[j];
        sMu[i * p + j] += mm;
        sEps[i * p + j] += n * mm - sz[c * p + i] * mu[j] - mu[i] * sz[c * p + j];
      }
    }
  }
  for (let i = 0; i < p * p; i++) {
    sMu[i] /= Math.max(classes, 1);
    sEps[i] /= Math.max(stats.N, 1);
  }
  return { sMu, sEps };
}
