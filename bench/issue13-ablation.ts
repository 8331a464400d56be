/**
 * Issue 13 ablation on the cached Caltech-101 embeddings, after `imsearch eval --flip --fit`:
 * the gallery's fit-report.json holds the gallery-only cross-validation (every stage's table);
 * every row of the ablation is refitted on the whole gallery with the choices of those tables and
 * scored ONCE on the queries through rankGallery (the exact in-memory query chain: the same
 * ranking as a flat index). The FINAL row is the stored artifact itself. Nothing is chosen here.
 *
 *   node dist/bench/issue13-ablation.js --gallery DIR --queries DIR [--report FILE] [--all]
 *
 * --report: a fit report saved from an earlier fit (its artifact is found by hash in the gallery
 * folder); --all: every weighting the CV tried, not only the chosen one (a refit each).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Collection } from '../store/collection.js';
import { galleryMatrix, galleryViewMatrices } from '../service/ensemble-space.js';
import { fitMetric, Metric, parseArtifact, withTrainedHead, rankGallery, scoreRetrieval, type CvResult, type MetricArtifact, type RerankParams } from '../metric/index.js';
import { inputScaleOf, withExtensions } from '../metric/artifact.js';
import { indexLabels } from '../metric/labels.js';

const { values } = parseArgs({ options: { gallery: { type: 'string' }, queries: { type: 'string' }, report: { type: 'string' }, all: { type: 'boolean', default: false } } });
const gallery = await Collection.open(values.gallery!);
const queries = await Collection.open(values.queries!);
const views = gallery.manifest.views;
const { pooled: G, perView: galleryViews } = galleryViewMatrices(gallery, views);
const Q = galleryMatrix(queries, views);
const gLabels = gallery.allItems().map((i) => i.label);
const qLabels = queries.allItems().map((i) => i.label ?? '');
const blocks = gallery.manifest.models.map((m) => m.dim);
const counts = gallery.labels();

const report = JSON.parse(values.report ? fs.readFileSync(values.report, 'utf8') : (await gallery.readFile('fit-report.json'))!.toString('utf8')) as { metricHash: string; cv: Omit<CvResult, 'artifact'> };
const cv = report.cv;
const finalArtifact = parseArtifact((await gallery.readFile(`metric-${report.metricHash.replace(/^sha256:/, '').slice(0, 16)}.json`))!);

function score(artifact: MetricArtifact, rerank: RerankParams) {
  const m = new Metric(artifact);
  const ranked = rankGallery(m, m.transform(Q.data), m.transform(G.data), gLabels, { k: 10, shortlist: 100, rerank });
  const s = scoreRetrieval(
    ranked.map((r, q) => ({ label: qLabels[q], retrievedLabels: r.map((x) => x.label ?? ''), relevantTotal: counts.get(qLabels[q]) ?? 0 })),
    10,
  );
  return { map: s.map, classBalancedMap: s.classBalancedMap, precisionAt1: s.precisionAt1 };
}
const fmt = (x: number) => x.toFixed(4);
const rows: string[] = [];
const row = (name: string, cvMap: number, cvCb: number, q: ReturnType<typeof score>, note: string) =>
  rows.push(`| ${name} | ${fmt(cvMap)} | ${fmt(cvCb)} | ${fmt(q.map)} | ${fmt(q.classBalancedMap)} | ${fmt(q.precisionAt1)} | ${note} |`);

const classes = indexLabels(gLabels, gLabels.length);
const plainEqual = fitMetric(G.data, G.dim, gLabels, cv.params);
const eq = cv.ensembleTable[0];
row('equal weights, vote (issue 4 chain)', eq.map, eq.classBalancedMap, score(plainEqual, eq.rerank), `vote ${JSON.stringify(eq.rerank.vote)}`);
const chosenWeights = JSON.stringify(cv.blockWeights ?? cv.ensembleTable[0].weights);
for (const w of cv.ensembleTable.slice(1).filter((x) => values.all || JSON.stringify(x.weights) === chosenWeights)) {
  // Fitted on the re-weighted rows; the artifact re-weights its inputs the same way.
  const blockWeights = { dims: blocks, weights: w.weights };
  const s = inputScaleOf(blockWeights)!;
  const art = withExtensions(fitMetric(Float32Array.from(G.data, (v, i) => v * s[i % G.dim]), G.dim, gLabels, cv.params), { blockWeights, head: null });
  row(`weights ${w.weights.join('/')}, vote`, w.map, w.classBalancedMap, score(art, w.rerank), `vote ${JSON.stringify(w.rerank.vote)}`);
}
const noHead = cv.headTable[0];
const heads = cv.headTable.filter((h) => h.head);
if (heads.length) {
  const bestHead = heads.reduce((a, b) => (b.map > a.map ? b : a));
  const h = bestHead.head!;
  const withHead = withTrainedHead(finalArtifact, G.data, galleryViews, classes, h, cv.grid.headIterations);
  row(`chosen weights + best head row`, bestHead.map, bestHead.classBalancedMap, score(withHead, bestHead.rerank), `head ${JSON.stringify(h)}, vote ${JSON.stringify(bestHead.rerank.vote)}${cv.head ? ' (chosen)' : ' (not chosen: no head scored ' + fmt(noHead.map) + ')'}`);
}
row('FINAL (what the fit chose)', cv.scores.reranked.map, cv.scores.reranked.classBalancedMap, score(finalArtifact, cv.rerank), `weights ${JSON.stringify(cv.blockWeights)}, head ${JSON.stringify(cv.head)}, vote ${JSON.stringify(cv.rerank.vote)}`);

console.log(`CV seed ${cv.split.seed}; fit ${(cv.millis.total / 1000).toFixed(1)} s (${JSON.stringify(Object.fromEntries(Object.entries(cv.millis).map(([k, v]) => [k, Math.round(v)])))} ms); kernel ${cv.kernel}`);
console.log('| configuration | CV MAP@10 | CV class-bal. | query MAP@10 | query class-bal. | query P@1 | chosen |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
gallery.close();
queries.close();

