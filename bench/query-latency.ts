/**
 * Single-query latency of the final configuration against plain search, end to end in process
 * (decode + embed + search), same images, same run: plain cosine over the ensemble (photo only),
 * the learned metric + class vote (photo only), and the same with flip TTA (photo + mirror in one
 * batch). Fits use the gallery only (cross-validation inside it).
 *
 *   node dist/bench/query-latency.js [--data DIR] [--model-dir DIR] [--dataset DIR] [--queries N]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Metric, crossValidateMetric } from '../metric/index.js';
import { Embedder } from '../models/embedder.js';
import { buildIndex } from '../service/collection-index.js';
import { ensembleVector, galleryMatrix } from '../service/ensemble-space.js';
import { QueryRanker } from '../service/query-ranker.js';
import { PLAIN_DEFAULTS, type SearchDefaults } from '../service/search-config.js';
import type { View } from '../store/collection.js';
import { listLabelledFiles } from '../store/folder-listing.js';
import { ENSEMBLE_MODELS, PATH_OPTIONS, ensembleCollections } from './caltech-ensemble.js';
import { median as p50 } from './stats.js';

const { values: args } = parseArgs({
  options: {
    ...PATH_OPTIONS,
    queries: { type: 'string', default: '100' },
  },
});


async function main(): Promise<void> {
  const embedder = await Embedder.create(ENSEMBLE_MODELS, { modelDir: args['model-dir'], crop: false });
  const { gallery, queries } = await ensembleCollections({ dataset: args.dataset, data: args.data }, embedder, ['orig', 'flip']);
  const c = gallery.collection;
  const models = c.manifest.models;
  const labels = c.allItems().map((i) => i.label);
  const labelMap = new Map(c.allItems().map((i) => [i.id, i.label] as const));

  // null metric: the product's plain path (no fitted metric): the index's own top k, nothing re-scored.
  const setups: { name: string; views: View[]; metric: Metric | null; defaults: SearchDefaults }[] = [];
  setups.push({ name: 'plain cosine (no fitted metric), photo only', views: ['orig'], metric: null, defaults: PLAIN_DEFAULTS });
  for (const views of [['orig'], ['orig', 'flip']] as View[][]) {
    const g = galleryMatrix(c, views);
    const cv = crossValidateMetric(g.data, g.dim, labels, {});
    setups.push({
      name: `final (${cv.params.method} + ${cv.rerank.vote ? 'vote' : 'no vote'}), ${views.length > 1 ? 'photo + flip' : 'photo only'}`,
      views,
      metric: new Metric(cv.artifact!),
      defaults: { ...PLAIN_DEFAULTS, vote: cv.rerank.vote, qe: cv.rerank.qe },
    });
  }
  const runners = setups.map((s) => {
    const g = galleryMatrix(c, s.views);
    const ranker = s.metric ? new QueryRanker(s.metric, s.defaults, new Map(labelMap)) : null;
    const index = ranker
      ? buildIndex('flat', { ids: g.ids, data: ranker.addRows(g.ids, g.data), dim: ranker.indexDim(g.dim) })
      : buildIndex('flat', g);
    const search = (q: Float32Array) => (ranker ? ranker.rank(index, q, { k: 10 }) : index.search(q, 10));
    return { ...s, search, embedMs: [] as number[], searchMs: [] as number[], total: [] as number[] };
  });

  const files = (await listLabelledFiles(path.join(args.dataset!, 'queries'))).files.filter((_, i, all) => i % Math.max(1, Math.floor(all.length / Number(args.queries))) === 0).slice(0, Number(args.queries));
  for (const f of files) {
    const buf = await fs.readFile(f.path);
    for (const r of runners) {
      const t0 = performance.now();
      const vectors = await embedder.embedImage(buf, r.views);
      const t1 = performance.now();
      await r.search(ensembleVector(models, vectors, r.views));
      const t2 = performance.now();
      r.embedMs.push(t1 - t0);
      r.searchMs.push(t2 - t1);
      r.total.push(t2 - t0);
    }
  }
  const base = p50(runners[0].total);
  console.log(`| configuration | embed p50 ms | search p50 ms | total p50 ms | total vs plain |`);
  console.log(`| --- | --- | --- | --- | --- |`);
  for (const r of runners) {
    console.log(`| ${r.name} | ${p50(r.embedMs).toFixed(1)} | ${p50(r.searchMs).toFixed(2)} | ${p50(r.total).toFixed(1)} | ${(p50(r.total) / base).toFixed(2)}× |`);
  }
  console.log(`\n${files.length} query images, each run through every configuration in turn (interleaved).`);
  c.close();
  queries.collection.close();
  await embedder.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
