/**
 * Peer: a one-shot search script: load the model, embed one photo, brute-force cosine against a
 * saved matrix of unit vectors (float32, n x dim, as the plain loop would have saved it), print
 * the top k.
 *
 *   node dist/bench/peers/plain-search.js --model FILE --vectors FILE.f32 --dim 1280 [-k 10] IMAGE
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { SIZE, embedBatch, openSession, preprocessInto } from './plain-common.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { model: { type: 'string' }, vectors: { type: 'string' }, dim: { type: 'string', default: '1280' }, k: { type: 'string', short: 'k', default: '10' }, 'exact-int8': { type: 'boolean', default: false } },
});
const dim = Number(values.dim);
const session = await openSession(values.model!, 2, values['exact-int8']);
const batch = new Float32Array(3 * SIZE * SIZE);
await preprocessInto(positionals[0]!, batch, 0);
const [q] = await embedBatch(session, batch, 1);
const buf = fs.readFileSync(values.vectors!);
const m = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const n = m.length / dim;
const scores: { id: number; score: number }[] = [];
for (let i = 0; i < n; i++) {
  let s = 0;
  for (let j = 0; j < dim; j++) s += m[i * dim + j]! * q![j]!;
  scores.push({ id: i, score: s });
}
scores.sort((a, b) => b.score - a.score);
process.stdout.write(`${JSON.stringify(scores.slice(0, Number(values.k)))}\n`);
