/**
 * Issue 13: what the head and the block weights add to a query's metric step. Times
 * Metric.transform (+ classPrior, when the artifact has a head) one query at a time, for two
 * artifacts of the same gallery, on the cached query vectors. Embedding (tens of ms per query)
 * and the index probe are left out: they are the same for both.
 *
 *   node dist/bench/issue13-query-cost.js --queries DIR --before FILE --after FILE [--n 500]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Collection } from '../store/collection.js';
import { galleryMatrix } from '../service/ensemble-space.js';
import { Metric } from '../metric/index.js';
import { median as p50 } from './stats.js';

const { values } = parseArgs({ options: { queries: { type: 'string' }, before: { type: 'string' }, after: { type: 'string' }, n: { type: 'string', default: '500' } } });
const queries = await Collection.open(values.queries!);
const Q = galleryMatrix(queries, queries.manifest.views);
const n = Math.min(Number(values.n), Q.ids.length);
const metrics = [values.before!, values.after!].map((f) => Metric.load(fs.readFileSync(f)));
const times: number[][] = metrics.map(() => []);
for (let round = 0; round < 2; round++) {
  for (let i = 0; i < n; i++) {
    const x = Q.data.subarray(i * Q.dim, (i + 1) * Q.dim);
    metrics.forEach((m, j) => {
      const t0 = performance.now();
      const t = m.transform(x);
      m.classPrior(t);
      if (round === 1) times[j].push(performance.now() - t0);
    });
  }
}
metrics.forEach((m, j) => console.log(`${j === 0 ? 'before' : 'after'} (head ${m.artifact.head ? 'yes' : 'no'}, block weights ${m.artifact.blockWeights ? m.artifact.blockWeights.weights.join('/') : 'none'}): transform + prior p50 ${p50(times[j]).toFixed(3)} ms, mean ${(times[j].reduce((a, b) => a + b, 0) / n).toFixed(3)} ms`));
queries.close();
