/**
 * Does an int8 model's embedding depend on the CPU? ONNX Runtime's x86 int8 GEMM for u8 activations
 * × s8 weights (QLinearConv) multiplies pairs into saturating 16-bit sums on AVX2 / AVX-512 without
 * VNNI; with VNNI (or with the session option `session.x64quantprecision` = 1, which widens to 16
 * bits first) the sums are exact. This runs one model alone (exact cosine, no crop, no flip: the
 * correctness anchor's protocol) on the Caltech gallery/queries with the option off and on, and
 * reports MAP@10 for both and the mean cosine between the two embeddings of the same photo.
 *
 *   node dist/bench/int8-precision.js [--model-dir DIR] [--dataset DIR] [--model mobilenetv2-int8] [--limit N]
 *
 * Decoding and preprocessing are the product's (models/image); only the session differs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { decodeImage } from '../models/image/decode.js';
import { preprocess } from '../models/image/preprocess.js';
import { getManifest } from '../models/manifest/registry.js';
import { scoreRetrieval } from '../metric/index.js';
import { listLabelledFiles } from '../store/folder-listing.js';
import { PATH_OPTIONS } from './caltech-ensemble.js';

const { values: args } = parseArgs({
  options: {
    'model-dir': PATH_OPTIONS['model-dir'],
    dataset: PATH_OPTIONS.dataset,
    model: { type: 'string', default: 'mobilenetv2-int8' },
    limit: { type: 'string' },
  },
});
const manifest = getManifest(args.model);
const bytes = fs.readFileSync(path.join(args['model-dir'], manifest.file));
const limit = args.limit ? Number(args.limit) : Infinity;
const BATCH = 16;
const per = 3 * manifest.input.height * manifest.input.width;
const dim = manifest.output.dim;

interface Embedded {
  labels: string[];
  plain: Float32Array;
  precise: Float32Array;
}

function normalise(v: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const row = v.subarray(i * dim, (i + 1) * dim);
    let s = 0;
    for (const x of row) s += x * x;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) row[j] *= inv;
  }
}

async function embed(folder: string, sessions: ort.InferenceSession[]): Promise<Embedded> {
  const files = (await listLabelledFiles(folder)).files.slice(0, limit);
  const n = files.length;
  const out = sessions.map(() => new Float32Array(n * dim));
  for (let s = 0; s < n; s += BATCH) {
    const batch = files.slice(s, s + BATCH);
    const input = new Float32Array(batch.length * per);
    for (let i = 0; i < batch.length; i++) input.set(preprocess(await decodeImage(batch[i].path), manifest) as Float32Array, i * per);
    const feed = { [manifest.input.name]: new ort.Tensor('float32', input, [batch.length, 3, manifest.input.height, manifest.input.width]) };
    for (let k = 0; k < sessions.length; k++) out[k].set((await sessions[k].run(feed))[manifest.output.name].data as Float32Array, s * dim);
    if ((s / BATCH) % 50 === 0) process.stderr.write(`${path.basename(folder)} ${s + batch.length}/${n}\n`);
  }
  for (const o of out) normalise(o, n);
  return { labels: files.map((f) => f.label ?? ''), plain: out[0], precise: out[1] };
}

function map10(g: Float32Array, gLabels: string[], q: Float32Array, qLabels: string[]) {
  const relevant = new Map<string, number>();
  for (const l of gLabels) relevant.set(l, (relevant.get(l) ?? 0) + 1);
  const ng = gLabels.length;
  const outcomes = qLabels.map((label, i) => {
    const qi = q.subarray(i * dim, (i + 1) * dim);
    const scores = new Float32Array(ng);
    for (let j = 0; j < ng; j++) {
      let s = 0;
      const off = j * dim;
      for (let d = 0; d < dim; d++) s += qi[d] * g[off + d];
      scores[j] = s;
    }
    // Ties by gallery order (stable), as the protocol says.
    const top = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, 10);
    return { label, retrievedLabels: top.map((j) => gLabels[j]), relevantTotal: relevant.get(label) ?? 0 };
  });
  return scoreRetrieval(outcomes, 10);
}

const options = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' as const, graphOptimizationLevel: 'all' as const };
const plain = await ort.InferenceSession.create(bytes, options);
const precise = await ort.InferenceSession.create(bytes, { ...options, extra: { session: { x64quantprecision: '1' } } });
const G = await embed(path.join(args.dataset, 'gallery'), [plain, precise]);
const Q = await embed(path.join(args.dataset, 'queries'), [plain, precise]);
let cosSum = 0;
const rows = G.labels.length;
for (let i = 0; i < rows; i++) {
  let s = 0;
  for (let d = 0; d < dim; d++) s += G.plain[i * dim + d] * G.precise[i * dim + d];
  cosSum += s;
}
const fmt = (s: ReturnType<typeof scoreRetrieval>) => `MAP@10 ${s.map.toFixed(4)}, class-balanced ${s.classBalancedMap.toFixed(4)}, P@1 ${s.precisionAt1.toFixed(4)}`;
console.log(`${args.model}, ${rows} gallery / ${Q.labels.length} queries, exact cosine, orig view`);
console.log(`  default session (this CPU's int8 kernels): ${fmt(map10(G.plain, G.labels, Q.plain, Q.labels))}`);
console.log(`  session.x64quantprecision = 1 (exact int8 sums): ${fmt(map10(G.precise, G.labels, Q.precise, Q.labels))}`);
console.log(`  mean cosine between the two embeddings of a gallery photo: ${(cosSum / rows).toFixed(4)}`);
