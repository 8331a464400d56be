/**
 * A model's file in the model directory, verified against its manifest before a session is
 * created from the verified bytes. The sha256 of an unchanged file comes from the cache
 * (sha256-cache.ts), so a start reads each file once (for the session) and hashes it only when
 * it is new or changed.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ModelError } from '../errors.js';
import type { ModelManifest } from './manifest.js';
import { expectedSha256, readRecords } from './model-dir.js';
import { cachedSha256, rememberSha256 } from './sha256-cache.js';

export function modelFilePath(manifest: ModelManifest, modelDir: string): string {
  return path.join(modelDir, manifest.file);
}

/** One sentence on how to obtain a model's file, for error messages (the model store's CLI). */
export function howToGet(manifest: ModelManifest, modelDir: string): string {
  const source = manifest.source ? ` (source: ${manifest.source})` : '';
  const importIt = `imsearch models import <file.onnx> --name ${manifest.name} --model-dir ${modelDir}`;
  return manifest.urls.length
    ? `To get it: imsearch models pull ${manifest.name} --model-dir ${modelDir} (downloads from ${manifest.urls.join(' or ')} and verifies it), or ${importIt}${source}.`
    : `To get it: ${importIt}, with ${manifest.file} from the offline model folder it ships in${source}.`;
}

export interface VerifiedModelFile {
  path: string;
  /** sha256 of the file's bytes (equal to the manifest's when it publishes one). */
  sha256: string;
  bytes: number;
  /** The verified bytes: create the session from these, not from the path, so what runs is what was checked. */
  data: Uint8Array;
}

async function readModelFile(manifest: ModelManifest, modelDir: string): Promise<{ file: string; real: string; st: Stats; data: Buffer }> {
  const file = modelFilePath(manifest, modelDir);
  try {
    const real = await fsp.realpath(file);
    const handle = await fsp.open(real, 'r');
    try {
      // stat and read through one handle: the key the hash is cached under describes these bytes
      const st = await handle.stat();
      return { file, real, st, data: await handle.readFile() };
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (err as Error).message})`;
    throw new ModelError('MODEL_MISSING', `Model "${manifest.name}": file ${file} ${what}. ${howToGet(manifest, modelDir)}`, { cause: err });
  }
}

/**
 * Reads the model file from the model directory and checks it against the manifest's sha256, or,
 * when none is published, the one the model store recorded at the first download / import (no
 * record: refused). Missing file, mismatches and unverifiable files are ModelErrors naming the
 * model, the path, expected vs actual, and how to get the file.
 */
export async function verifyModelFile(manifest: ModelManifest, modelDir: string, env: NodeJS.ProcessEnv = process.env): Promise<VerifiedModelFile> {
  const { file, real, st, data } = await readModelFile(manifest, modelDir);
  const cached = data.length === st.size ? await cachedSha256(real, st, env) : null;
  const sha256 = cached ?? createHash('sha256').update(data).digest('hex');
  const expected = expectedSha256(manifest, readRecords(modelDir))?.sha256 ?? null;
  if (expected === null) {
    throw new ModelError(
      'MODEL_UNVERIFIED',
      `Model "${manifest.name}": file ${file} has sha256 ${sha256}, but no checksum is published for it and the model store ` +
        `recorded none (the file was not pulled or imported through it), so it cannot be trusted. ${howToGet(manifest, modelDir)}`,
    );
  }
  const sizeBad = manifest.bytes !== null && manifest.bytes !== data.length;
  const hashBad = expected !== sha256;
  if (sizeBad || hashBad) {
    throw new ModelError(
      'MODEL_CORRUPT',
      `Model "${manifest.name}": file ${file} does not match its manifest: ` +
        `expected sha256 ${expected} (${manifest.bytes ?? '?'} bytes), ` +
        `actual sha256 ${sha256} (${data.length} bytes). The file is damaged or a different version: ` +
        `delete it and get it again. ${howToGet(manifest, modelDir)}`,
    );
  }
  if (!cached) await rememberSha256(real, st, sha256, env);
  return { path: file, sha256, bytes: data.length, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
