/**
 * The models layer's read-only view of a model directory (IMSEARCH_MODEL_DIR or --model-dir).
 * The model store (model-store/) writes it; this layer only reads what loading a model needs:
 *   <file>                  model files under their manifest `file` names
 *   manifests/<name>.json   manifests of imported models
 *   .hashes.json            sha256 recorded on first download / import, for manifests without one
 */
import fs from 'node:fs';
import path from 'node:path';
import { ImsearchError } from '../../errors/error-codes.js';
import { ModelError } from '../errors.js';
import type { ModelManifest } from './manifest.js';

export const MODEL_DIR_ENV = 'IMSEARCH_MODEL_DIR';
export const IMPORTED_MANIFESTS_DIR = 'manifests';
export const RECORDS_FILE = '.hashes.json';

export type HashSource = 'published' | 'first-download' | 'imported';

/** A sha256 the store recorded: from then on the file's identity (later downloads must match). */
export interface HashRecord {
  file: string;
  sha256: string;
  bytes: number;
  source: 'first-download' | 'imported';
  /** Where the first download came from (first-download only). */
  url?: string;
  recordedAt: string;
}

export interface RecordsJson {
  version: 1;
  models: Record<string, HashRecord>;
}

/** The model directory: the explicit value (a flag) first, then IMSEARCH_MODEL_DIR. */
export function resolveModelDir(explicit?: string | null, env: NodeJS.ProcessEnv = process.env): string {
  const dir = explicit || env[MODEL_DIR_ENV];
  if (!dir) {
    throw new ModelError('NO_MODEL_DIR', `No model directory: pass --model-dir <dir> or set ${MODEL_DIR_ENV} to the folder that holds (or will hold) the .onnx files.`);
  }
  return path.resolve(dir);
}

export function importedManifestsDir(modelDir: string): string {
  return path.join(modelDir, IMPORTED_MANIFESTS_DIR);
}

/** The recorded hashes by model name; none when the store never recorded one. */
export function readRecords(modelDir: string): Record<string, HashRecord> {
  const file = path.join(modelDir, RECORDS_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ImsearchError('STORAGE_ERROR', `cannot read ${file}: ${(e as Error).message}`, {}, { cause: e });
  }
  try {
    return (JSON.parse(text) as RecordsJson).models ?? {};
  } catch (e) {
    throw new ImsearchError('STORAGE_ERROR', `${file} is not valid JSON (${(e as Error).message}); fix or delete it`, {}, { cause: e });
  }
}

/**
 * The sha256 a model file must have: the manifest's (published, or set at import), else the one
 * the store recorded at its first download or import; null when there is neither, and then no
 * file is accepted for the manifest.
 */
export function expectedSha256(manifest: ModelManifest, records: Record<string, HashRecord>): { sha256: string; source: HashSource; record: HashRecord | null } | null {
  if (manifest.sha256) return { sha256: manifest.sha256, source: manifest.sha256Source === 'imported' ? 'imported' : 'published', record: null };
  const r = records[manifest.name];
  return r && r.file === manifest.file ? { sha256: r.sha256, source: r.source, record: r } : null;
}
