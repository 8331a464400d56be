#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/main.js) and the worker entries it starts into
// dist/cli-bundle/, the `imsearch` bin: the same code as dist/, in a few ES module chunks
// instead of ~80 files. Node 20 pays about half a millisecond per ES module it resolves and
// links, so a one-shot `imsearch search` starts ~30 ms sooner (BENCHMARKS.md, session 7). The
// dynamic imports stay chunks of their own (code splitting), so `--help` still loads commander
// alone; npm packages stay imports (resolved from node_modules at run time); class and function
// names are kept (type-graphql names GraphQL types after classes).
//
// Usage (after tsc): node scripts/bundle-cli.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/cli-bundle');
fs.rmSync(outdir, { recursive: true, force: true });
await build({
  // Workers are started by URL next to the module that starts them (`new URL('./x.js',
  // import.meta.url)`), so each worker entry keeps its file name in the one output folder.
  entryPoints: {
    main: path.join(root, 'dist/cli/main.js'),
    'inference-worker': path.join(root, 'dist/models/onnx/inference-worker.js'),
    'embedder-worker': path.join(root, 'dist/service/embedder-worker.js'),
    'fit-worker': path.join(root, 'dist/service/fit-worker.js'),
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  keepNames: true,
  logLevel: 'warning',
});
fs.chmodSync(path.join(outdir, 'main.js'), 0o755);

// Paths a module takes relative to itself (worker scripts, page folders) now start from the
// bundle's folder: every one must exist there, or the bin would fail only when it gets there.
const RELATIVE_URL = /new URL\(\s*["'](\.{1,2}\/[^"']*)["']\s*,\s*import\.meta\.url\s*\)/g;
const missing = [];
for (const name of fs.readdirSync(outdir)) {
  for (const [, rel] of fs.readFileSync(path.join(outdir, name), 'utf8').matchAll(RELATIVE_URL)) {
    if (!fs.existsSync(path.resolve(outdir, rel))) missing.push(`${name}: new URL('${rel}', import.meta.url)`);
  }
}
if (missing.length) {
  console.error(`bundle-cli: paths that do not exist next to the bundle (add the entry or fix the path):\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
