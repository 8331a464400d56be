/**
 * A read-only data directory (a read-only bind mount in a private mount namespace, made with
 * unshare) serves reads, and refuses writes with STORAGE_READ_ONLY naming the file. Before,
 * every command failed with SQLITE_CANTOPEN: SQLite cannot open a WAL database there.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Fixture, buildFixture } from '../../bench/api-fixture.js';
import { cliBin } from '../helpers/paths.js';
import { canMountReadOnly, runWithReadOnly } from '../helpers/read-only-mount.js';

const supported = canMountReadOnly();
let fx: Fixture;
before(async () => {
  if (supported) fx = await buildFixture({ perClass: 2 });
});
after(async () => {
  await fx?.remove();
});

/** Runs the CLI with fx.dataDir mounted read-only (only inside the child's namespace). */
function cliReadOnly(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runWithReadOnly([fx.dataDir], [process.execPath, cliBin, '--data', fx.dataDir, '--model-dir', fx.modelDir, ...args]);
}

test('reads work on a read-only data directory; writes are STORAGE_READ_ONLY naming the file', { skip: !supported && 'needs unshare -m and mount (a private mount namespace)', timeout: 120_000 }, async () => {
  const list = await cliReadOnly('collections');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /"name":"fixture","items":6/);

  const search = await cliReadOnly('search', fx.files.Leopards[0], '-c', 'fixture', '-k', '2', '--json');
  assert.equal(search.code, 0, search.stderr);
  assert.equal(JSON.parse(search.stdout)[0].label, 'Leopards');

  const remove = await cliReadOnly('remove', '-c', 'fixture', '1');
  assert.equal(remove.code, 1);
  assert.match(remove.stderr, /STORAGE_READ_ONLY: .*items\.sqlite.*read-only/);
});
