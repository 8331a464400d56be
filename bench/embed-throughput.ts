/**
 * Indexing throughput of the inference layer, per model, on N caltech gallery images, batch 16:
 *
 *   decode    read + sha256 + decode + (crop) + preprocess into batch tensors, no inference
 *   bare      inference alone on preprocessed tensors already in memory (batches from the
 *             decode pass, cycled), as many images as the others
 *   pipeline  Embedder.embedFiles end to end (decode of batch n+1 overlapping inference of n)
 *
 * Decoding and inference share the same cores, so the best a pipeline can do is
 * ceiling = 1 / (1/decode + 1/bare) (docs/ARCHITECTURE.md, "Performance stance"); the report gives
 * pipeline/bare and pipeline/ceiling with all three rates measured in the same run.
 *
 *   npx tsc -p tsconfig.json --outDir dist-models
 *   node dist-models/bench/embed-throughput.js [--n 512] [--batch 16] [--models a,b,c] [--crop] [--repeat 3]
 *       [--threads 2] [--spinning] [--inference worker|main] [--decode-concurrency N] [--sharp-concurrency N] [--json]
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Embedder, type PreparedBatch, listManifests, physicalCoreCount } from '../models/index.js';
import { caltechDir, sharedModelsDir } from '../test/helpers/paths.js';
import { median } from './stats.js';

const OFFLINE_MODELS = ['mobilenetv2-int8', 'mobilenet-v1-025', 'mnv4s-int8'];

/** N gallery images spread over all classes: sorted list, every k-th file. */
async function pickImages(dir: string, n: number): Promise<string[]> {
  const all: string[] = [];
  for (const c of (await fsp.readdir(dir)).sort()) {
    const sub = path.join(dir, c);
    if (!(await fsp.stat(sub)).isDirectory()) continue;
    for (const f of (await fsp.readdir(sub)).sort()) all.push(path.join(sub, f));
  }
  if (all.length <= n) return all;
  const step = all.length / n;
  return Array.from({ length: n }, (_, i) => all[Math.floor(i * step)]);
}

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

interface Rates {
  /** Images per wall-clock second. */
  decode: number;
  bare: number;
  pipeline: number;
  /** Process CPU time (all threads: ONNX Runtime, libvips, libuv, JS) per image, in ms. */
  cpu: { decode: number; bare: number; pipeline: number };
}

/** Prepared batches kept for the bare-inference phase (cycled): tensors in memory, bounded. */
const KEPT_BATCHES = 4;

/**
 * One repetition: the phases in the order decode, bare, pipeline, then again in reverse, so a
 * drift in background load (the machine is shared) hits all three alike; each rate is over both
 * of its passes.
 */
async function measure(e: Embedder, files: string[], batch: number): Promise<Rates> {
  const batches = chunks(files, batch);
  // Warm-up: page cache, ONNX Runtime allocations, libvips caches.
  for await (const _ of e.embedFiles(files.slice(0, 2 * batch))) void _;

  const kept: PreparedBatch[] = [];
  const decodePass = async () => {
    for (const b of batches) {
      const p = await e.preprocessBatch(b);
      if (p.okCount !== p.entries.length) throw new Error(`${p.entries.length - p.okCount} benchmark images failed to decode`);
      if (kept.length < KEPT_BATCHES) kept.push(p);
    }
  };
  const barePass = async () => {
    for (let i = 0; i < batches.length; i++) await e.inferBatch(kept[i % kept.length]);
  };
  const pipelinePass = async () => {
    for await (const r of e.embedFiles(files, ['orig'], { batchSize: batch })) if (!r.ok) throw new Error(`${r.path}: ${r.message}`);
  };
  const ms = { decode: 0, bare: 0, pipeline: 0 };
  const cpu = { decode: 0, bare: 0, pipeline: 0 };
  const timed = async (phase: keyof typeof ms, run: () => Promise<void>) => {
    const c = process.cpuUsage();
    const t = performance.now();
    await run();
    ms[phase] += performance.now() - t;
    const d = process.cpuUsage(c);
    cpu[phase] += (d.user + d.system) / 1000;
  };
  await timed('decode', decodePass);
  await timed('bare', barePass);
  await timed('pipeline', pipelinePass);
  await timed('pipeline', pipelinePass);
  await timed('bare', barePass);
  await timed('decode', decodePass);
  const bareImages = batches.reduce((n, _, i) => n + kept[i % kept.length].okCount, 0);
  return {
    decode: (2 * files.length) / (ms.decode / 1000),
    bare: (2 * bareImages) / (ms.bare / 1000),
    pipeline: (2 * files.length) / (ms.pipeline / 1000),
    cpu: { decode: cpu.decode / (2 * files.length), bare: cpu.bare / (2 * bareImages), pipeline: cpu.pipeline / (2 * files.length) },
  };
}


async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '512' },
      batch: { type: 'string', default: '16' },
      models: { type: 'string', default: OFFLINE_MODELS.join(',') },
      crop: { type: 'boolean', default: false },
      repeat: { type: 'string', default: '3' },
      threads: { type: 'string' },
      spinning: { type: 'boolean', default: false },
      'decode-concurrency': { type: 'string' },
      inference: { type: 'string', default: 'worker' },
      'sharp-concurrency': { type: 'string' },
      json: { type: 'boolean', default: false },
      'model-dir': { type: 'string', default: process.env.IMSEARCH_MODEL_DIR ?? sharedModelsDir },
      dataset: { type: 'string', default: path.join(caltechDir, 'gallery') },
    },
  });
  const n = Number(values.n);
  const batch = Number(values.batch);
  const repeat = Number(values.repeat);
  const models = values.models!.split(',').filter(Boolean);
  const known = new Set(listManifests().map((m) => m.name));
  for (const m of models) if (!known.has(m)) throw new Error(`unknown model ${m}`);
  const files = await pickImages(values.dataset!, n);
  const threads = values.threads ? Number(values.threads) : physicalCoreCount();
  if (values['sharp-concurrency']) sharp.concurrency(Number(values['sharp-concurrency']));
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  console.error(
    `# ${files.length} images, batch ${batch}, crop ${values.crop ? 'on' : 'off'}, ${threads} intra-op threads${values.spinning ? ' (spinning)' : ''}, ` +
      `inference in ${values.inference} thread, decode concurrency ${values['decode-concurrency'] ?? 'batch'}, sharp concurrency ${sharp.concurrency()}, ` +
      `${cpu}, ${os.availableParallelism()} logical CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  );

  const rows: (Rates & { model: string; ceiling: number; vsBare: number; vsCeiling: number; cpuEfficiency: number })[] = [];
  for (const model of models) {
    const e = await Embedder.create([model], {
      modelDir: values['model-dir'],
      crop: values.crop,
      batchSize: batch,
      threads,
      spinning: values.spinning,
      inference: values.inference as 'worker' | 'main',
      ...(values['decode-concurrency'] ? { decodeConcurrency: Number(values['decode-concurrency']) } : {}),
    });
    try {
      // Each repetition measures all three rates back to back; the median repetition (by
      // pipeline/ceiling) is reported, so the ratios always come from rates of the same run.
      const runs: Rates[] = [];
      for (let r = 0; r < repeat; r++) runs.push(await measure(e, files, batch));
      const scored = runs
        .map((x) => ({ ...x, ceiling: 1 / (1 / x.decode + 1 / x.bare) }))
        .map((x) => ({ ...x, vsBare: x.pipeline / x.bare, vsCeiling: x.pipeline / x.ceiling, cpuEfficiency: (x.cpu.decode + x.cpu.bare) / x.cpu.pipeline }));
      const pick = scored.find((x) => x.vsCeiling === median(scored.map((y) => y.vsCeiling)))!;
      rows.push({ model, ...pick });
      console.error(
        `${model}: ` +
          scored
            .map(
              (x) =>
                `[decode ${x.decode.toFixed(0)}, bare ${x.bare.toFixed(0)}, pipeline ${x.pipeline.toFixed(0)}, ceiling ${x.ceiling.toFixed(0)}, ` +
                `${x.vsCeiling.toFixed(2)}x ceiling; cpu ms/img ${x.cpu.decode.toFixed(2)} + ${x.cpu.bare.toFixed(2)} vs ${x.cpu.pipeline.toFixed(2)}]`,
            )
            .join(' '),
      );
    } finally {
      await e.close();
    }
  }

  if (values.json) {
    console.log(JSON.stringify({ images: files.length, batch, crop: values.crop, threads, cpu, rows }, null, 2));
    return;
  }
  const fmt = (x: number) => x.toFixed(0).padStart(8);
  console.log(
    `| model | decode+preprocess img/s | bare inference img/s | ceiling img/s | pipeline img/s | pipeline / bare | pipeline / ceiling | CPU ms/img: decode + bare vs pipeline |`,
  );
  console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const r of rows) {
    console.log(
      `| ${r.model} | ${fmt(r.decode)} | ${fmt(r.bare)} | ${fmt(r.ceiling)} | ${fmt(r.pipeline)} | ${r.vsBare.toFixed(2)} | ${r.vsCeiling.toFixed(2)} | ` +
        `${r.cpu.decode.toFixed(2)} + ${r.cpu.bare.toFixed(2)} vs ${r.cpu.pipeline.toFixed(2)} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
