/**
 * Peer: indexing with Transformers.js (batch 16), as its documentation suggests. One JSON line.
 *
 *   node dist/bench/peers/transformers-loop.js --model-root DIR --threads 2 --batch 16 FILE_LIST
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadTransformers } from './transformers-model.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'model-root': { type: 'string' }, threads: { type: 'string', default: '2' }, batch: { type: 'string', default: '16' } },
});
const files = fs.readFileSync(positionals[0]!, 'utf8').split('\n').filter(Boolean);
const batchSize = Number(values.batch);
const t0 = performance.now();
const embed = await loadTransformers(values['model-root']!, Number(values.threads));
let images = 0;
for (let s = 0; s < files.length; s += batchSize) images += (await embed(files.slice(s, s + batchSize))).length;
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify({ images, seconds, imagesPerSecond: images / seconds })}\n`);
