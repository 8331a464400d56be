/**
 * `similarImages` latency of this build against another build of the product (e.g. the commit
 * before a change), both serving copies of the same collection as `imsearch serve` processes,
 * measured in one run: interleaved rounds (the order alternates), sequential requests from this
 * process over 127.0.0.1, p50 / p90 per build and the ratio; plus the same images searched in
 * process through this build's service (the API's overhead over the engine).
 *
 *   npm run build && node dist/bench/api-two-builds.js --baseline /path/to/other/checkout/dist/cli-bundle/main.js \
 *     [--per-class 10] [--queries 50] [--rounds 6]
 *
 * The collection: the first N gallery photos of every Caltech-101 class, mobilenetv2-int8, flat.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Embedder } from '../models/embedder.js';
import { fitInProcess } from '../service/fit-in-process.js';
import { ImsearchService } from '../service/service.js';
import { caltechDir, sharedModelsDir } from '../test/helpers/paths.js';
import { buildFixture, caltechFiles } from './api-fixture.js';
import { percentile } from './stats.js';

function arg(name: string, fallback: string | undefined): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const baselineCli = arg('baseline', undefined);
const perClass = Number(arg('per-class', '10'));
const queriesPerRound = Number(arg('queries', '50'));
const rounds = Number(arg('rounds', '6'));
const THIS_CLI = fileURLToPath(new URL('../cli-bundle/main.js', import.meta.url));
const QUERY = 'query Q($u: Upload!) { similarImages(upload: $u, k: 10) { matches { score item { id } } } }';

/** Starts `imsearch serve` from a CLI file on a free port; resolves with its URL once it prints it. */
function serve(cli: string, dataDir: string, collection: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [cli, '--data', dataDir, '--model-dir', sharedModelsDir, 'serve', '--port', '0', '--collection', collection], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cli} did not start within 120 s`)), 120_000);
    child.once('exit', (code) => reject(new Error(`${cli} exited with ${code} before listening`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /^(http:\/\/\S+)/m.exec(chunk.toString());
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child });
      }
    });
  });
}

/** One multipart similarImages request; resolves with its latency in ms. */
async function query(url: string, image: Buffer, name: string): Promise<number> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: QUERY, variables: { u: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.u'] }));
  form.append("0", new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), name);
  const t0 = performance.now();
  const res = await fetch(`${url}/graphql`, { method: 'POST', body: form, headers: { 'Apollo-Require-Preflight': 'true' } });
  const body = (await res.json()) as { errors?: { message: string }[]; data?: { similarImages: { matches: unknown[] } } };
  const ms = performance.now() - t0;
  if (body.errors?.length || body.data?.similarImages.matches.length !== 10) throw new Error(`${url}: ${JSON.stringify(body.errors ?? body)}`);
  return ms;
}

async function main(): Promise<void> {
  if (!baselineCli) throw new Error('--baseline <path to the other build\'s dist/cli-bundle/main.js> is required');
  const classes = (await fs.readdir(path.join(caltechDir, 'gallery'))).filter((c) => !c.startsWith('.')).sort();
  const fx = await buildFixture({ classes, perClass });
  const copy = path.join(fx.root, 'baseline-data');
  await fs.cp(fx.dataDir, copy, { recursive: true });
  const images: { name: string; data: Buffer }[] = [];
  for (const cls of classes) {
    for (const p of await caltechFiles('queries', cls, 1)) images.push({ name: path.basename(p), data: await fs.readFile(p) });
  }
  const servers = [
    { name: 'this build', ...(await serve(THIS_CLI, fx.dataDir, fx.collection)), ms: [] as number[] },
    { name: 'baseline', ...(await serve(baselineCli, copy, fx.collection)), ms: [] as number[] },
  ];
  const service = new ImsearchService({
    dataDir: fx.dataDir,
    embedders: (models, identity) => Embedder.create(models, { modelDir: sharedModelsDir, ...identity }),
    fit: fitInProcess,
  });
  const inProcess: number[] = [];
  try {
    let next = 0;
    const pick = () => images[next++ % images.length];
    for (const s of servers) for (let i = 0; i < 10; i++) await query(s.url, pick().data, 'warmup.jpg');
    for (let i = 0; i < 10; i++) await service.searchImage(fx.collection, pick().data, { k: 10 });
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? servers : [...servers].reverse();
      for (const s of order) {
        for (let i = 0; i < queriesPerRound; i++) {
          const img = pick();
          s.ms.push(await query(s.url, img.data, img.name));
        }
      }
      for (let i = 0; i < queriesPerRound; i++) {
        const t0 = performance.now();
        await service.searchImage(fx.collection, pick().data, { k: 10 });
        inProcess.push(performance.now() - t0);
      }
    }
  } finally {
    await service.close();
    for (const s of servers) s.child.kill('SIGTERM');
    await fx.remove();
  }
  const [a, b] = servers;
  const line = (name: string, ms: number[]) => `| ${name} | ${ms.length} | ${percentile(ms, 0.5).toFixed(2)} | ${percentile(ms, 0.9).toFixed(2)} |`;
  console.log(`${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
  console.log(`collection: ${fx.itemCount} items (${perClass} per class), mobilenetv2-int8, flat; ${rounds} interleaved rounds of ${queriesPerRound} queries\n`);
  console.log('| what | requests | p50 ms | p90 ms |\n| --- | --- | --- | --- |');
  console.log(line('similarImages, this build', a.ms));
  console.log(line(`similarImages, baseline (${baselineCli})`, b.ms));
  console.log(line('in process (ImsearchService.searchImage, this build)', inProcess));
  console.log(`\nthis build / baseline at p50: ${(percentile(a.ms, 0.5) / percentile(b.ms, 0.5)).toFixed(3)}; API / in-process at p50: ${(percentile(a.ms, 0.5) / percentile(inProcess, 0.5)).toFixed(3)}`);
}

await main();
