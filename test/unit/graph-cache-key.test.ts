/**
 * The optimised-graph cache's key (models/onnx/graph-cache.ts): a saved graph is reused only for
 * the same verified model bytes, graph edit, session options, runtime version and CPU.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { GRAPH_EDIT_VERSION, cpuIdentityOf, graphCacheEntry, graphKey, type GraphKeyParts } from '../../models/onnx/graph-cache.js';
import { repoRoot } from '../helpers/paths.js';

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

  it('reads the runtime version and the CPU of this machine when not given', () => {
    const { ortVersion: _o, cpu: _c, ...measured } = base;
    const k = graphKey(measured);
    assert.match(k, /^[0-9a-f]{32}$/);
    assert.equal(graphKey(measured), k);
    assert.notEqual(k, graphKey({ ...measured, cpu: 'another CPU' }));
    const ort = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version as string;
    assert.notEqual(k, graphKey({ ...measured, ortVersion: `${ort}-other` }));
  });

  it('describes a CPU by its first /proc/cpuinfo block without per-core or changing lines', () => {
    const x86 = 'processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2994.3\nflags\t\t: fpu avx2 fma\nbogomips\t: 5988\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2800.1\n';
    const same = x86.replace('2994.3', '1500.0').replace('5988', '6000');
    assert.equal(cpuIdentityOf(x86, 'x64', 'AMD EPYC'), cpuIdentityOf(same, 'x64', 'AMD EPYC'));
    assert.notEqual(cpuIdentityOf(x86, 'x64', 'AMD EPYC'), cpuIdentityOf(x86.replace('avx2 fma', 'avx2 fma avx512f'), 'x64', 'AMD EPYC'));
    const arm = 'processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd sve\nCPU implementer\t: 0x41\nCPU part\t: 0xd40\n';
    assert.notEqual(cpuIdentityOf(arm, 'arm64', ''), cpuIdentityOf(arm.replace('0xd40', '0xd0c'), 'arm64', ''));
    assert.match(cpuIdentityOf(null, 'arm64', 'Apple M2'), /arm64\nApple M2/);
  });

  it('names the file after the model and the key, in the cache directory, with a scratch file beside it', () => {
    const e = graphCacheEntry(base, { IMSEARCH_CACHE_DIR: '/c' });
    assert.ok(e);
    assert.equal(e.file, `/c/onnx-graphs/m-${graphKey(base)}.onnx`);
    assert.match(e.scratch, new RegExp(`^/c/onnx-graphs/\\.m-${graphKey(base)}\\.onnx\\.\\d+\\.[0-9a-f]{8}\\.tmp$`));
  });

  it('caches nothing for bytes whose sha256 is not a verified one', () => {
    for (const sha of ['-', '', 'A'.repeat(64), 'a'.repeat(63)]) assert.equal(graphCacheEntry({ ...base, modelSha256: sha }, { IMSEARCH_CACHE_DIR: '/c' }), null);
  });

  it('the graph edit has the version the key records (bump GRAPH_EDIT_VERSION when the edit changes, then this hash)', () => {
    const edit = createHash('sha256');
    for (const f of ['models/onnx/graph-edit.ts', 'models/onnx/protowire.ts']) edit.update(fs.readFileSync(path.join(repoRoot, f)));
    assert.deepEqual({ version: GRAPH_EDIT_VERSION, sources: edit.digest('hex') }, { version: 1, sources: '3c3e8e2b839d9ed814aa62f4c0330de22668744db15ce77185df56c557b27ccb' });
  });
});
