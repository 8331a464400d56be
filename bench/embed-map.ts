/**
 * Quick correctness check of the inference layer against the reference numbers in
 * shared/models/README.md: single-model MAP@10 on caltech101 with exact cosine search (the
 * protocol of docs/ARCHITECTURE.md). Not the product's eval (that is `imsearch eval`); this one has no index,
 * no metric, no store: embed gallery and queries, brute-force top 10, score.
 *
 *   node dist-models/bench/embed-map.js [--model mobilenetv2-int8] [--crop] [--crop-tolerance 16] [--flip-avg]
 *       [--gallery-only] [--dataset DIR]
 *
 * --gallery-only: leave-one-out inside the gallery (every gallery image queries the others), the
 * protocol for choosing settings without touching the query set.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Embedder } from '../models/index.js';
import { scoreRetrieval, type QueryOutcome } from '../metric/index.js';
import { caltechDir, sharedModelsDir } from '../test/helpers/paths.js';

async function listSplit(dir: string): Promise<{ path: string; label: string }[]> {
  const out: { path: string; label: string }[] = [];
  const classes = (await fsp.readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const c of classes) {
    const files = (await fsp.readdir(path.join(dir, c))).filter((f) => !f.startsWith('.')).sort();
    for (const f of files) out.push({ path: path.join(dir, c, f), label: c });
  }
  return out;
}

async function embedAll(e: Embedder, files: { path: string }[], model: string, flipAvg: boolean): Promise<Float32Array[]> {
  const vecs: Float32Array[] = new Array(files.length);
  for await (const r of e.embedFiles(files.map((f) => f.path), flipAvg ? ['orig', 'flip'] : ['orig'])) {
    if (r.ok === false) throw new Error(`${r.path}: ${r.reason}: ${r.message}`);
    if (r.ok !== true) continue; // only with opts.known
    const v = Float32Array.from(r.vectors.orig![model]);
    if (flipAvg) {
      const f = r.vectors.flip![model];
      let s = 0;
      for (let i = 0; i < v.length; i++) s += (v[i] += f[i]) ** 2;
      const inv = 1 / Math.sqrt(s);
      for (let i = 0; i < v.length; i++) v[i] *= inv;
    }
    vecs[r.index] = v;
  }
  return vecs;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'mobilenetv2-int8' },
      crop: { type: 'boolean', default: false },
      'crop-tolerance': { type: 'string' },
      'gallery-only': { type: 'boolean', default: false },
      'flip-avg': { type: 'boolean', default: false },
      dataset: { type: 'string', default: caltechDir },
      'model-dir': { type: 'string', default: process.env.IMSEARCH_MODEL_DIR ?? sharedModelsDir },
    },
  });
  const model = values.model!;
  const crop = values.crop ? (values['crop-tolerance'] ? { tolerance: Number(values['crop-tolerance']) } : true) : false;
  const e = await Embedder.create([model], { modelDir: values['model-dir'], crop });
  const galleryOnly = values['gallery-only']!;
  const t0 = performance.now();
  const gallery = await listSplit(path.join(values.dataset!, 'gallery'));
  const queries = galleryOnly ? gallery : await listSplit(path.join(values.dataset!, 'queries'));
  const g = await embedAll(e, gallery, model, values['flip-avg']!);
  const q = galleryOnly ? g : await embedAll(e, queries, model, values['flip-avg']!);
  const t1 = performance.now();
  await e.close();

  const dim = g[0].length;
  const G = new Float32Array(g.length * dim);
  g.forEach((v, i) => G.set(v, i * dim));
  const perLabel = new Map<string, number>();
  for (const x of gallery) perLabel.set(x.label, (perLabel.get(x.label) ?? 0) + 1);
  if (galleryOnly) for (const [k, n] of perLabel) perLabel.set(k, n - 1); // the query itself is not a result
  const K = 10;
  const outcomes: QueryOutcome[] = queries.map((query, qi) => {
    const v = q[qi];
    const topS = new Float64Array(K).fill(-Infinity);
    const topI = new Int32Array(K).fill(-1);
    for (let j = 0; j < g.length; j++) {
      if (galleryOnly && j === qi) continue;
      let s = 0;
      const o = j * dim;
      for (let d = 0; d < dim; d++) s += v[d] * G[o + d];
      if (s <= topS[K - 1]) continue; // ties keep the earlier gallery item
      let k = K - 1;
      while (k > 0 && s > topS[k - 1]) {
        topS[k] = topS[k - 1];
        topI[k] = topI[k - 1];
        k--;
      }
      topS[k] = s;
      topI[k] = j;
    }
    return {
      label: query.label,
      retrievedLabels: Array.from(topI).filter((i) => i >= 0).map((i) => gallery[i].label),
      relevantTotal: perLabel.get(query.label) ?? 0,
    };
  });
  const s = scoreRetrieval(outcomes, K);
  console.log(
    JSON.stringify({
      model,
      crop,
      galleryOnly,
      flipAvg: values['flip-avg'],
      gallery: gallery.length,
      queries: queries.length,
      map10: +s.map.toFixed(4),
      classBalancedMap10: +s.classBalancedMap.toFixed(4),
      p1: +s.precisionAt1.toFixed(4),
      embedSeconds: +((t1 - t0) / 1000).toFixed(1),
      imagesPerSecond: +((gallery.length + (galleryOnly ? 0 : queries.length)) / ((t1 - t0) / 1000)).toFixed(1),
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
