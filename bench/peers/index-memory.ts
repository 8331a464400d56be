/**
 * Resident memory per served item of a vector index: RSS after adding n synthetic unit vectors
 * minus RSS before, over n. One JSON line. Run in a fresh process per size (bench/peers.ts).
 *
 *   node --expose-gc dist/bench/peers/index-memory.js --n 10000 --dim 1280 --spec flat
 */
import { parseArgs } from 'node:util';
import { createIndex } from '../../indexes/index.js';
import { randomUnitVectors } from '../../test/helpers/random-vectors.js';

const { values } = parseArgs({ options: { n: { type: 'string' }, dim: { type: 'string', default: '1280' }, spec: { type: 'string', default: 'flat' } } });
const n = Number(values.n);
const dim = Number(values.dim);
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const index = createIndex(values.spec!, dim);
await index.search(new Float32Array(dim), 1); // the addon and its allocator are loaded before the baseline
gc();
const before = process.memoryUsage().rss;
const chunk = 10_000;
for (let s = 0; s < n; s += chunk) {
  const m = Math.min(chunk, n - s);
  index.add(Int32Array.from({ length: m }, (_, i) => s + i), randomUnitVectors(m, dim, s + 1));
}
await index.search(new Float32Array(dim), 1); // applies the pending adds
gc();
const after = process.memoryUsage().rss;
process.stdout.write(`${JSON.stringify({ n, dim, spec: values.spec, rssDeltaMiB: (after - before) / 2 ** 20, bytesPerItem: (after - before) / n, rawVectorBytes: 4 * dim })}\n`);
