/**
 * End-to-end query latency of a fitted collection (the final configuration: learned metric,
 * block weights, head, vote, flip TTA when its views have it) against the same collection with
 * its metric cleared (plain cosine over the same stored embeddings and views), all through the product's own path (ImsearchService.searchImage: decode, embed, search,
 * vote, cut), same query photos, interleaved in one run (issue 13: "≤ 1.5× plain cosine search").
 *
 *   node dist/bench/final-vs-plain-latency.js --collection DIR --queries DIR [--also DIR ...] [--model-dir DIR] [--n 100] [--work DIR]
 *
 * --collection: a fitted collection folder (e.g. `imsearch eval --fit`'s gallery under its
 * data directory's eval-cache); it is copied, never changed. --also: more fitted collections
 * (e.g. the same gallery with other views), each a further "final" row in the same rotation.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Collection } from '../store/collection.js';
import { listLabelledFiles } from '../store/folder-listing.js';
import { clearCollectionMetric } from '../service/metric-fit.js';
import { cliLikeService } from '../test/helpers/service.js';
import { sharedModelsDir } from '../test/helpers/paths.js';
import { median as p50, rotated } from './stats.js';

const { values: a } = parseArgs({
  options: {
    collection: { type: 'string' },
    queries: { type: 'string' },
    'model-dir': { type: 'string', default: sharedModelsDir },
    n: { type: 'string', default: '100' },
    work: { type: 'string' },
    also: { type: 'string', multiple: true, default: [] },
  },
});
if (!a.collection || !a.queries) throw new Error('--collection and --queries are required');

async function main(): Promise<void> {
  const work = a.work ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'imsearch-latency-')));
  const root = path.join(work, 'collections');
  await fs.rm(root, { recursive: true, force: true });
  await fs.mkdir(root, { recursive: true });
  await fs.cp(a.collection!, path.join(root, 'final'), { recursive: true });
  await fs.cp(a.collection!, path.join(root, 'plain'), { recursive: true });
  const plain = await Collection.open(path.join(root, 'plain'));
  if (!plain.manifest.metric) throw new Error(`${a.collection} has no fitted metric: run imsearch fit (or eval --fit) on it first`);
  await clearCollectionMetric(plain);
  plain.close();

  for (const [i, dir] of a.also!.entries()) await fs.cp(dir, path.join(root, `also-${i}`), { recursive: true });

  const service = cliLikeService(work, { modelDir: a['model-dir'] });
  const viewsOf = async (name: string) => (await service.collection(name)).manifest.views.join(' + ');
  const contenders = [
    { name: `plain cosine, ${await viewsOf('final')}`, collection: 'plain' },
    { name: `final (fitted), ${await viewsOf('final')}`, collection: 'final' },
    ...(await Promise.all(a.also!.map(async (_, i) => ({ name: `final (fitted), ${await viewsOf(`also-${i}`)}`, collection: `also-${i}` })))),
  ];

  const listed = (await listLabelledFiles(a.queries!)).files;
  const step = Math.max(1, Math.floor(listed.length / Number(a.n)));
  const photos = await Promise.all(listed.filter((_, i) => i % step === 0).slice(0, Number(a.n)).map((f) => fs.readFile(f.path)));
  const times = contenders.map(() => ({ total: [] as number[], embed: [] as number[], search: [] as number[] }));
  for (const c of contenders) await service.searchImage(c.collection, photos[0]!, { k: 10 }); // warm-up
  for (const [i, photo] of photos.entries()) {
    for (const ci of rotated([...contenders.keys()], i)) {
      const t0 = performance.now();
      const { timing } = await service.searchImage(contenders[ci]!.collection, photo, { k: 10 });
      times[ci]!.total.push(performance.now() - t0);
      times[ci]!.embed.push(timing.embedMs);
      times[ci]!.search.push(timing.searchMs);
    }
  }
  await service.close();
  const base = p50(times[0]!.total);
  console.log(`${photos.length} query photos, each through every configuration, order rotated; k 10; ImsearchService.searchImage\n`);
  console.log('| configuration | embed p50 ms | search p50 ms | total p50 ms | total / plain |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [i, c] of contenders.entries()) {
    const t = times[i]!;
    console.log(`| ${c.name} | ${p50(t.embed).toFixed(1)} | ${p50(t.search).toFixed(2)} | ${p50(t.total).toFixed(1)} | ${(p50(t.total) / base).toFixed(2)}x |`);
  }
  if (!a.work) await fs.rm(work, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
