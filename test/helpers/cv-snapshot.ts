/**
 * The parts of a CvResult that must not move under a refactor (timings left out), as JSON text
 * with every number at full precision (non-finite ones spelled out, since JSON has no Infinity).
 */
import { createHash } from 'node:crypto';
import { hashArtifact, type CvResult } from '../../metric/index.js';

export function cvSnapshot(r: CvResult): string {
  const value = {
    params: r.params,
    rerank: r.rerank,
    scores: r.scores,
    table: r.table.map(({ millis: _m, ...row }) => row),
    rerankTable: r.rerankTable,
    thresholds: r.thresholds,
    // 100 pairs per held-out query: their exact bytes, hashed.
    calibrationPairs: createHash('sha256').update(new Uint8Array(r.calibrationPairs.scores.buffer)).update(r.calibrationPairs.same).digest('hex'),
    artifactHash: r.artifact ? hashArtifact(r.artifact) : null,
    // Issue 13's grid keys (head, ensemble weights) came after the snapshot was recorded; the
    // snapshot's gallery chooses neither, so every other value must still match bit for bit.
    grid: Object.fromEntries(Object.entries(r.grid).filter(([key]) => !['headL2s', 'headWeights', 'headViews', 'headPriors', 'headIterations', 'blockWeights'].includes(key))),
    split: r.split,
  };
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1);
}
