/**
 * Issue 13 exploration on one CV fold of the cached gallery (no queries): the chosen metric at
 * given ensemble weights, the vote search, and with `head` the softmax head's held-out accuracy
 * and the fused vote's MAP@10 for a few λ (env L2, comma-separated) and weights.
 *
 *   [L2=1e-5,1e-4] [ITERS=100] node dist/bench/issue13-explore.js GALLERY_DIR [seed] [w1,w2,w3] [head]
 */
import { Collection } from '../store/collection.js';
import { galleryMatrix } from '../service/ensemble-space.js';
import { indexLabels } from '../metric/labels.js';
import { ScatterCache } from '../metric/pca.js';
import { makeFolds } from '../metric/cv-folds.js';
import { searchMetricParams } from '../metric/cv-metric-search.js';
import { searchReranking } from '../metric/cv-rerank-search.js';
import { defaultGrid } from '../metric/cv-grid.js';
import { trainSoftmax, predictProba } from '../metric/head.js';
import { neighboursOf, voteAndCut } from '../metric/shortlist-chain.js';
import { foldRetrieval } from '../metric/cv-fold-scores.js';

const dir = process.argv[2];
const seed = Number(process.argv[3] ?? 1);
const weights = (process.argv[4] ?? '1,1,1').split(',').map(Number);
const c = await Collection.open(dir);
const models = c.manifest.models.map((m, i) => ({ ...m, weight: weights[i] }));
const t0 = performance.now();
const { data: X, dim } = galleryMatrix(c, c.manifest.views, models);
const labels = c.allItems().map((i) => i.label);
const classes = indexLabels(labels, labels.length);
const grid = { ...defaultGrid({ n: 4600, d: dim, labelled: 4600, classes: 101, medianClassSize: 30, shortlist: 100 }), methods: ['jointBayesian' as const], pcaDims: [256], shrinkages: [0.1], weightings: ['classes' as const], normalize: [false] };
const scatter = new ScatterCache(X, dim);
const folds = makeFolds(X, dim, classes, { folds: 1, holdout: 0.2, seed, maxPcaDim: 256, scatter });
const t1 = performance.now();
const ms = searchMetricParams({ X, dim, folds, names: classes.names, grid, sample: { n: X.length / dim, d: dim, labelled: 4627, classes: 101 }, k: 10, shortlist: 100, selectBy: 'map' });
const rr = searchReranking({ chosen: ms.chosen, folds, names: classes.names, grid, k: 10, selectBy: 'map' });
const t2 = performance.now();
console.log(`weights ${weights} seed ${seed}: metric ${ms.chosen.row.map.toFixed(4)} reranked ${rr.best.map.toFixed(4)} ${JSON.stringify(rr.best.rerank)}; folds ${((t1 - t0) / 1000).toFixed(1)} s, search ${((t2 - t1) / 1000).toFixed(1)} s`);
if (process.argv[5] === 'head') {
  const f = folds[0];
  const sp = ms.chosen.spaces[0];
  const list = ms.chosen.lists[0];
  // scale features so mean squared norm is 1
  let ss = 0;
  for (const v of sp.Tc) ss += v * v;
  const scale = 1 / Math.sqrt(ss / (sp.Tc.length / sp.r));
  const Tc = Float32Array.from(sp.Tc, (v) => v * scale);
  const Tq = Float32Array.from(sp.Tq, (v) => v * scale);
  for (const l2 of (process.env.L2 ?? "1e-5").split(",").map(Number)) {
    const th = performance.now();
    const head = trainSoftmax(Tc, sp.r, f.galleryClass, classes.names.length, { l2, maxIterations: Number(process.env.ITERS ?? 100) });
    const P = predictProba(head, Tq);
    const C = classes.names.length;
    let acc = 0;
    for (let q = 0; q < f.queryClass.length; q++) {
      let b = 0;
      for (let cc = 1; cc < C; cc++) if (P[q * C + cc] > P[q * C + b]) b = cc;
      if (b === f.queryClass[q]) acc++;
    }
    const labelOf = (id: number) => classes.names[f.galleryClass[id]];
    const line = [];
    for (const w of [0, 0.25, 0.5, 1, 2, 4, 1000]) {
      const ranked = Array.from({ length: list.queries }, (_, q) => {
        const prior = { weight: w, probability: (label: string) => P[q * C + classes.names.indexOf(label)] };
        return voteAndCut(neighboursOf(list, q, labelOf), rr.best.rerank.vote, { k: 10 }, prior).map((n) => n.id);
      });
      line.push(`w ${w}: ${foldRetrieval(f, classes.names, (q) => ranked[q], 10).map.toFixed(4)}`);
    }
    console.log(`l2 ${l2}: acc ${(acc / f.queryClass.length).toFixed(4)} train ${((performance.now() - th) / 1000).toFixed(1)} s; ${line.join(', ')}`);
  }
}
c.close();
