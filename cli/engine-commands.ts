/**
 * The engine commands. Only commander and light helpers are imported up front: the service,
 * ONNX Runtime, sharp and the index addons are loaded inside an action, so `--help` and a
 * command that needs none of them do not pay for loading them.
 */
import { ImsearchError } from '../errors/error-codes.js';
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { Int8Sums } from '../service/embedder-port.js';
import type { EvalResult } from '../service/evaluate.js';
import type { SkippedFile } from '../service/indexing.js';
import { DEFAULT_K, parsePositiveInt } from '../service/limits.js';
import type { FitReport } from '../service/metric-fit.js';
import type { ImsearchService } from '../service/service.js';
import { ttaViews } from '../service/views.js';
import { ignoredCreationFlags } from './new-collection-flags.js';
import { ZOOM_SCALE } from '../models/image/crop.js';

const ZOOM_NOTE = `the middle ${ZOOM_SCALE * 100}% of each side, with --flip also mirrored`;
import { printSearch } from './search-output.js';
import { parseModelList, resolvePaths } from './config.js';
import { DEFAULT_INDEX, DEFAULT_MODELS } from './defaults.js';

interface GlobalFlags {
  data?: string;
  modelDir?: string;
  threads?: string;
}

/** The service as the CLI runs it: models and the metric fit in this process. */
/**
 * `inference: 'main'` runs ONNX Runtime on this thread: right for one query, where there is no
 * decoding to overlap and a worker would only add its start and a second load of the runtime.
 */
async function openService(cmd: Command, inference: 'worker' | 'main' = 'worker'): Promise<ImsearchService> {
  const flags = cmd.optsWithGlobals() as GlobalFlags;
  const paths = resolvePaths(flags);
  const threads = flags.threads === undefined ? undefined : parsePositiveInt('--threads', flags.threads);
  const [{ ImsearchService }, { Embedder }] = await Promise.all([import('../service/service.js'), import('../models/embedder.js')]);
  return new ImsearchService({
    dataDir: paths.dataDir,
    embedders: (models, identity) => Embedder.create(models, { modelDir: paths.modelDir, ...identity, threads, inference }),
    // The metric code is loaded by a fit only (search and index do not need it).
    fit: async (collection, request, opts) => (await import('../service/fit-in-process.js')).fitInProcess(collection, request, opts),
  });
}

/** Runs a command against the service and closes it whatever happens. */
async function withService<T>(cmd: Command, work: (service: ImsearchService) => Promise<T>, inference?: 'worker' | 'main'): Promise<T> {
  const service = await openService(cmd, inference);
  try {
    return await work(service);
  } finally {
    await service.close();
  }
}

function printSkipped(skipped: readonly SkippedFile[]): void {
  if (!skipped.length) return;
  process.stderr.write(`skipped ${skipped.length} file(s):\n`);
  for (const s of skipped) process.stderr.write(`  ${s.path}: ${s.reason}: ${s.message}\n`);
}

/** index / search / remove / collections / fit / eval: thin over the service layer. */
export function registerEngineCommands(program: Command): void {
  program
    .command('index')
    .description('index a folder of photos into a collection (labels from first-level folder names); resumable')
    .argument('<folder>', 'folder of images; files in class subfolders get the subfolder name as label')
    .requiredOption('-c, --collection <name>', 'collection name (created when missing)')
    .option('-m, --models <list>', 'models for a new collection, name[:weight],...', DEFAULT_MODELS)
    .option('--crop', 'trim content-free borders before embedding (new collection)', false)
    .option('--flip', 'also embed mirrored views for flip test-time augmentation (new collection)', false)
    .option('--zoom', `also embed the zoomed centre (${ZOOM_NOTE}) for test-time augmentation (new collection)`, false)
    .option('--index <spec>', 'index spec for a new collection (flat, hnsw, ivfpq, annoy, ...)', DEFAULT_INDEX)
    .action((folder: string, o: { collection: string; models: string; crop: boolean; flip: boolean; zoom: boolean; index: string }, cmd: Command) =>
      withService(cmd, async (service) => {
        const models = parseModelList(o.models);
        const c = await service.openOrCreate(o.collection, { models, crop: o.crop, views: ttaViews(o), indexSpec: o.index });
        // A collection just made from these flags matches them; an existing one may not.
        const given = (flag: string) => cmd.getOptionValueSource(flag) === 'cli';
        const ignored = ignoredCreationFlags(c.manifest, {
          models: given('models') ? models : undefined,
          crop: given('crop') ? o.crop : undefined,
          flip: given('flip') ? o.flip : undefined,
          zoom: given('zoom') ? o.zoom : undefined,
          indexSpec: given('index') ? o.index : undefined,
        });
        if (ignored.length) process.stderr.write(`imsearch: collection ${o.collection} exists; these apply only to a new collection and were ignored: ${ignored.join('; ')}\n`);
        const { progressReporter } = await import('./progress.js');
        const bar = progressReporter(`indexing ${o.collection}`);
        const report = await service.indexFolder(c.name, folder, { onProgress: bar.update }).finally(() => bar.stop());
        console.log(
          JSON.stringify({
            collection: o.collection,
            listed: report.listed,
            added: report.added,
            unchanged: report.unchanged,
            failed: report.failed.length,
            skipped: report.skipped.length,
            items: c.collection.count(),
            seconds: Number(report.seconds.toFixed(2)),
            imagesPerSecond: Number((report.added / Math.max(report.seconds, 1e-9)).toFixed(1)),
          }),
        );
        printSkipped([...report.skipped, ...report.failed]);
        const freshness = await c.fitFreshness();
        if (freshness) process.stderr.write(`${(await import('./fit-status.js')).fitStatusLine(c.name, freshness)}\n`);
      }),
    );

  program
    .command('check')
    .description('check collections on disk: database consistency, source files (gone, or no longer regular files), uploaded originals no item refers to')
    .option('-c, --collection <name>', 'only this collection (default: all)')
    .option('--repair', 'remove uploaded originals no item refers to (the rest is only reported)', false)
    .option('--json', 'print JSON', false)
    .action((o: { collection?: string; repair: boolean; json: boolean }, cmd: Command) =>
      withService(cmd, async (service) => {
        const { checkCollections } = await import('../service/check.js');
        const report = await checkCollections(service, { collections: o.collection ? [o.collection] : undefined, repair: o.repair });
        if (o.json) console.log(JSON.stringify(report));
        else {
          console.log(`${report.collections} collection(s), ${report.items} item(s), ${report.problems.length} problem(s)`);
          for (const p of report.problems) console.log(`  ${p.collection}: ${p.kind}${p.repaired ? ' (repaired)' : ''}: ${p.message}`);
        }
        if (report.problems.some((p) => !p.repaired)) process.exitCode = 1;
      }),
    );

  program
    .command('search')
    .description('find the images of a collection most like an image')
    .argument('<image>', 'query image file')
    .requiredOption('-c, --collection <name>', 'collection to search')
    .option('-k <k>', 'number of results', String(DEFAULT_K))
    .option('-m, --models <list>', "subset of the collection's models to search with")
    .option('--min-precision <p>', 'calibrated "up to k": only results likely to share the class at this precision (needs `imsearch fit`)')
    .option('--explain', "explain each result (per-model cosine, probability of the query's class, class share of the vote) and predict the query's class", false)
    .option('--json', 'print JSON instead of a table', false)
    .action((image: string, o: { collection: string; k: string; models?: string; minPrecision?: string; explain: boolean; json: boolean }, cmd: Command) =>
      withService(cmd, async (service) => {
        const { readImageFile } = await import('../models/image/image-file.js');
        const answer = await service.searchImage(o.collection, await readImageFile(image, service.limits.maxUploadBytes), {
          k: parsePositiveInt('-k', o.k),
          models: o.models ? parseModelList(o.models).map((m) => m.name) : undefined,
          minPrecision: o.minPrecision === undefined ? undefined : Number(o.minPrecision),
          explain: o.explain,
        });
        printSearch(answer, o.json);
      }, 'main'),
    );

  program
    .command('remove')
    .description('remove items from a collection by id (all or none: an unknown id removes nothing)')
    .requiredOption('-c, --collection <name>', 'collection')
    .argument('<ids...>', 'item ids')
    .action((ids: string[], o: { collection: string }, cmd: Command) =>
      withService(cmd, async (service) => {
        const { collection, removed } = await service.remove(o.collection, ids);
        console.log(JSON.stringify({ removed, items: collection.collection.count() }));
      }),
    );

  program
    .command('collections')
    .description('list collections with their models, index spec and counts')
    .action((_o: unknown, cmd: Command) =>
      withService(cmd, async (service) => {
        for (const c of await service.collectionSummaries()) {
          const m = c.manifest;
          console.log(
            JSON.stringify({ name: c.name, items: c.items, labels: c.labels, models: m.models.map((x) => `${x.name}:${x.weight}`), crop: m.crop, int8Sums: m.int8Sums, views: m.views, index: m.indexSpec }),
          );
        }
      }),
    );

  program
    .command('delete')
    .description('delete a collection: its items, embeddings, index, metric and uploaded originals (the indexed photo folders stay)')
    .requiredOption('-c, --collection <name>', 'collection')
    .action((o: { collection: string }, cmd: Command) =>
      withService(cmd, async (service) => {
        await service.deleteCollection(o.collection);
        console.log(JSON.stringify({ deleted: o.collection }));
      }),
    );

  program
    .command('fit')
    .description("learn the collection's metric and re-rankers from its labels (cross-validated inside it) and make them its default")
    .requiredOption('-c, --collection <name>', 'labelled collection')
    .option('--mode <mode>', 'transform (index the metric space) or rerank (cosine shortlist, metric re-score)', 'transform')
    .option('--folds <n>', 'independent seeded CV splits averaged', '1')
    .option('--seed <n>', 'seed of the CV splits (rerun with others to see how much the choice moves)')
    .action((o: { collection: string; mode: string; folds: string; seed?: string }, cmd: Command) =>
      withService(cmd, async (service) => {
        const seed = o.seed === undefined ? undefined : parsePositiveInt('--seed', o.seed);
        const { report } = await service.fit(o.collection, { mode: fitMode(o.mode), folds: parsePositiveInt('--folds', o.folds), seed });
        console.log(JSON.stringify({ collection: o.collection, ...fitSummary(report), thresholds: report.defaults.thresholds }));
      }),
    );

  program
    .command('eval')
    .description('MAP@10 of a gallery/queries pair (docs/ARCHITECTURE.md, "Evaluation protocol"); embeddings are cached under the data dir')
    .requiredOption('--gallery <dir>', 'gallery folder (one subfolder per class)')
    .requiredOption('--queries <dir>', 'query folder (one subfolder per class), never indexed')
    .option('-m, --models <list>', 'models name[:weight],...', DEFAULT_MODELS)
    .option('--index <spec>', 'index spec', DEFAULT_INDEX)
    .option('--crop', 'run the crop step', false)
    .option('--flip', 'flip test-time augmentation (gallery and queries)', false)
    .option('--zoom', `zoomed-centre test-time augmentation (${ZOOM_NOTE}; gallery and queries)`, false)
    .option('-k <k>', 'cut-off', '10')
    .option('--fit', 'fit the learned metric and re-rankers on the gallery (cross-validated inside it) first', false)
    .option('--mode <mode>', 'with --fit: transform (index the metric space) or rerank (cosine shortlist, metric re-score)', 'transform')
    .option('--min-precision <p>', 'with --fit: calibrated "up to k" at this precision')
    .option('--seed <n>', 'with --fit: seed of the CV splits')
    .addOption(new Option('--int8-sums <how>', "int8 models' arithmetic: exact (the same on every CPU) or native (the CPU's own, as collections made before exact was the default)").choices(['exact', 'native']).default('exact'))
    .action((o: { gallery: string; queries: string; models: string; index: string; crop: boolean; flip: boolean; zoom: boolean; k: string; fit: boolean; mode: string; minPrecision?: string; seed?: string; int8Sums: Int8Sums }, cmd: Command) =>
      withService(cmd, async (service) => {
        const models = parseModelList(o.models);
        const embedder = await service.collections.embedders.get(models.map((m) => m.name), { crop: o.crop, int8Sums: o.int8Sums });
        const [{ evaluate }, { progressReporter }] = await Promise.all([import('../service/evaluate.js'), import('./progress.js')]);
        const bars = { gallery: progressReporter('embedding gallery'), queries: progressReporter('embedding queries') };
        const result = await evaluate({
          gallery: o.gallery,
          queries: o.queries,
          workDir: path.join(service.dataDir, 'eval-cache'),
          embedder,
          models,
          views: ttaViews(o),
          indexSpec: o.index,
          k: parsePositiveInt('-k', o.k),
          fit: o.fit ? { mode: fitMode(o.mode), cv: o.seed === undefined ? undefined : { seed: parsePositiveInt('--seed', o.seed) } } : false,
          minPrecision: o.minPrecision === undefined ? undefined : Number(o.minPrecision),
          onProgress: (stage, p) => bars[stage].update(p),
        });
        bars.gallery.stop();
        bars.queries.stop();
        printEval(result);
      }),
    );
}

function fitMode(mode: string): 'transform' | 'rerank' {
  if (mode !== 'transform' && mode !== 'rerank') throw new ImsearchError('BAD_USER_INPUT', `--mode must be transform or rerank, received "${mode}"`);
  return mode;
}

function fitSummary(f: FitReport): Record<string, unknown> {
  return {
    method: f.cv.params.method,
    pcaDim: f.cv.params.pcaDim,
    shrinkage: f.cv.params.shrinkage,
    weighting: f.cv.params.weighting,
    normalize: f.cv.params.normalize,
    mode: f.defaults.mode,
    vote: f.defaults.vote,
    qe: f.defaults.qe,
    blockWeights: f.cv.blockWeights,
    head: f.cv.head,
    cv: f.cv.scores,
    cvStages: {
      equalWeights: f.cv.ensembleTable[0] ?? null,
      weightings: f.cv.ensembleTable.map((r) => ({ weights: r.weights, map: r.map })),
      // The best row of each head setting (each is tried with every vote of the grid).
      heads: [...new Map(f.cv.headTable.map((r) => [JSON.stringify(r.head), r] as const)).keys()].map((key) => {
        const rows = f.cv.headTable.filter((r) => JSON.stringify(r.head) === key);
        const top = rows.reduce((a, b) => (b.map > a.map ? b : a));
        return { head: top.head, vote: top.rerank.vote, map: top.map, classBalancedMap: top.classBalancedMap };
      }),
    },
    seconds: Number((f.cv.millis.total / 1000).toFixed(1)),
    millis: f.cv.millis,
  };
}

function printEval(r: EvalResult): void {
  const { perClass: _perClass, skipped, fit, ...summary } = r;
  console.log(JSON.stringify({ ...summary, fit: fit ? fitSummary(fit) : null, skipped: skipped.length }));
  const f = (x: number) => x.toFixed(4);
  console.table([
    {
      models: r.models.map((m) => `${m.name}:${m.weight}`).join(','),
      index: r.indexSpec,
      crop: r.crop,
      views: r.views.join('+'),
      queries: r.queries,
      [`MAP@${r.k}`]: f(r.map),
      'class-balanced': f(r.classBalancedMap),
      'P@1': f(r.precisionAt1),
      [`recall@${r.k}`]: f(r.recallAtK),
      'query ms': r.queryMs.toFixed(3),
      ...(r.cut ? { 'results/query': r.cut.meanResults.toFixed(2), 'precision of results': r.cut.precision.toFixed(4) } : {}),
    },
  ]);
  printSkipped(skipped);
}
