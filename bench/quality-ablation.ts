/**
 * Issue 4's ablation on Caltech-101 (docs/ARCHITECTURE.md protocol): each model alone, the ensemble, flip
 * TTA, α-QE, PCA, KISSME / XQDA / Joint Bayesian (transform vs re-rank), class vote, crop, and
 * the final configuration. Everything fitted or tuned sees the gallery only (cross-validation
 * inside it, by crossValidateMetric); the queries are scored once per row. Rows run through the
 * product's own query path (QueryRanker over a flat FAISS index).
 *
 * Every cross-validated selection takes the CV seed (--seed, default DEFAULT_CV_SEED, as
 * `imsearch fit --seed` / `imsearch eval --fit --seed`), so a rerun per seed gives each row's
 * spread; rows without a CV selection (cosine rows) do not depend on it, and --cv-only skips them.
 * The "final" selections are the CV `imsearch fit` runs (item ids for the canonical order, the
 * models' blocks for the ensemble weights, the head), so the FINAL row is the product's fit; the
 * rows before it take that CV's intermediate choices apart: the metric with equal weights and the
 * vote chosen for it (no head), then the chosen weights with their vote (no head), then the best
 * head trained on the pooled rows alone, the best with the flip views as extra rows, and the best
 * with the class prior divided out (head.ts dividePrior).
 *
 *   node dist/bench/quality-ablation.js [--data DIR] [--model-dir DIR] [--dataset DIR] [--seed N] [--cv-only] [--out FILE] [--json FILE]
 */
import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { buildIndex } from '../service/collection-index.js';
import { galleryMatrix, galleryViewMatrices, type GalleryMatrix } from '../service/ensemble-space.js';
import { QueryRanker } from '../service/query-ranker.js';
import { PLAIN_DEFAULTS, type SearchDefaults } from '../service/search-config.js';
import { DEFAULT_CV_SEED, Metric, crossValidateMetric, fitMetric, indexLabels, scoreRetrieval, withTrainedHead, type CvOptions, type CvResult, type HeadRow, type MetricParams, type RerankParams } from '../metric/index.js';
import { inputScaleOf, withExtensions } from '../metric/artifact.js';
import { parsePositiveInt } from '../service/limits.js';
import { Embedder } from '../models/embedder.js';
import type { Collection, CollectionModel, View } from '../store/collection.js';
import { ENSEMBLE_MODELS, PATH_OPTIONS, ensembleCollections } from './caltech-ensemble.js';

const { values: args } = parseArgs({
  options: {
    ...PATH_OPTIONS,
    seed: { type: 'string' },
    'cv-only': { type: 'boolean', default: false },
    out: { type: 'string' },
    json: { type: 'string' },
  },
});
const seed = args.seed === undefined ? DEFAULT_CV_SEED : parsePositiveInt('--seed', args.seed);
const cvOnly = args['cv-only'];

const BOTH: View[] = ['orig', 'flip'];

interface Row {
  seed: number;
  config: string;
  map: number;
  classBalancedMap: number;
  precisionAt1: number;
  queryMs: number;
  note: string;
}

async function caches(crop: boolean): Promise<{ gallery: Collection; queries: Collection }> {
  const embedder = await Embedder.create(ENSEMBLE_MODELS, { modelDir: args['model-dir'], crop });
  try {
    const { gallery, queries } = await ensembleCollections({ dataset: args.dataset, data: args.data }, embedder, BOTH, (stage, p) => {
      if (p.done === p.total || p.done % 1000 === 0) process.stderr.write(`crop=${crop} ${stage} ${p.done}/${p.total}\n`);
    });
    return { gallery: gallery.collection, queries: queries.collection };
  } finally {
    await embedder.close();
  }
}

function labelsOf(c: Collection): (string | null)[] {
  return c.allItems().map((i) => i.label);
}

/** Scores one configuration through the product's query path. */
async function run(
  config: string,
  metric: Metric,
  defaults: SearchDefaults,
  g: GalleryMatrix,
  q: GalleryMatrix,
  gLabels: (string | null)[],
  qLabels: (string | null)[],
  note = '',
): Promise<Row> {
  const labels = new Map<number, string | null>();
  g.ids.forEach((id, i) => labels.set(id, gLabels[i]));
  const ranker = new QueryRanker(metric, defaults, labels);
  const data = ranker.addRows(g.ids, g.data);
  const index = buildIndex('flat', { ids: g.ids, data, dim: ranker.indexDim(g.dim) });
  const relevant = new Map<string, number>();
  for (const l of gLabels) if (l) relevant.set(l, (relevant.get(l) ?? 0) + 1);
  const outcomes = [];
  let ms = 0;
  for (let i = 0; i < q.ids.length; i++) {
    const t0 = performance.now();
    const { ranked } = await ranker.rank(index, q.data.subarray(i * q.dim, (i + 1) * q.dim), { k: 10 });
    ms += performance.now() - t0;
    outcomes.push({
      label: qLabels[i] ?? '',
      retrievedLabels: ranked.map((r) => labels.get(r.id) ?? ''),
      relevantTotal: relevant.get(qLabels[i] ?? '') ?? 0,
    });
  }
  const s = scoreRetrieval(outcomes, 10);
  const row = { seed, config, map: s.map, classBalancedMap: s.classBalancedMap, precisionAt1: s.precisionAt1, queryMs: ms / q.ids.length, note };
  process.stderr.write(`${JSON.stringify(row)}\n`);
  return row;
}

const identity = (g: GalleryMatrix) => new Metric(fitMetric(g.data, g.dim, null, { method: 'identity' }));

function bestParams(cv: CvResult, method: string): MetricParams | null {
  const rows = cv.table.filter((r) => r.params.method === method).sort((a, b) => b.map - a.map);
  return rows[0]?.params ?? null;
}

function describe(p: MetricParams): string {
  return `${p.method} pca=${p.pcaDim} α=${p.shrinkage} ${p.weighting}${p.normalize ? ' norm' : ''}`;
}

function defaultsWith(rerank: Partial<RerankParams>, mode: SearchDefaults['mode'] = 'transform'): SearchDefaults {
  return { ...PLAIN_DEFAULTS, mode, vote: rerank.vote ?? null, qe: rerank.qe ?? null };
}

/** The CV `imsearch fit` runs (service/metric-fit.ts), with this run's seed; `extra` narrows it. */
function selection(g: GalleryMatrix, labels: (string | null)[], blocks: number[] | undefined, extra: Partial<CvOptions> = {}): { cv: CvResult; seconds: number } {
  const t0 = performance.now();
  const cv = crossValidateMetric(g.data, g.dim, labels, { seed, ids: Array.from(g.ids), blocks, shortlist: 100, ...extra });
  const seconds = (performance.now() - t0) / 1000;
  process.stderr.write(`${JSON.stringify({ seed, cv: extra.grid ? 'narrowed' : 'full', dim: g.dim, params: cv.params, rerank: cv.rerank, blockWeights: cv.blockWeights, head: cv.head, scores: cv.scores, ties: cv.ties, seconds })}\n`);
  return { cv, seconds };
}

const cvNote = (cv: CvResult) => `CV ${cv.scores.reranked.map.toFixed(4)}`;

/** A head choice as the rows' notes name it. */
const headNote = (h: NonNullable<HeadRow['head']>) => `λ ${h.l2}, w ${h.weight}${h.views ? ', views as rows' : ''}${h.prior ? `, β ${h.prior}` : ''}`;

/** A selection's whole choice: metric, ensemble weights, head, re-rankers. */
const choiceNote = (cv: CvResult) =>
  `${describe(cv.params)}; weights ${cv.blockWeights?.join(' / ') ?? 'equal'}; ${cv.head ? `head ${headNote(cv.head)}` : 'no head'}; rerank ${JSON.stringify(cv.rerank)}`;

/** A row the CV's choice leaves without a configuration to score. */
const notChosen = (config: string, note: string): Row => ({ seed, config, map: NaN, classBalancedMap: NaN, precisionAt1: NaN, queryMs: NaN, note });

async function main(): Promise<void> {
  const rows: Row[] = [];
  const plain = await caches(false);
  const models = plain.gallery.manifest.models;
  const blocks = models.map((m) => m.dim);
  const gLabels = labelsOf(plain.gallery);
  const qLabels = labelsOf(plain.queries);
  const mats = (ms: readonly CollectionModel[], views: View[]) => ({
    g: galleryMatrix(plain.gallery, views, ms),
    q: galleryMatrix(plain.queries, views, ms),
  });

  const { g, q } = mats(models, BOTH);
  if (!cvOnly) {
    for (const m of models) {
      const one = mats([m], ['orig']);
      rows.push(await run(`${m.name} alone, cosine`, identity(one.g), PLAIN_DEFAULTS, one.g, one.q, gLabels, qLabels));
    }
    const ens = mats(models, ['orig']);
    rows.push(await run('ensemble (3 models, equal weights), cosine', identity(ens.g), PLAIN_DEFAULTS, ens.g, ens.q, gLabels, qLabels));
    rows.push(await run('ensemble + flip TTA, cosine', identity(g), PLAIN_DEFAULTS, g, q, gLabels, qLabels));
  }

  // α-QE on plain cosine, tuned by CV inside the gallery (no vote, no head: the row is α-QE alone).
  const { cv: cvCos } = selection(g, gLabels, undefined, { grid: { methods: ['identity'], voteKs: [], headL2s: [] } });
  rows.push(
    cvCos.rerank.qe
      ? await run('ensemble + flip + α-QE (cosine)', identity(g), defaultsWith({ qe: cvCos.rerank.qe }), g, q, gLabels, qLabels, `${JSON.stringify(cvCos.rerank.qe)}; ${cvNote(cvCos)}`)
      : notChosen('ensemble + flip + α-QE (cosine)', 'CV chose no α-QE'),
  );

  // Each view's rows, as `imsearch fit` hands them over (the head may train on them as extra rows).
  const galleryViews = galleryViewMatrices(plain.gallery, BOTH).perView;
  const { cv, seconds: cvSeconds } = selection(g, gLabels, blocks, { views: galleryViews });
  for (const method of ['pca', 'kissme', 'xqda', 'jointBayesian'] as const) {
    const p = bestParams(cv, method);
    if (!p) continue;
    const tf = performance.now();
    const metric = new Metric(fitMetric(g.data, g.dim, gLabels, p));
    const fitSeconds = (performance.now() - tf) / 1000;
    const note = `${describe(p)}; fit ${fitSeconds.toFixed(1)} s`;
    rows.push(await run(`ensemble + flip + ${method}, transform-then-index`, metric, defaultsWith({}), g, q, gLabels, qLabels, note));
    if (method !== 'pca') rows.push(await run(`ensemble + flip + ${method}, cosine shortlist 100 then re-rank`, metric, defaultsWith({}, 'rerank'), g, q, gLabels, qLabels, note));
  }
  // The chosen metric at equal weights with the vote the CV chose for it (no head): the issue-4 chain.
  const equal = cv.ensembleTable[0] ?? { rerank: cv.rerank, map: cv.scores.reranked.map };
  const equalMetric = new Metric(fitMetric(g.data, g.dim, gLabels, cv.params));
  if (equal.rerank.vote || equal.rerank.qe) {
    rows.push(await run(`ensemble + flip + ${cv.params.method} + class vote`, equalMetric, defaultsWith(equal.rerank), g, q, gLabels, qLabels, `${JSON.stringify(equal.rerank)}; CV ${equal.map.toFixed(4)}`));
  }
  // The chosen ensemble weights (refitted on the re-weighted gallery) with their own vote, no head.
  if (cv.blockWeights) {
    const w = cv.ensembleTable.find((r) => JSON.stringify(r.weights) === JSON.stringify(cv.blockWeights))!;
    const blockWeights = { dims: blocks, weights: w.weights };
    const scale = inputScaleOf(blockWeights)!;
    const art = withExtensions(fitMetric(Float32Array.from(g.data, (v, i) => v * scale[i % g.dim]), g.dim, gLabels, cv.params), { blockWeights, head: null });
    rows.push(await run(`… + ensemble weights ${w.weights.join(' / ')} (vote re-chosen)`, new Metric(art), defaultsWith(w.rerank), g, q, gLabels, qLabels, `${JSON.stringify(w.rerank)}; CV ${w.map.toFixed(4)}`));
  } else {
    rows.push(notChosen('… + ensemble weights', 'CV kept equal weights'));
  }
  // The best head of each kind on the chosen weighting, with its vote: trained on the pooled rows
  // alone, with the views as extra rows (both as trained), and with the class prior divided out
  // (any rows, the best β > 0). The FINAL row is one of them unless the CV's cost tie-break chose
  // another row of the same score.
  const classes = indexLabels(gLabels, gLabels.length);
  const kinds: [string, (h: NonNullable<HeadRow['head']>) => boolean][] = [
    ['… + head on pooled rows only (vote re-chosen)', (h) => !h.views && !h.prior],
    ['… + head with the flip views as extra training rows (vote re-chosen)', (h) => h.views && !h.prior],
    ['… + head with the class prior divided out (best β, vote re-chosen)', (h) => (h.prior ?? 0) > 0],
  ];
  for (const [config, kind] of kinds) {
    const best = cv.headTable.filter((r) => r.head && kind(r.head)).reduce<HeadRow | null>((a, r) => (!a || r.map > a.map ? r : a), null);
    if (!best?.head) {
      rows.push(notChosen(config, 'not in the head grid'));
      continue;
    }
    const art = withTrainedHead(cv.artifact!, g.data, galleryViews, classes, best.head, cv.grid.headIterations);
    rows.push(await run(config, new Metric(art), defaultsWith(best.rerank), g, q, gLabels, qLabels, `${headNote(best.head)}; ${JSON.stringify(best.rerank)}; CV ${best.map.toFixed(4)}`));
  }
  const chosen = new Metric(cv.artifact!);
  const finalDefaults = defaultsWith(cv.rerank);
  rows.push(await run('FINAL (what `imsearch fit` chooses: + head, vote re-chosen), no crop', chosen, finalDefaults, g, q, gLabels, qLabels, `${choiceNote(cv)}; ${cvNote(cv)}; CV ${cvSeconds.toFixed(0)} s`));

  // The same selection without flip TTA, and with the crop step.
  const noFlip = mats(models, ['orig']);
  const { cv: cvNoFlip } = selection(noFlip.g, gLabels, blocks);
  rows.push(await run('final selection without flip TTA', new Metric(cvNoFlip.artifact!), defaultsWith(cvNoFlip.rerank), noFlip.g, noFlip.q, gLabels, qLabels, `${choiceNote(cvNoFlip)}; ${cvNote(cvNoFlip)}`));

  const cropped = await caches(true);
  const { pooled: cg, perView: croppedViews } = galleryViewMatrices(cropped.gallery, BOTH);
  const cq = galleryMatrix(cropped.queries, BOTH);
  const cgLabels = labelsOf(cropped.gallery);
  const cqLabels = labelsOf(cropped.queries);
  if (!cvOnly) rows.push(await run('ensemble + flip, cosine, crop step on', identity(cg), PLAIN_DEFAULTS, cg, cq, cgLabels, cqLabels));
  const { cv: cvCrop } = selection(cg, cgLabels, blocks, { views: croppedViews });
  rows.push(await run('final selection, crop step on', new Metric(cvCrop.artifact!), defaultsWith(cvCrop.rerank), cg, cq, cgLabels, cqLabels, `${choiceNote(cvCrop)}; CV MAP ${cvCrop.scores.reranked.map.toFixed(4)} vs no-crop ${cv.scores.reranked.map.toFixed(4)}`));

  const table = [
    `CV seed ${seed}`,
    '',
    '| configuration | MAP@10 | class-balanced MAP@10 | P@1 | query ms (search only) | notes |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.config} | ${r.map.toFixed(4)} | ${r.classBalancedMap.toFixed(4)} | ${r.precisionAt1.toFixed(4)} | ${r.queryMs.toFixed(2)} | ${r.note} |`),
  ].join('\n');
  console.log(table);
  console.log(`\nCV inside the gallery for the final selection: ${JSON.stringify(cv.scores)}`);
  if (args.out) await fs.writeFile(args.out, `${table}\n`);
  if (args.json) await fs.writeFile(args.json, `${JSON.stringify(rows, null, 1)}\n`);
  for (const c of [plain.gallery, plain.queries, cropped.gallery, cropped.queries]) c.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
