/**
 * `imsearch --help` and the start of every command stay cheap: the CLI entry loads commander and
 * light helpers only; the service, ONNX Runtime, sharp, the index addons and the server stack are
 * loaded inside the action that needs them (issue 14: `--help` took 1.1-1.3 s).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NATIVE_PACKAGES, reach } from '../helpers/import-graph.js';
import { cliBin } from '../helpers/paths.js';

const distRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const main = path.join(distRoot, 'cli/main.js');
const LAZY = [...NATIVE_PACKAGES, '@apollo/server', 'express', 'graphql', 'type-graphql'];

test('the CLI entry statically reaches no native addon and not the server', () => {
  const r = reach([main], { staticOnly: true });
  for (const pkg of LAZY) {
    assert.equal(r.packages.get(pkg), undefined, `cli/main.js loads ${pkg} at start via ${r.packages.get(pkg)?.map((f) => path.relative(distRoot, f)).join(' -> ')}`);
  }
  assert.ok(!r.files.has(path.join(distRoot, 'server/app.js')));
  assert.ok(!r.files.has(path.join(distRoot, 'service/service.js')));
});

test('so does the bundled bin (its lazy imports stay chunks of their own)', () => {
  const r = reach([cliBin], { staticOnly: true });
  assert.ok(r.files.size > 1, 'the bundle entry imports its shared chunks');
  for (const pkg of LAZY) {
    assert.equal(r.packages.get(pkg), undefined, `the bundled bin loads ${pkg} at start via ${r.packages.get(pkg)?.map((f) => path.relative(distRoot, f)).join(' -> ')}`);
  }
  const all = reach([cliBin]);
  for (const pkg of ['onnxruntime-node', 'sharp', 'better-sqlite3', '@apollo/server']) assert.ok(all.packages.has(pkg), `the bundle can still load ${pkg}`);
});

test('--help of the program and of each command works with native loading disabled, unbundled and bundled', () => {
  // The unit tier's NODE_OPTIONS (no-native) reaches the child: any addon load would fail it.
  for (const entry of [main, cliBin]) {
    for (const args of [['--help'], ['index', '--help'], ['search', '--help'], ['serve', '--help'], ['models', 'pull', '--help']]) {
      const r = spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, `${path.relative(distRoot, entry)} ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /Usage: imsearch/);
    }
  }
});
