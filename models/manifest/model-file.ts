/**
 * A model's file in the model directory, verified against its manifest before a session is
 * created from the verified bytes. The sha256 of an unchanged file comes from the cache
 * (sha256-cache.ts), so a start hashes a file only when it is new or changed, and reads it only
 * when a session is made from it: a session from ONNX Runtime's saved graph (onnx/graph-cache.ts)
 * never reads the model file (hundreds of MB for the larger models).
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
  /**
   * The verified bytes: create a session from these, not from the path, so what runs is what was
   * checked. Read when asked (the ones hashed just now, or the file again, hashed again:
   * MODEL_CORRUPT when it changed since).
   */
  read(): Promise<Uint8Array>;
}

interface OpenedModelFile {
  file: string;
  real: string;
  st: Stats;
  /** The sha256 the cache holds for this stat, if any. */
  cached: string | null;
  /** The bytes, when they were read (the cache did not know the file). */
  data: Buffer | null;
}

/** MODEL_MISSING for a file that is not there or cannot be read. */
function unreadable(manifest: ModelManifest, modelDir: string, file: string, err: unknown): ModelError {
  const code = (err as NodeJS.ErrnoException).code;
  const what = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (err as Error).message})`;
  return new ModelError('MODEL_MISSING', `Model "${manifest.name}": file ${file} ${what}. ${howToGet(manifest, modelDir)}`, { cause: err });
}

/**
 * Stats the file and, unless the cache knows its sha256 for that stat, reads it through the same
 * handle (the key the hash is cached under describes these bytes).
 */
async function openModelFile(manifest: ModelManifest, modelDir: string, env: NodeJS.ProcessEnv): Promise<OpenedModelFile> {
  const file = modelFilePath(manifest, modelDir);
  try {
    const real = await fsp.realpath(file);
    const handle = await fsp.open(real, 'r');
    try {
      const st = await handle.stat();
      const cached = await cachedSha256(real, st, env);
      return { file, real, st, cached, data: cached ? null : await handle.readFile() };
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw unreadable(manifest, modelDir, file, err);
  }
}

const sha256Of = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function corrupt(manifest: ModelManifest, modelDir: string, file: string, expected: string, actual: string, bytes: number): ModelError {
  return new ModelError(
    'MODEL_CORRUPT',
    `Model "${manifest.name}": file ${file} does not match its manifest: ` +
      `expected sha256 ${expected} (${manifest.bytes ?? '?'} bytes), ` +
      `actual sha256 ${actual} (${bytes} bytes). The file is damaged or a different version: ` +
      `delete it and get it again. ${howToGet(manifest, modelDir)}`,
  );
}

/**
 * Reads the model file from the model directory and checks it against the manifest's sha256, or,
 * when none is published, the one the model store recorded at the first download / import (no
 * record: refused). Missing file, mismatches and unverifiable files are ModelErrors naming the
 * model, the path, expected vs actual, and how to get the file.
 */
export async function verifyModelFile(manifest: ModelManifest, modelDir: string, env: NodeJS.ProcessEnv = process.env): Promise<VerifiedModelFile> {
  const { file, real, st, cached, data } = await openModelFile(manifest, modelDir, env);
  const sha256 = cached ?? sha256Of(data!);
  const expected = expectedSha256(manifest, readRecords(modelDir))?.sha256 ?? null;
  if (expected === null) {
    throw new ModelError(
      'MODEL_UNVERIFIED',
      `Model "${manifest.name}": file ${file} has sha256 ${sha256}, but no checksum is published for it and the model store ` +
        `recorded none (the file was not pulled or imported through it), so it cannot be trusted. ${howToGet(manifest, modelDir)}`,
    );
  }
  if ((manifest.bytes !== null && manifest.bytes !== st.size) || expected !== sha256) throw corrupt(manifest, modelDir, file, expected, sha256, st.size);
  if (!cached) await rememberSha256(real, st, sha256, env);
  let bytes: Uint8Array | null = data && new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return {
    path: file,
    sha256,
    bytes: st.size,
    async read() {
      if (bytes) return bytes;
      const again = await fsp.readFile(real).catch((err: unknown) => {
        throw unreadable(manifest, modelDir, file, err);
      });
      const actual = sha256Of(again);
      if (actual !== sha256) {
        await rememberSha256(real, null, null, env);
        throw corrupt(manifest, modelDir, file, expected, actual, again.length);
      }
      bytes = new Uint8Array(again.buffer, again.byteOffset, again.byteLength);
      return bytes;
    },
  };
}
