/**
 * The unit tier needs no native addon and no browser: no compiled unit test reaches faiss-node,
 * annoy, onnxruntime, sharp, better-sqlite3 or playwright (statically, through any chain of the
 * repository's own modules), nor indexes/native.js (which loads the Annoy addon by path).
 * `npm run test:unit` also runs with process.dlopen disabled (test/helpers/no-native.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NATIVE_PACKAGES, jsFilesUnder, reach } from '../helpers/import-graph.js';

const unitDir = path.dirname(fileURLToPath(import.meta.url));
const distRoot = path.resolve(unitDir, '../..');
const nativeLoader = path.join(distRoot, 'indexes/native.js');

test('no unit test reaches a native addon or the browser', () => {
  const entries = jsFilesUnder(unitDir).filter((f) => f.endsWith('.test.js'));
  assert.ok(entries.length >= 5, `unit tests found: ${entries.length}`);
  for (const entry of entries) {
    const r = reach([entry]);
    for (const pkg of NATIVE_PACKAGES) {
      const chain = r.packages.get(pkg);
      assert.equal(chain, undefined, `${path.relative(distRoot, entry)} reaches ${pkg} via ${chain?.map((f) => path.relative(distRoot, f)).join(' -> ')}`);
    }
    assert.ok(!r.files.has(nativeLoader), `${path.relative(distRoot, entry)} reaches indexes/native.js`);
  }
});

test('the scan sees native imports where they are (engine tier), so its silence above means something', () => {
  const indexes = path.join(distRoot, 'test/engine/indexes.test.js');
  const embed = path.join(distRoot, 'test/engine/models-embed.test.js');
  for (const f of [indexes, embed]) assert.ok(fs.existsSync(f), `${f} is built`);
  assert.ok(reach([indexes]).files.has(nativeLoader));
  assert.ok(reach([indexes]).packages.has('faiss-node'));
  assert.ok(reach([embed]).packages.has('onnxruntime-node'));
  assert.ok(reach([embed]).packages.has('sharp'));
});

test('the unit run really has native loading disabled', () => {
  // Set by npm run test:unit; when a unit file is run by hand without it this says so.
  const guarded = (process.env.NODE_OPTIONS ?? '').includes('no-native') || process.execArgv.some((a) => a.includes('no-native'));
  assert.ok(guarded, 'run the unit tier with npm run test:unit (node --import ./dist/test/helpers/no-native.js)');
  assert.throws(() => process.dlopen({ exports: {} }, path.join(distRoot, 'nothing.node')), /must not load native addons/);
});
