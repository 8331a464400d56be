/**
 * Issue 13 exploration (gallery only): does the head gain from the flip views as extra training
 * rows? One CV fold, the chosen metric (JB, PCA 256, shrinkage 0.1, class-weighted), the head
 * trained on (a) the pooled rows, (b) the pooled + orig-only + flip-only rows; then fused into
 * the chosen vote. Usage: node dist/bench/issue13-flip-rows.js GALLERY_COLLECTION_DIR [seed]
 */
import { Collection } from '../store/collection.js';
import { galleryMatrix } from '../service/ensemble-space.js';
import { indexLabels } from '../metric/labels.js';
import { ScatterCache, pcaProject } from '../metric/pca.js';
import { makeFolds, rowsOf } from '../metric/cv-folds.js';
import { searchMetricParams } from '../metric/cv-metric-search.js';
import { searchReranking } from '../metric/cv-rerank-search.js';
import { defaultGrid } from '../metric/cv-grid.js';
import { applyLearnedMap } from '../metric/fit-context.js';
import { scaledPosteriors, trainScaledHead } from '../metric/head.js';
import { neighboursOf, voteAndCut } from '../metric/shortlist-chain.js';
import { foldRetrieval } from '../metric/cv-fold-scores.js';

const c = await Collection.open(process.argv[2]);
const seed = Number(process.argv[3] ?? 1);
const { data: X, dim } = galleryMatrix(c, c.manifest.views);
const views = [galleryMatrix(c, ['orig']).data, galleryMatrix(c, ['flip']).data];
const labels = c.allItems().map((i) => i.label);
const classes = indexLabels(labels, labels.length);
const grid = { ...defaultGrid({ n: 4600, d: dim, labelled: 4600, classes: 101, medianClassSize: 30, shortlist: 100 }), methods: ['jointBayesian' as const], pcaDims: [256], shrinkages: [0.1], weightings: ['classes' as const], normalize: [false] };
const folds = makeFolds(X, dim, classes, { folds: 1, holdout: 0.2, seed, maxPcaDim: 256, scatter: new ScatterCache(X, dim) });
const ms = searchMetricParams({ X, dim, folds, names: classes.names, grid, sample: { n: X.length / dim, d: dim, labelled: 4627, classes: 101 }, k: 10, shortlist: 100, selectBy: 'map' });
const rr = searchReranking({ chosen: ms.chosen, folds, names: classes.names, grid, k: 10, selectBy: 'map' });
const f = folds[0];
const sp = ms.chosen.spaces[0];
const map = f.ctx.learn({ ...ms.chosen.row.params, normalize: false });
const extra = views.map((V) => rowsOf(applyLearnedMap(map, pcaProject(f.ctx.pca!, V), f.pDim, false), sp.r, f.split.train));
const C = classes.names.length;
const labelOf = (id: number) => classes.names[f.galleryClass[id]];
console.log(`seed ${seed}: vote alone ${rr.best.map.toFixed(4)} ${JSON.stringify(rr.best.rerank.vote)}`);
for (const [name, T, y] of [
  ['pooled rows', sp.Tc, f.galleryClass],
  ['pooled + orig + flip rows', Float32Array.from([...sp.Tc, ...extra[0], ...extra[1]]), Int32Array.from([...f.galleryClass, ...f.galleryClass, ...f.galleryClass])],
] as const) {
  for (const l2 of [1e-5, 1e-4]) {
    const t0 = performance.now();
    const P = scaledPosteriors(trainScaledHead(T, sp.r, y, C, { l2, maxIterations: 50 }), sp.Tq);
    const ms_ = performance.now() - t0;
    const line = [0.5, 1, 2, 4].map((weight) => {
      const ranked = Array.from({ length: ms.chosen.lists[0].queries }, (_, q) =>
        voteAndCut(neighboursOf(ms.chosen.lists[0], q, labelOf), rr.best.rerank.vote, { k: 10 }, { weight, probability: (l) => P[q * C + classes.names.indexOf(l)] }).map((n) => n.id),
      );
      return `w ${weight}: ${foldRetrieval(f, classes.names, (q) => ranked[q], 10).map.toFixed(4)}`;
    });
    console.log(`${name}, l2 ${l2} (${(ms_ / 1000).toFixed(1)} s): ${line.join(', ')}`);
  }
}
c.close();
