/**
 * Issue 13, "a small MLP if it pays": the softmax head (head.ts) against a one-hidden-layer MLP
 * head on the same frozen metric space, each trained on the pooled rows alone and with the flip
 * views as extra rows. Gallery only: per CV seed the split cross-validation makes (splitGallery,
 * 20 % of every class held out), the metric the collection's last fit chose (read from its
 * fit-report.json, fitted on the split's fitted part), the held-out items as queries. Reported
 * per head: held-out top-1 accuracy and log-loss of the posterior alone, and MAP@10 of the vote
 * fused with the posterior at the best of the head weights × votes the CV grid has.
 *
 * The MLP: h = relu(W1 x + b1), logits = W2 h + b2, softmax cross-entropy with an L2 penalty on
 * W1 and W2, full-batch L-BFGS (head.ts's, non-convex here: a seeded He start), features scaled as
 * the softmax head's (mean squared row norm 1). Not in the product: it is here to decide whether
 * it pays.
 *
 * `--prior b1,b2`: the softmax head with its class prior divided out post hoc, as the product
 * does it (head.ts dividePrior: p'(c|x) ∝ p(c|x) / π_c^β, π the training rows' class shares):
 * for long-tailed galleries, where the head favours the big classes. `--hidden ''`
 * skips the MLP. Each row reports the chain's MAP@10 at its best weight × vote (the CV's choice,
 * by MAP) and the class-balanced MAP@10 there.
 *
 *   node dist/bench/head-mlp-probe.js --gallery DIR [--seeds 1,2,3] [--hidden 256] [--l2 1e-4,1e-3] [--iterations 150] [--prior 0.5,1]
 */
import { parseArgs } from 'node:util';
import { galleryViewMatrices } from '../service/ensemble-space.js';
import { Collection } from '../store/collection.js';
import { fitMetric, indexLabels, inputScaleOf, Metric, scoreRetrieval, type CvResult } from '../metric/index.js';
import { rowsOf, splitGallery } from '../metric/cv-folds.js';
import { classShares, dividePrior, lbfgs, scaledPosteriors, trainScaledHead, withViewRows } from '../metric/head.js';
import { gemm } from '../metric/kernels.js';
import { Rng } from '../metric/random.js';
import { topS } from '../metric/shortlists.js';
import { scaleColumns } from '../metric/vectors.js';
import { neighboursOf, voteAndCut } from '../metric/shortlist-chain.js';
import type { VoteParams } from '../metric/rerank.js';

const { values: args } = parseArgs({
  options: {
    gallery: { type: 'string' },
    seeds: { type: 'string', default: '1,2,3' },
    hidden: { type: 'string', default: '256' },
    l2: { type: 'string', default: '1e-4,1e-3' },
    iterations: { type: 'string', default: '150' },
    prior: { type: 'string', default: '' },
  },
});
if (!args.gallery) throw new Error('--gallery DIR (a fitted collection, e.g. an eval cache gallery)');

interface Mlp {
  r: number;
  H: number;
  C: number;
  W1: Float64Array;
  b1: Float64Array;
  W2: Float64Array;
  b2: Float64Array;
}

function unpack(theta: Float64Array, r: number, H: number, C: number): Mlp {
  let o = 0;
  const take = (n: number) => theta.subarray(o, (o += n));
  return { r, H, C, W1: take(H * r), b1: take(H), W2: take(C * H), b2: take(C) };
}

function forward(m: Mlp, X: Float32Array): { Z1: Float64Array; A: Float64Array; L: Float64Array } {
  const n = X.length / m.r;
  const Z1 = gemm({ data: X, rows: n, cols: m.r }, { data: m.W1, rows: m.H, cols: m.r });
  const A = new Float64Array(Z1.length);
  for (let i = 0; i < n; i++) for (let h = 0; h < m.H; h++) A[i * m.H + h] = Math.max(0, (Z1[i * m.H + h] += m.b1[h]));
  const L = gemm({ data: A, rows: n, cols: m.H }, { data: m.W2, rows: m.C, cols: m.H });
  for (let i = 0; i < n; i++) for (let c = 0; c < m.C; c++) L[i * m.C + c] += m.b2[c];
  return { Z1, A, L };
}

function softmaxRows(L: Float64Array, C: number): void {
  for (let o = 0; o < L.length; o += C) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, L[o + c]);
    let z = 0;
    for (let c = 0; c < C; c++) z += L[o + c] = Math.exp(L[o + c] - max);
    for (let c = 0; c < C; c++) L[o + c] /= z;
  }
}

function mlpLoss(theta: Float64Array, X: Float32Array, y: Int32Array, r: number, H: number, C: number, l2: number) {
  const n = y.length;
  const m = unpack(theta, r, H, C);
  const { Z1, A, L: P } = forward(m, X);
  softmaxRows(P, C);
  let loss = 0;
  for (let i = 0; i < n; i++) loss -= Math.log(Math.max(P[i * C + y[i]], 1e-300));
  loss /= n;
  // dL = (P − Y)/n, n × C.
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) P[i * C + c] /= n;
    P[i * C + y[i]] -= 1 / n;
  }
  const grad = new Float64Array(theta.length);
  const g = unpack(grad, r, H, C);
  g.W2.set(gemm({ data: P, rows: n, cols: C, transpose: true }, { data: A, rows: n, cols: H, transpose: true }));
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) g.b2[c] += P[i * C + c];
  // dA = dL · W2 (n × H), through the ReLU.
  const dA = gemm({ data: P, rows: n, cols: C }, { data: m.W2, rows: C, cols: H, transpose: true });
  for (let j = 0; j < dA.length; j++) if (Z1[j] <= 0) dA[j] = 0;
  g.W1.set(gemm({ data: dA, rows: n, cols: H, transpose: true }, { data: X, rows: n, cols: r, transpose: true }));
  for (let i = 0; i < n; i++) for (let h = 0; h < H; h++) g.b1[h] += dA[i * H + h];
  let penalty = 0;
  for (const [w, gw] of [[m.W1, g.W1], [m.W2, g.W2]] as const) {
    for (let j = 0; j < w.length; j++) {
      penalty += w[j] * w[j];
      gw[j] += l2 * w[j];
    }
  }
  return { loss: loss + 0.5 * l2 * penalty, grad };
}

/** Train on rows T (n × r, classOf −1 skipped) and return posteriors of Q. */
function mlpPosteriors(T: Float32Array, r: number, classOf: Int32Array, C: number, Q: Float32Array, H: number, l2: number, iterations: number, seed: number): Float64Array {
  const keep = Array.from(classOf.keys()).filter((i) => classOf[i] >= 0);
  let squares = 0;
  for (const i of keep) for (let j = 0; j < r; j++) squares += T[i * r + j] ** 2;
  const scale = 1 / Math.sqrt(squares / keep.length);
  const X = new Float32Array(keep.length * r);
  keep.forEach((i, at) => {
    for (let j = 0; j < r; j++) X[at * r + j] = T[i * r + j] * scale;
  });
  const y = Int32Array.from(keep, (i) => classOf[i]);
  const theta = new Float64Array(H * r + H + C * H + C);
  const rng = new Rng(seed);
  const m = unpack(theta, r, H, C);
  for (let j = 0; j < m.W1.length; j++) m.W1[j] = rng.normal() * Math.sqrt(2 / r);
  for (let j = 0; j < m.W2.length; j++) m.W2[j] = rng.normal() * Math.sqrt(1 / H);
  const fitted = lbfgs((t) => mlpLoss(t, X, y, r, H, C, l2), theta, iterations, 1e-6, 10);
  const { L } = forward(unpack(fitted, r, H, C), Float32Array.from(Q, (v) => v * scale));
  softmaxRows(L, C);
  return L;
}

const gallery = await Collection.open(args.gallery);
const fitReport = JSON.parse((await gallery.readFile('fit-report.json'))!.toString('utf8')) as { cv: Omit<CvResult, 'artifact'> };
const { params, blockWeights, grid } = fitReport.cv;
const views = gallery.manifest.views;
const { pooled: G, perView: V } = galleryViewMatrices(gallery, views);
const labels = gallery.allItems().map((i) => i.label);
const classes = indexLabels(labels, labels.length);
const C = classes.names.length;
const classIndex = new Map(classes.names.map((name, i) => [name, i]));
const dim = G.dim;
const blocks = gallery.manifest.models.map((m) => m.dim);
const scale = blockWeights ? inputScaleOf({ dims: blocks, weights: blockWeights }) : null;
const weighted = (X: Float32Array) => (scale ? scaleColumns(X, dim, scale) : X);
const votes: (VoteParams | null)[] = [null];
for (const k of grid.voteKs) for (const tau of grid.voteTaus) votes.push({ k, tau, minShare: 0 });
console.log(`metric ${params.method} pca ${params.pcaDim} α ${params.shrinkage} ${params.weighting}; weights ${JSON.stringify(blockWeights)}; ${C} classes; ${views.join('+')}`);
console.log('| seed | head | training rows | top-1 | log-loss | best chain MAP@10 (weight, vote) | its class-balanced MAP@10 | train s |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
const list = (v: string | undefined) => (v ?? '').split(',').filter(Boolean).map(Number);

const Xw = weighted(G.data);
const Vw = V.map(weighted);
for (const seed of args.seeds.split(',').map(Number)) {
  const split = splitGallery(classes, { holdout: 0.2, seed });
  const metric = new Metric(fitMetric(rowsOf(Xw, dim, split.train), dim, Array.from(split.train, (i) => labels[i]), params));
  const Tc = metric.transform(rowsOf(Xw, dim, split.train));
  const Tq = metric.transform(rowsOf(Xw, dim, split.heldOut));
  const viewsT = Vw.map((v) => metric.transform(rowsOf(v, dim, split.train)));
  const galleryClass = Int32Array.from(split.train, (i) => classes.classOf[i]);
  const queryClass = Int32Array.from(split.heldOut, (i) => classes.classOf[i]);
  const lists = topS(metric.scoreMatrix(Tq, Tc), split.heldOut.length, split.train.length, 100);
  const labelOf = (id: number) => (galleryClass[id] >= 0 ? classes.names[galleryClass[id]] : null);
  const shortlists = Array.from({ length: lists.queries }, (_, q) => neighboursOf(lists, q, labelOf));
  const inTrain = new Map<string, number>();
  for (const c of galleryClass) if (c >= 0) inTrain.set(classes.names[c], (inTrain.get(classes.names[c]) ?? 0) + 1);

  const chainMap = (P: Float64Array | null, weight: number, vote: VoteParams | null) => {
    const outcomes = shortlists.map((sl, q) => {
      const label = classes.names[queryClass[q]];
      const prior = P ? { weight, probability: (l: string) => P[q * C + (classIndex.get(l) as number)] } : null;
      return { label, retrievedLabels: voteAndCut(sl, vote, { k: 10 }, prior).map((nb) => nb.label ?? ''), relevantTotal: inTrain.get(label) ?? 0 };
    });
    return scoreRetrieval(outcomes, 10);
  };
  const report = (head: string, rows: string, P: Float64Array | null, seconds: number) => {
    let top1 = NaN;
    let nll = NaN;
    let best = { map: -1, cb: -1, note: '' };
    if (P) {
      let right = 0;
      nll = 0;
      for (let q = 0; q < queryClass.length; q++) {
        let arg = 0;
        for (let c = 1; c < C; c++) if (P[q * C + c] > P[q * C + arg]) arg = c;
        if (arg === queryClass[q]) right++;
        nll -= Math.log(Math.max(P[q * C + queryClass[q]], 1e-300));
      }
      top1 = right / queryClass.length;
      nll /= queryClass.length;
      for (const weight of grid.headWeights) for (const vote of votes) {
        const s = chainMap(P, weight, vote);
        if (s.map > best.map) best = { map: s.map, cb: s.classBalancedMap, note: `w ${weight}, ${vote ? `K ${vote.k} τ ${vote.tau}` : 'no vote'}` };
      }
    } else {
      for (const vote of votes) {
        const s = chainMap(null, 0, vote);
        if (s.map > best.map) best = { map: s.map, cb: s.classBalancedMap, note: vote ? `K ${vote.k} τ ${vote.tau}` : 'no vote' };
      }
    }
    console.log(`| ${seed} | ${head} | ${rows} | ${top1.toFixed(4)} | ${nll.toFixed(4)} | ${best.map.toFixed(4)} (${best.note}) | ${best.cb.toFixed(4)} | ${seconds.toFixed(1)} |`);
  };
  report('none (vote only)', '-', null, 0);
  for (const withViews of [false, true]) {
    const training = withViewRows(Tc, galleryClass, withViews ? viewsT : []);
    const rows = withViews ? `pooled + ${views.join(' + ')}` : 'pooled';
    for (const l2 of grid.headL2s) {
      const t0 = performance.now();
      const head = trainScaledHead(training.T, metric.dim, training.classOf, C, { l2, maxIterations: grid.headIterations });
      report(`softmax λ ${l2}`, rows, scaledPosteriors(head, Tq), (performance.now() - t0) / 1000);
      const shares = classShares(training.classOf, C);
      for (const beta of list(args.prior)) report(`softmax λ ${l2}, prior^-${beta} divided out`, rows, scaledPosteriors(dividePrior(head, shares, beta), Tq), 0);
    }
    for (const H of list(args.hidden)) {
      for (const l2 of list(args.l2)) {
        const t0 = performance.now();
        const P = mlpPosteriors(training.T, metric.dim, training.classOf, C, Tq, H, l2, Number(args.iterations), seed);
        report(`MLP ${H} hidden, λ ${l2}`, rows, P, (performance.now() - t0) / 1000);
      }
    }
  }
}
gallery.close();
