/**
 * Small JSON files kept in the store directory:
 * - `.hashes.json`: sha256 recorded for files whose manifest publishes none (first download) or
 *   that were imported from disk. A record is the file's identity from then on: later downloads
 *   must match it. Removing a model keeps its record unless asked to forget it.
 * - `.verified.json`: a cache of full verifications keyed by (size, mtime, inode), so a server
 *   start does not re-hash hundreds of MB when nothing changed. `verify` always re-hashes.
 * Both are written atomically (temp file, fsync, rename, fsync of the directory).
 */
import type { Stats } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../store/atomic-file.js';

export const RECORDS_FILE = '.hashes.json';
export const VERIFIED_FILE = '.verified.json';

export interface HashRecord {
  file: string;
  sha256: string;
  bytes: number;
  source: 'first-download' | 'imported';
  /** Where the first download came from (first-download only). */
  url?: string;
  recordedAt: string;
}

interface RecordsJson {
  version: 1;
  models: Record<string, HashRecord>;
}

interface VerifiedEntry {
  sha256: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

interface VerifiedJson {
  version: 1;
  files: Record<string, VerifiedEntry>;
}

async function readJson<T>(file: string, empty: T): Promise<T> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return empty;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}); fix or delete it`);
  }
}

export async function readRecords(dir: string): Promise<Record<string, HashRecord>> {
  const json = await readJson<RecordsJson>(path.join(dir, RECORDS_FILE), { version: 1, models: {} });
  return json.models ?? {};
}

/** Read-modify-write of the records (re-read just before writing). */
export async function updateRecords(dir: string, change: (models: Record<string, HashRecord>) => void): Promise<void> {
  const models = await readRecords(dir);
  change(models);
  const json: RecordsJson = { version: 1, models };
  await writeFileAtomic(path.join(dir, RECORDS_FILE), `${JSON.stringify(json, null, 2)}\n`);
}

function statKey(st: Stats): Omit<VerifiedEntry, 'sha256'> {
  return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

/** The sha256 verified earlier for this file, if it has not changed since (size, mtime, inode). */
export async function cachedSha256(dir: string, file: string, st: Stats): Promise<string | null> {
  let json: VerifiedJson;
  try {
    json = await readJson<VerifiedJson>(path.join(dir, VERIFIED_FILE), { version: 1, files: {} });
  } catch {
    return null; // a damaged cache is only a cache
  }
  const e = json.files?.[file];
  const k = statKey(st);
  return e && e.size === k.size && e.mtimeMs === k.mtimeMs && e.ino === k.ino ? e.sha256 : null;
}

export async function rememberSha256(dir: string, file: string, st: Stats | null, sha256: string | null): Promise<void> {
  let json: VerifiedJson;
  try {
    json = await readJson<VerifiedJson>(path.join(dir, VERIFIED_FILE), { version: 1, files: {} });
  } catch {
    json = { version: 1, files: {} };
  }
  json.files ??= {};
  if (st && sha256) json.files[file] = { sha256, ...statKey(st) };
  else delete json.files[file];
  await writeFileAtomic(path.join(dir, VERIFIED_FILE), `${JSON.stringify(json, null, 2)}\n`);
}
