/**
 * Peer: a plain sequential indexing loop (decode a batch of 16 with sharp, run it, next batch).
 * Prints one JSON line: images, seconds, images per second, peak RSS.
 *
 *   node dist/bench/peers/plain-loop.js --model FILE --threads 2 --batch 16 [--out VECTORS.f32] [--exact-int8] FILE_LIST
 * FILE_LIST: a text file with one photo path a line.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { SIZE, embedBatch, openSession, preprocessInto } from './plain-common.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { model: { type: 'string' }, threads: { type: 'string', default: '2' }, batch: { type: 'string', default: '16' }, out: { type: 'string' }, 'exact-int8': { type: 'boolean', default: false } },
});
const files = fs.readFileSync(positionals[0]!, 'utf8').split('\n').filter(Boolean);
const batchSize = Number(values.batch);
const t0 = performance.now();
const session = await openSession(values.model!, Number(values.threads), values['exact-int8']);
const batch = new Float32Array(batchSize * 3 * SIZE * SIZE);
const vectors: Float32Array[] = [];
for (let s = 0; s < files.length; s += batchSize) {
  const chunk = files.slice(s, s + batchSize);
  await Promise.all(chunk.map((f, i) => preprocessInto(f, batch, i)));
  vectors.push(...(await embedBatch(session, batch, chunk.length)));
}
const seconds = (performance.now() - t0) / 1000;
if (values.out) fs.writeFileSync(values.out, Buffer.concat(vectors.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength))));
process.stdout.write(`${JSON.stringify({ images: vectors.length, seconds, imagesPerSecond: vectors.length / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
