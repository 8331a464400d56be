/**
 * Issue 13's "up to k" for photos unlike the collection: a gallery without N of its classes is
 * fitted (once with calibration on familiar queries only, once with leave-classes-out), then
 * queried at each minPrecision with the query photos of the left-out classes (every result is a
 * wrong match: how many come back?) and of the kept classes (is the precision still >= p?).
 * Reads the embeddings of an `imsearch eval` cache (embeds nothing), through the same searcher and
 * fit the product runs.
 *
 *   node dist/bench/unfamiliar-classes.js --gallery-dir DATA/eval-cache/eval-gallery-... \
 *     --queries-dir DATA/eval-cache/eval-queries-... --work DIR [--classes 10] [--offset 0] [--seed 3] [--shares 0,0.2]
 * (--offset o leaves out the classes at positions o, o + step, ...: another draw of strangers.)
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CollectionSearcher } from '../service/collection-searcher.js';
import { UNFAMILIAR_CLASSES, fitCollectionMetric } from '../service/metric-fit.js';
import { thresholdFor } from '../service/search-config.js';
import { Collection, type NewItem } from '../store/collection.js';

const { values: args } = parseArgs({
  options: {
    'gallery-dir': { type: 'string' },
    'queries-dir': { type: 'string' },
    work: { type: 'string' },
    classes: { type: 'string', default: '10' },
    offset: { type: 'string', default: '0' },
    seed: { type: 'string', default: '3' },
    precisions: { type: 'string', default: '0.8,0.9,0.95' },
    // 0: calibration on familiar queries only (before issue 13); the product's share: leave-classes-out.
    shares: { type: 'string', default: `0,${UNFAMILIAR_CLASSES}` },
  },
});

const PRECISIONS = args.precisions!.split(',').map(Number);
const SETTINGS = args.shares!.split(',').map((x) => ({ name: Number(x) ? `leave-classes-out ${x}` : 'familiar queries only', unfamiliarClasses: Number(x) }));

/** Every ⌊C/N⌋-th class in name order from `offset`: spread over the alphabet, the same on every run. */
function leftOutClasses(labels: readonly string[], n: number, offset: number): Set<string> {
  const step = Math.floor(labels.length / n);
  if (!Number.isInteger(offset) || offset < 0 || offset >= step) throw new Error(`--offset must be an integer in [0, ${step}), not ${offset}`);
  const left = new Set(labels.filter((_, i) => i % step === offset).slice(0, n));
  if (left.size < n) throw new Error(`only ${left.size} classes at offset ${offset}: fewer than --classes ${n}`);
  return left;
}

async function copyWithout(source: Collection, dir: string, left: Set<string>): Promise<Collection> {
  await fs.rm(dir, { recursive: true, force: true });
  const { formatVersion: _f, createdAt: _c, ...manifest } = source.manifest;
  const target = await Collection.create(dir, { ...manifest, name: 'unfamiliar-bench', metric: null, searchDefaults: {}, indexSpec: 'flat' });
  const batch: NewItem[] = [];
  for (const item of source.allItems()) {
    if (item.label === null || left.has(item.label)) continue;
    const vectors: NewItem['vectors'] = {};
    for (const view of manifest.views) vectors[view] = source.itemVectors(item.id, view);
    batch.push({ label: item.label, source: item.source, sha256: item.sha256, bytes: item.bytes, vectors });
  }
  target.addItems(batch);
  return target;
}

async function main(): Promise<void> {
  const gallery = await Collection.open(path.resolve(args['gallery-dir']!));
  const queries = await Collection.open(path.resolve(args['queries-dir']!));
  const left = leftOutClasses([...gallery.labels().keys()].sort(), Number(args.classes), Number(args.offset));
  const collection = await copyWithout(gallery, path.join(path.resolve(args.work!), 'gallery-without'), left);
  const views = collection.manifest.views;
  const rows = [];
  for (const setting of SETTINGS) {
    const t0 = performance.now();
    const report = await fitCollectionMetric(collection, { cv: { seed: Number(args.seed), unfamiliarClasses: setting.unfamiliarClasses } });
    const fitSeconds = (performance.now() - t0) / 1000;
    // How well the open-set signals told the CV's familiar queries from its strangers.
    console.error(JSON.stringify({ setting: setting.name, openSetSignals: report.cv.openSetSignals, millis: report.cv.millis }));
    const searcher = await CollectionSearcher.open(collection);
    // How confident the neighbourhood vote is (the explanation's predicted share): a signal the score threshold does not use.
    const shares = { unfamiliar: [] as number[], familiar: [] as number[] };
    for (const item of queries.allItems()) {
      const vectors = Object.fromEntries(views.map((v) => [v, queries.itemVectors(item.id, v)]));
      const { prediction } = await searcher.search(vectors, { k: 10, explain: true });
      shares[left.has(item.label ?? '') ? 'unfamiliar' : 'familiar'].push(prediction?.share ?? 0);
    }
    const shareStats = (xs: number[]) => ({ mean: xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length), below05: xs.filter((x) => x < 0.5).length / Math.max(1, xs.length) });
    console.error(JSON.stringify({ setting: setting.name, predictedShare: { unfamiliar: shareStats(shares.unfamiliar), familiar: shareStats(shares.familiar) } }));
    for (const p of PRECISIONS) {
      const fit = thresholdFor(report.defaults, p);
      const familiar = { queries: 0, results: 0, right: 0 };
      // Per stranger class: its queries, their results, and the classes its photos come back as (first result).
      const byClass = new Map<string, { queries: number; results: number; firstAs: Record<string, number> }>();
      for (const item of queries.allItems()) {
        const vectors = Object.fromEntries(views.map((v) => [v, queries.itemVectors(item.id, v)]));
        const matches = fit ? await searcher.searchVectors(vectors, { k: 10, cut: fit }) : [];
        if (left.has(item.label ?? '')) {
          const c = byClass.get(item.label!) ?? { queries: 0, results: 0, firstAs: {} };
          c.queries++;
          c.results += matches.length;
          const as = matches[0]?.item.label ?? '(none)';
          c.firstAs[as] = (c.firstAs[as] ?? 0) + 1;
          byClass.set(item.label!, c);
        } else {
          familiar.queries++;
          familiar.results += matches.length;
          familiar.right += matches.filter((m) => m.item.label === item.label).length;
        }
      }
      // The strangers' totals, summed from their classes.
      const strangers = [...byClass.values()].reduce((t, c) => ({ queries: t.queries + c.queries, results: t.results + c.results }), { queries: 0, results: 0 });
      rows.push({
        setting: setting.name,
        minPrecision: p,
        threshold: fit?.threshold ?? null,
        // The open-set condition fitted with it and the CV's own estimate of the cut (metric/open-set.ts).
        openSet: fit?.openSet ?? null,
        cv: fit?.cv ?? null,
        unfamiliarQueries: strangers.queries,
        unfamiliarMeanResults: strangers.results / Math.max(1, strangers.queries),
        familiarQueries: familiar.queries,
        familiarMeanResults: familiar.results / Math.max(1, familiar.queries),
        familiarPrecision: familiar.right / Math.max(1, familiar.results),
        // Every stranger class counts once (one large class, e.g. Faces, otherwise decides the mean).
        unfamiliarClassMeanResults: [...byClass.values()].reduce((a, c) => a + c.results / c.queries, 0) / Math.max(1, byClass.size),
        unfamiliarByClass: Object.fromEntries(
          [...byClass].map(([label, c]) => [label, { queries: c.queries, meanResults: c.results / c.queries, firstAs: Object.entries(c.firstAs).sort((a, b) => b[1] - a[1]).slice(0, 2) }]),
        ),
        fitSeconds: Number(fitSeconds.toFixed(1)),
      });
      console.error(JSON.stringify(rows[rows.length - 1]));
    }
  }
  console.log(JSON.stringify({ leftOut: [...left], galleryItems: collection.count(), rows }, null, 1));
  collection.close();
  gallery.close();
  queries.close();
}

await main();
