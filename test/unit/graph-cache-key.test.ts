/**
 * The optimised-graph cache's key (models/onnx/graph-cache.ts): a saved graph is reused only for
 * the same model bytes, graph edit, session options, runtime version and CPU.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { graphCacheEntry, graphKey, type GraphKeyParts } from '../../models/onnx/graph-cache.js';

const base: GraphKeyParts = {
  manifest: { name: 'm', output: { name: 'embedding', dim: 1280 } },
  modelSha256: 'a'.repeat(64),
  options: { intraOpNumThreads: 2, graphOptimizationLevel: 'all', extra: { session: { x64quantprecision: '1' } } },
  ortVersion: '1.30.0',
  cpu: 'x64 AMD EPYC avx2 fma',
};

describe('graph cache key', () => {
  it('is stable for the same parts and changes with each of them', () => {
    const k = graphKey(base);
    assert.match(k, /^[0-9a-f]{32}$/);
    assert.equal(graphKey({ ...base, options: { ...base.options } }), k);
    const variants: GraphKeyParts[] = [
      { ...base, modelSha256: 'b'.repeat(64) },
      { ...base, manifest: { name: 'm', output: { name: 'embedding', dim: 1280, expose: { from: { op: 'GlobalAveragePool', port: 'output' }, flatten: true } } } },
      { ...base, options: { ...base.options, intraOpNumThreads: 1 } },
      { ...base, options: { ...base.options, extra: { session: { x64quantprecision: '0' } } } },
      { ...base, ortVersion: '1.31.0' },
      { ...base, cpu: 'x64 AMD EPYC avx2 fma avx512f' },
    ];
    const keys = variants.map(graphKey);
    for (const v of keys) assert.notEqual(v, k);
    assert.equal(new Set(keys).size, keys.length);
  });

  it('names the file after the model and the key, in the cache directory, with a scratch file beside it', () => {
    const e = graphCacheEntry(base, { IMSEARCH_CACHE_DIR: '/c' });
    assert.equal(e.file, `/c/onnx-graphs/m-${graphKey(base)}.onnx`);
    assert.match(e.scratch, new RegExp(`^/c/onnx-graphs/\\.m-${graphKey(base)}\\.onnx\\.\\d+\\.[0-9a-f]{8}\\.tmp$`));
  });
});
