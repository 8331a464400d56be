#!/usr/bin/env node
// Builds the native index addons (run by `npm ci` as part of postinstall, after patch-package):
//   1. faiss-node, patched by patches/faiss-node+0.5.1.patch, compiled with cmake-js against the
//      system FAISS (Debian: libfaiss-dev, libopenblas-dev, cmake, g++);
//   2. indexes/native/annoy: an N-API addon over the annoylib.h bundled in the `annoy` package.
// Both use node-api-headers (no header download). Then both are loaded and smoke-tested.
//
// Usage: node scripts/build-native.mjs [--force] [--only=faiss|annoy]
// Env:   IMSEARCH_SKIP_NATIVE_BUILD=1 skips everything; IMSEARCH_NATIVE_JOBS (default 2).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const force = args.includes('--force');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const jobs = String(Number(process.env.IMSEARCH_NATIVE_JOBS) || 2);
const DEBIAN_PACKAGES = 'cmake g++ libfaiss-dev libopenblas-dev';

function fail(message) {
  console.error(`\nbuild-native: ${message}\n`);
  process.exit(1);
}

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  return r.status === 0;
}

function packageDir(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    fail(`the npm package "${name}" is not installed: run \`npm ci\` first`);
  }
}

if (process.env.IMSEARCH_SKIP_NATIVE_BUILD === '1') {
  console.log('build-native: skipped (IMSEARCH_SKIP_NATIVE_BUILD=1)');
  process.exit(0);
}

const cmake = spawnSync('cmake', ['--version'], { encoding: 'utf8' });
if (cmake.error || cmake.status !== 0) {
  fail(`cmake is not installed. Install the Debian packages: apt-get install -y ${DEBIAN_PACKAGES}`);
}

const cmakeJs = path.join(packageDir('cmake-js'), 'bin', 'cmake-js');

function cmakeJsBuild(label, dir, extra = []) {
  console.log(`build-native: building ${label} in ${path.relative(root, dir) || dir}`);
  const ok = run(process.execPath, [cmakeJs, force ? 'rebuild' : 'compile', '-d', dir, '-p', jobs, '-l', 'warn', ...extra]);
  if (!ok) {
    fail(
      `building ${label} failed (see the compiler output above). It needs the Debian packages ` +
        `${DEBIAN_PACKAGES}; then run \`npm run build:native -- --force\`.`,
    );
  }
}

const built = [];

if (!only || only === 'faiss') {
  const faissDir = packageDir('faiss-node');
  if (!fs.existsSync(path.join(faissDir, 'src', 'faiss_compat.h'))) {
    fail(
      'faiss-node is not patched (src/faiss_compat.h is missing): run `npx patch-package` ' +
        '(postinstall does) so patches/faiss-node+0.5.1.patch is applied before building',
    );
  }
  cmakeJsBuild('faiss-node (system libfaiss)', faissDir);
  built.push('faiss');
}

if (!only || only === 'annoy') {
  const annoyDir = packageDir('annoy');
  cmakeJsBuild('the Annoy addon', path.join(root, 'indexes', 'native', 'annoy'), [`--CDANNOY_INCLUDE_DIR=${annoyDir}`]);
  built.push('annoy');
}

// Smoke test in a child process: a native load failure is reported, not a crash of this script.
const smoke = `
const built = ${JSON.stringify(built)};
const d = 4, x = new Float32Array([1,0,0,0, 0,1,0,0, 0,0,1,0]);
(async () => {
  if (built.includes('faiss')) {
    const faiss = require('faiss-node');
    const ix = faiss.Index.fromFactory(d, 'IDMap2,HNSW32,Flat', faiss.MetricType.METRIC_INNER_PRODUCT);
    ix.addWithIds(x, new BigInt64Array([7n, 8n, 9n]));
    ix.setParameters('efSearch=16');
    const r = await ix.searchAsync(x.subarray(4, 8), 10);
    if (r.k !== 3 || r.labels[0] !== 8n) throw new Error('faiss-node smoke test: unexpected result');
  }
  if (built.includes('annoy')) {
    const { AnnoyIndex } = require(${JSON.stringify(path.join(root, 'indexes/native/annoy/build/Release/imsearch_annoy.node'))});
    const a = new AnnoyIndex(d, 'dot');
    await a.buildAsync(x, 2, 1);
    const r = await a.searchAsync(x.subarray(8, 12), 10, -1);
    if (r.k !== 3 || r.labels[0] !== 2) throw new Error('annoy addon smoke test: unexpected result');
  }
  console.log('build-native: smoke test passed (' + built.join(', ') + ')');
})().catch((e) => { console.error(e.message); process.exit(1); });
`;
if (built.length && !run(process.execPath, ['-e', smoke])) {
  fail('the native addons built but did not load or answer correctly (see above)');
}
