/**
 * A classification head on frozen embeddings: multinomial logistic regression (softmax) with an
 * L2 penalty on the weights (not on the biases), trained by full-batch L-BFGS.
 *
 *   loss(W, b) = (1/n) Σ_i −log softmax(W x_i + b)[y_i] + (λ/2) ‖W‖²
 *   ∇_W = (1/n) (P − Y)ᵀ X + λ W,   ∇_b = (1/n) Σ_i (p_i − y_i)
 *
 * Why hand-written rather than an npm optimiser: the problem is small and convex (a few thousand
 * rows × ≤ 256 dims × ~100 classes), so L-BFGS from zero reaches the one optimum in tens of
 * iterations, and both products are the gemm metric/ already has (WebAssembly SIMD when large).
 * The registry's logistic-regression package (ml-logistic-regression 2.0.0) is one-vs-rest by
 * plain gradient descent on ml-matrix, with no multinomial loss and no L-BFGS; the registry has no
 * maintained standalone L-BFGS package; and this worktree shares main's node_modules, so a new
 * dependency would have to land on main first. Sixty lines of two-loop recursion are cheaper.
 *
 * Deterministic: the start is W = 0, b = 0 (the objective is strictly convex in W, so no random
 * start is needed and none is taken); every reduction runs in a fixed order; the products use
 * the kernel kernels.ts picks (record it with the scores, as cv.ts does).
 */
import { metricInputBug } from './errors.js';
import { gemm } from './kernels.js';

export interface HeadTraining {
  /** L2 penalty λ on the weights. */
  l2: number;
  /** L-BFGS iterations at most (default 100). */
  maxIterations?: number;
  /** Stop when the largest gradient component is below this (default 1e-5). */
  tolerance?: number;
  /** Pairs kept by L-BFGS (default 10). */
  memory?: number;
}

/** A trained head: logits = W x + b over `classes` classes of `dim`-dimensional inputs. */
export interface SoftmaxHead {
  dim: number;
  classes: number;
  /** classes × dim, row-major. */
  W: Float64Array;
  b: Float64Array;
}

/**
 * Loss and gradient at θ = [W (classes × dim), b (classes)] (exported for the gradient check).
 * `Xt`: X transposed (dim × n), when the caller keeps it across calls (the same values, laid out
 * once instead of once per call).
 */
export function softmaxLoss(theta: Float64Array, X: Float32Array, y: Int32Array, dim: number, classes: number, l2: number, Xt?: Float32Array): { loss: number; grad: Float64Array } {
  const n = y.length;
  const head = unpack(theta, dim, classes);
  const P = logits(head, X);
  const Pt = new Float64Array(n * classes);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (P[o + c] > max) max = P[o + c];
    const logit = P[o + y[i]];
    let z = 0;
    for (let c = 0; c < classes; c++) z += P[o + c] = Math.exp(P[o + c] - max);
    loss += max + Math.log(z) - logit;
    // (P − Y)ᵀ / n, written transposed (classes × n): the gradient product's left operand as is.
    for (let c = 0; c < classes; c++) Pt[c * n + i] = P[o + c] / z / n;
    Pt[y[i] * n + i] -= 1 / n;
  }
  loss /= n;
  // (P − Y)ᵀ X / n: classes × dim.
  const gW = gemm({ data: Pt, rows: classes, cols: n }, Xt ? { data: Xt, rows: dim, cols: n } : { data: X, rows: n, cols: dim, transpose: true });
  const grad = new Float64Array(theta.length);
  let penalty = 0;
  for (let j = 0; j < classes * dim; j++) {
    grad[j] = gW[j] + l2 * theta[j];
    penalty += theta[j] * theta[j];
  }
  for (let i = 0; i < n; i++) for (let c = 0; c < classes; c++) grad[classes * dim + c] += Pt[c * n + i];
  return { loss: loss + 0.5 * l2 * penalty, grad };
}

/** Train on rows X (n × dim) with classes y[i] in 0..classes−1. */
export function trainSoftmax(X: Float32Array, dim: number, y: Int32Array, classes: number, opts: HeadTraining): SoftmaxHead {
  if (X.length !== y.length * dim) throw metricInputBug(`trainSoftmax: ${X.length} values for ${y.length} rows of ${dim}`);
  for (const c of y) if (!(c >= 0 && c < classes)) throw metricInputBug(`trainSoftmax: class ${c} outside 0..${classes - 1}`);
  if (!(opts.l2 >= 0)) throw metricInputBug(`trainSoftmax: l2 must be ≥ 0, got ${opts.l2}`);
  const Xt = new Float32Array(X.length);
  for (let i = 0; i < y.length; i++) for (let j = 0; j < dim; j++) Xt[j * y.length + i] = X[i * dim + j];
  const f = (theta: Float64Array) => softmaxLoss(theta, X, y, dim, classes, opts.l2, Xt);
  const theta = lbfgs(f, new Float64Array(classes * dim + classes), opts.maxIterations ?? 100, opts.tolerance ?? 1e-5, opts.memory ?? 10);
  return unpack(theta, dim, classes);
}

/** Class posteriors of rows X (n × dim): n × classes, each row summing to 1. */
export function predictProba(head: SoftmaxHead, X: Float32Array): Float64Array {
  const P = logits(head, X);
  const C = head.classes;
  for (let o = 0; o < P.length; o += C) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) if (P[o + c] > max) max = P[o + c];
    let z = 0;
    for (let c = 0; c < C; c++) z += (P[o + c] = Math.exp(P[o + c] - max));
    for (let c = 0; c < C; c++) P[o + c] /= z;
  }
  return P;
}

function logits(head: SoftmaxHead, X: Float32Array): Float64Array {
  const n = X.length / head.dim;
  const L = gemm({ data: X, rows: n, cols: head.dim }, { data: head.W, rows: head.classes, cols: head.dim });
  for (let i = 0; i < n; i++) for (let c = 0; c < head.classes; c++) L[i * head.classes + c] += head.b[c];
  return L;
}

function unpack(theta: Float64Array, dim: number, classes: number): SoftmaxHead {
  return { dim, classes, W: theta.slice(0, classes * dim), b: theta.slice(classes * dim) };
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * L-BFGS (two-loop recursion) with a backtracking Armijo line search (exported for
 * bench/head-mlp-probe.ts, which trains an MLP head with it); the first step is scaled
 * to unit length, later ones start at 1 (the curvature pairs scale them). A pair with no
 * positive curvature (s·y ≤ 0, e.g. float32 rounding near the optimum) is not kept.
 */
export function lbfgs(f: (x: Float64Array) => { loss: number; grad: Float64Array }, x: Float64Array, maxIter: number, tol: number, m: number): Float64Array {
  let { loss, grad } = f(x);
  const S: Float64Array[] = [];
  const Yp: Float64Array[] = [];
  const rho: number[] = [];
  for (let iter = 0; iter < maxIter; iter++) {
    let gmax = 0;
    for (const g of grad) gmax = Math.max(gmax, Math.abs(g));
    if (gmax < tol) break;
    const d = Float64Array.from(grad, (g) => -g);
    const alpha: number[] = [];
    for (let j = S.length - 1; j >= 0; j--) {
      alpha[j] = rho[j] * dot(S[j], d);
      for (let i = 0; i < d.length; i++) d[i] -= alpha[j] * Yp[j][i];
    }
    const gamma = S.length ? dot(S[S.length - 1], Yp[S.length - 1]) / dot(Yp[Yp.length - 1], Yp[Yp.length - 1]) : 1 / Math.sqrt(dot(grad, grad));
    for (let i = 0; i < d.length; i++) d[i] *= gamma;
    for (let j = 0; j < S.length; j++) {
      const beta = rho[j] * dot(Yp[j], d);
      for (let i = 0; i < d.length; i++) d[i] += (alpha[j] - beta) * S[j][i];
    }
    const slope = dot(grad, d);
    if (!(slope < 0)) break; // not a descent direction: the gradient is at rounding level
    let step = 1;
    let next: { loss: number; grad: Float64Array } | null = null;
    let xNew = x;
    for (let tries = 0; tries < 30; tries++) {
      xNew = Float64Array.from(x, (v, i) => v + step * d[i]);
      const r = f(xNew);
      if (r.loss <= loss + 1e-4 * step * slope) {
        next = r;
        break;
      }
      step *= 0.5;
    }
    if (!next) break;
    const s = Float64Array.from(xNew, (v, i) => v - x[i]);
    const yv = Float64Array.from(next.grad, (g, i) => g - grad[i]);
    const sy = dot(s, yv);
    if (sy > 0) {
      S.push(s);
      Yp.push(yv);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Yp.shift();
        rho.shift();
      }
    }
    const improvement = loss - next.loss;
    x = xNew;
    loss = next.loss;
    grad = next.grad;
    if (improvement <= 1e-12 * Math.max(1, Math.abs(loss))) break;
  }
  return x;
}

/** A head trained on metric-space rows, with the input scale it expects. */
export interface ScaledHead {
  model: SoftmaxHead;
  /** Inputs are multiplied by this first: it makes the mean squared training row norm 1, so one λ grid fits every metric space. */
  featureScale: number;
}

/** Train on the labelled rows of T (n × r; classOf −1 = unlabelled, skipped). */
export function trainScaledHead(T: Float32Array, r: number, classOf: Int32Array, classes: number, opts: HeadTraining): ScaledHead {
  let rows = 0;
  let squares = 0;
  for (let i = 0; i < classOf.length; i++) {
    if (classOf[i] < 0) continue;
    rows++;
    for (let j = 0; j < r; j++) squares += T[i * r + j] * T[i * r + j];
  }
  if (rows === 0) throw metricInputBug('trainScaledHead: no labelled rows');
  const featureScale = squares > 0 ? 1 / Math.sqrt(squares / rows) : 1;
  const X = new Float32Array(rows * r);
  const y = new Int32Array(rows);
  let at = 0;
  for (let i = 0; i < classOf.length; i++) {
    if (classOf[i] < 0) continue;
    for (let j = 0; j < r; j++) X[at * r + j] = T[i * r + j] * featureScale;
    y[at++] = classOf[i];
  }
  return { model: trainSoftmax(X, r, y, classes, opts), featureScale };
}

/** Each class's share of the labelled rows (classOf −1 skipped); 0 for a class without rows. */
export function classShares(classOf: Int32Array, classes: number): Float64Array {
  const shares = new Float64Array(classes);
  let rows = 0;
  for (const c of classOf) {
    if (c < 0) continue;
    shares[c]++;
    rows++;
  }
  if (rows > 0) for (let c = 0; c < classes; c++) shares[c] /= rows;
  return shares;
}

/**
 * The head with its training prior divided out of its posterior to the power β,
 * p'(c|x) ∝ p(c|x) / π_c^β (post-hoc logit adjustment, Menon et al. 2021): the biases shifted by
 * −β·log π_c. A head fitted to a long-tailed gallery leans towards its big classes; the
 * cross-validation chooses β (0 returns the head itself). A class without training rows keeps
 * its bias.
 */
export function dividePrior(h: ScaledHead, shares: Float64Array, beta: number): ScaledHead {
  if (beta === 0) return h;
  if (shares.length !== h.model.classes) throw metricInputBug(`dividePrior: ${shares.length} shares for ${h.model.classes} classes`);
  const b = Float64Array.from(h.model.b, (v, c) => (shares[c] > 0 ? v - beta * Math.log(shares[c]) : v));
  return { ...h, model: { ...h.model, b } };
}

/** Posteriors of rows T (n × r) under a scaled head: n × classes. */
export function scaledPosteriors(h: ScaledHead, T: Float32Array): Float64Array {
  return predictProba(h.model, Float32Array.from(T, (v) => v * h.featureScale));
}

/**
 * A head's training set with augmented views as extra rows: the rows T (n × r) followed by each
 * view's rows (n × r each: the same items in the same order, mapped into the same space), the
 * classes repeated. The views teach the head what a mirrored or re-framed photo of a class looks
 * like; queries still reach it pooled.
 */
export function withViewRows(T: Float32Array, classOf: Int32Array, views: readonly Float32Array[]): { T: Float32Array; classOf: Int32Array } {
  if (views.length === 0) return { T, classOf };
  const out = new Float32Array(T.length * (1 + views.length));
  out.set(T);
  views.forEach((v, i) => {
    if (v.length !== T.length) throw metricInputBug(`withViewRows: a view has ${v.length} values, the rows ${T.length}`);
    out.set(v, (i + 1) * T.length);
  });
  const classes = new Int32Array(classOf.length * (1 + views.length));
  for (let i = 0; i <= views.length; i++) classes.set(classOf, i * classOf.length);
  return { T: out, classOf: classes };
}
