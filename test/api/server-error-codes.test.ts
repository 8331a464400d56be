/**
 * Every error code a client can meet through the API, each provoked for real and checked in
 * `extensions.code` (or a job's / an upload's `code`). Codes only the CLI can meet (model store,
 * model directory) are listed at the end with the test that covers them; the list is checked
 * against errors/error-codes.ts so a new code cannot go untested.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import { ERROR_CODE_LIST, type ErrorCode } from '../../errors/error-codes.js';
import type { RunningServer } from '../../server/app.js';
import { ImsearchClient } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import { WebSocket } from 'ws';
import { rejectsWithCode } from '../helpers/sdk-errors.js';
import { sharedModelsDir } from '../helpers/paths.js';

const KEY = 'error-codes-test-key';
let fx: Fixture;
let server: RunningServer;
let admin: ImsearchClient;
let anonymous: ImsearchClient;
let photo: File;
const covered = new Set<ErrorCode>();

/** A raw GraphQL-over-HTTP request; resolves with the first error's code. */
async function rawCode(init: RequestInit & { body: BodyInit }): Promise<string | undefined> {
  const res = await fetch(`${server.url}/graphql`, { method: 'POST', ...init });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return body.errors?.[0]?.extensions?.code;
}

const json = (query: string, extra: Record<string, unknown> = {}) => ({
  headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
  body: JSON.stringify({ query, ...extra }),
});

async function expectCode(code: ErrorCode, p: Promise<unknown>, message?: RegExp): Promise<void> {
  await rejectsWithCode(p, code, message);
  covered.add(code);
}

before(async () => {
  fx = await buildFixture({ perClass: 3 });
  const roots = path.join(fx.root, 'roots');
  await fs.mkdir(roots);
  server = await startFixtureServer(fx, { apiKey: KEY, roots: [roots], limits: { maxUploadBytes: 200_000, maxFiles: 2 } });
  admin = new ImsearchClient({ endpoint: `${server.url}/graphql`, apiKey: KEY, webSocketImpl: WebSocket });
  anonymous = new ImsearchClient({ endpoint: `${server.url}/graphql` });
  photo = await fileFromPath(fx.files.Leopards[0]);
});

after(async () => {
  await server?.close();
  await fx?.remove();
});

describe('every API error code, provoked', () => {
  it('request-level codes: parse, validation, operation, bad request', async () => {
    assert.equal(await rawCode(json('{ collections { name ')), 'GRAPHQL_PARSE_FAILED');
    assert.equal(await rawCode(json('{ collections { nope } }')), 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(await rawCode(json('query A { limits { maxK } }', { operationName: 'B' })), 'OPERATION_RESOLUTION_FAILURE');
    const form = new FormData();
    form.append('operations', '{not json');
    form.append('map', '{}');
    assert.equal(await rawCode({ headers: { 'apollo-require-preflight': 'true' }, body: form }), 'BAD_REQUEST');
    for (const c of ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST'] as const) covered.add(c);
  });

  it('argument codes', async () => {
    await expectCode('BAD_K', admin.similarImages(photo, { k: 0 }), /k must be an integer from 1 to 100/);
    await expectCode('BAD_PRECISION', admin.similarImages(photo, { minPrecision: 2 }));
    await expectCode('BAD_USER_INPUT', admin.items({ first: 100_000 }), /first must be an integer from 0 to 500/);
    await expectCode('BAD_CURSOR', admin.items({ after: 'not-a-cursor' }));
    await expectCode('BAD_INDEX_SPEC', admin.rebuildIndex({ indexSpec: 'nope' }));
    await expectCode('BAD_COLLECTION_NAME', admin.createCollection({ name: '../up', models: [{ name: 'mobilenetv2-int8', weight: 1 }] }));
  });

  it('lookup codes', async () => {
    await expectCode('UNKNOWN_COLLECTION', admin.similarImages(photo, { collection: 'nope' }));
    await expectCode('UNKNOWN_ITEM', admin.removeItems({ ids: ['999999'] }));
    await expectCode('UNKNOWN_MODEL', admin.similarImages(photo, { models: ['nope'] }));
    await expectCode('UNKNOWN_JOB', admin.watchJob('no-such-job'));
    await expectCode('COLLECTION_EXISTS', admin.createCollection({ name: fx.collection, models: [{ name: 'mobilenetv2-int8', weight: 1 }] }));
  });

  it('image and upload codes', async () => {
    const text = new File([new TextEncoder().encode('not an image at all')], 'notes.txt', { type: 'text/plain' });
    await expectCode('BAD_IMAGE', admin.similarImages(text));
    const big = new File([new Uint8Array(300_000)], 'big.jpg', { type: 'image/jpeg' });
    await expectCode('UPLOAD_TOO_LARGE', admin.similarImages(big));
    await expectCode('TOO_MANY_FILES', admin.addImages({ images: [{ file: photo }, { file: photo }, { file: photo }] }));
    const outcome = await admin.addImages({ images: [{ file: text }] });
    assert.equal(outcome.results[0].code, 'BAD_IMAGE');
  });

  it('auth and path codes', async () => {
    await expectCode('UNAUTHENTICATED', anonymous.removeItems({ ids: ['1'] }));
    await expectCode('PATH_NOT_ALLOWED', admin.indexFolder({ path: '/etc' }));
  });

  it('metric codes: not labelled, not calibrated; an index that cannot train', async () => {
    await admin.createCollection({ name: 'unlabelled', models: [{ name: 'mobilenetv2-int8', weight: 1 }] });
    await admin.addImages({ images: [{ file: photo }], collection: 'unlabelled' });
    await expectCode('NOT_LABELLED', admin.fitMetric({ collection: 'unlabelled' }));
    await expectCode('NOT_CALIBRATED', admin.similarImages(photo, { minPrecision: 0.9 }));
    const job = await admin.waitForJob((await admin.rebuildIndex({ indexSpec: 'ivfpq:nlist=1024', collection: 'unlabelled' })).job.id, { timeoutMs: 60_000 });
    assert.equal(job.state, 'FAILED');
    assert.equal(job.code, 'TOO_FEW_TO_TRAIN');
    covered.add('TOO_FEW_TO_TRAIN');
    const still = await admin.similarImages(photo, { collection: 'unlabelled', k: 1 });
    assert.equal(still.matches.length, 1, 'the old index keeps serving');
  });

  it('model codes: missing, corrupt, unverified files; a collection whose model changed', async () => {
    // resnet50-v2 has a manifest but no file in the test model store.
    await expectCode('MODEL_MISSING', admin.createCollection({ name: 'needs-resnet', models: [{ name: 'resnet50-v2', weight: 1 }] }), /resnet50-v2/);

    const modelDir = path.join(fx.root, 'models');
    await fs.cp(sharedModelsDir, modelDir, { recursive: true });
    const file = path.join(modelDir, 'mobilenet_v1_0.25_224-emb.onnx');
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 1] ^= 0xff;
    await fs.writeFile(file, bytes);
    // clip-vit-b32 publishes no sha256: any file under its name is unverified until the store records one.
    await fs.copyFile(path.join(sharedModelsDir, 'mobilenet_v1_0.25_224-emb.onnx'), path.join(modelDir, 'clip-vit-b32-vision_model.onnx'));
    const other = await startFixtureServer(fx, { apiKey: KEY, modelDir, collections: [] });
    try {
      const c = new ImsearchClient({ endpoint: `${other.url}/graphql`, apiKey: KEY });
      await expectCode('MODEL_CORRUPT', c.createCollection({ name: 'corrupt', models: [{ name: 'mobilenet-v1-025', weight: 1 }] }));
      await expectCode('MODEL_UNVERIFIED', c.createCollection({ name: 'unverified', models: [{ name: 'clip-vit-b32', weight: 1 }] }));
    } finally {
      await other.close();
    }

    const manifestFile = path.join(fx.dataDir, 'collections', 'unlabelled', 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
    manifest.models[0].sha256 = '0'.repeat(64);
    await fs.writeFile(manifestFile, JSON.stringify(manifest));
    await expectCode('MODEL_MISMATCH', admin.similarImages(photo, { collection: 'unlabelled' }));
  });

  it('a broken collection', async () => {
    await fs.writeFile(path.join(fx.dataDir, 'collections', 'unlabelled', 'manifest.json'), '{ torn');
    await expectCode('COLLECTION_BROKEN', admin.collection('unlabelled'), /not valid JSON/);
    const ok = await admin.similarImages(photo, { k: 1 });
    assert.equal(ok.matches.length, 1, 'other collections keep serving');
  });

  it('STORAGE_FULL on a data directory that is full (a tmpfs the test mounts); searches go on', async (t) => {
    const mnt = path.join(fx.root, 'small-disk');
    await fs.mkdir(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      t.skip('mounting a tmpfs needs root (CI and the development machines run as root)');
      return;
    }
    const small = await startFixtureServer(fx, { apiKey: KEY, dataDir: path.join(mnt, 'data'), collections: [] });
    try {
      const c = new ImsearchClient({ endpoint: `${small.url}/graphql`, apiKey: KEY });
      await c.createCollection({ name: 'tiny', models: [{ name: 'mobilenetv2-int8', weight: 1 }] });
      const first = await c.addImages({ images: [{ file: photo, label: 'Leopards' }], collection: 'tiny' });
      assert.equal(first.added, 1);
      const free = Number(execFileSync('df', ['--output=avail', '-B1', mnt], { encoding: 'utf8' }).trim().split('\n')[1]);
      await fs.writeFile(path.join(mnt, 'filler'), new Uint8Array(free - 4096));
      const next = await fileFromPath((await caltechFiles('gallery', 'sunflower', 1, 30))[0]);
      await expectCode('STORAGE_FULL', c.addImages({ images: [{ file: next, label: 'sunflower' }], collection: 'tiny' }), /no space left/);
      assert.equal((await c.similarImages(photo, { collection: 'tiny', k: 1 })).matches.length, 1, 'searches go on on a full disk');
      await fs.rm(path.join(mnt, 'filler'));
      assert.equal((await c.addImages({ images: [{ file: next, label: 'sunflower' }], collection: 'tiny' })).added, 1, 'nothing half-written: the same upload succeeds once there is space');
    } finally {
      await small.close();
      execFileSync('umount', ['-l', mnt]);
    }
  });

  it('leaves no code a client can meet untested', () => {
    // Met only outside the API, each covered where named.
    const elsewhere: Partial<Record<ErrorCode, string>> = {
      NO_MODEL_DIR: 'test/engine/models-registry.test.ts (the CLI without --model-dir)',
      BAD_MANIFEST: 'test/engine/models-registry.test.ts, test/engine/model-store.test.ts (imsearch models import --manifest)',
      MODEL_DOWNLOAD_FAILED: 'test/engine/model-store.test.ts (imsearch models pull against a local HTTP server)',
      MODEL_EXISTS: 'test/engine/model-store.test.ts (imsearch models import twice)',
      INTERRUPTED: 'test/unit/jobs.test.ts (a job left RUNNING by a killed process)',
      CANCELLED: 'test/api/server-metric.test.ts (a fit cancelled by the server stopping)',
      STORAGE_READ_ONLY: 'test/engine/read-only-data.test.ts (a read-only mount: reads served, writes refused)',
      STORAGE_ERROR: 'the fallback of storageError for other file-system faults',
      INDEX_ERROR: 'test/engine/indexes.test.ts (bad input, bad files, native addon missing)',
      INTERNAL_SERVER_ERROR: 'a bug: masked and logged (test/api/server.test.ts)',
      QUERY_TOO_COMPLEX: 'test/api/query-cost.test.ts, test/unit/query-cost.test.ts',
      BUSY: 'test/api/query-cost.test.ts (a burst beyond the search gate)',
      FORBIDDEN_HOST: 'test/api/host-origin.test.ts (forged Host headers)',
      FORBIDDEN_ORIGIN: 'test/api/host-origin.test.ts (foreign Origin headers)',
    };
    const untested = ERROR_CODE_LIST.filter((c) => !covered.has(c) && !(c in elsewhere));
    assert.deepEqual(untested, []);
  });
});
