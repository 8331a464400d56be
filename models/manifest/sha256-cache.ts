/**
 * Verified sha256 of model files, cached so a start does not re-hash hundreds of MB when nothing
 * changed. An entry is keyed by the file's real path and trusted only while its size, mtime and
 * inode are unchanged (a replaced or rewritten file gets a new mtime or inode). The cache lives in
 * the user's cache directory, not in the model directory, which may be read-only or shared.
 */
import type { Stats } from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../store/atomic-file.js';

export const CACHE_DIR_ENV = 'IMSEARCH_CACHE_DIR';
const CACHE_FILE = 'model-sha256.json';

interface Entry {
  sha256: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

interface CacheJson {
  version: 1;
  files: Record<string, Entry>;
}

/** IMSEARCH_CACHE_DIR, else $XDG_CACHE_HOME/imsearch, else ~/.cache/imsearch. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env[CACHE_DIR_ENV]) return path.resolve(env[CACHE_DIR_ENV]);
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'imsearch');
}

async function readCache(file: string): Promise<CacheJson> {
  try {
    const json = JSON.parse(await fsp.readFile(file, 'utf8')) as CacheJson;
    return json.version === 1 && typeof json.files === 'object' && json.files ? json : { version: 1, files: {} };
  } catch {
    return { version: 1, files: {} }; // missing or damaged: a cache is only a cache
  }
}

const matches = (e: Entry | undefined, st: Stats): e is Entry => !!e && e.size === st.size && e.mtimeMs === st.mtimeMs && e.ino === st.ino;

/** The sha256 verified earlier for the file at `realPath`, if it has not changed since. */
export async function cachedSha256(realPath: string, st: Stats, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const e = (await readCache(path.join(cacheDir(env), CACHE_FILE))).files[realPath];
  return matches(e, st) ? e.sha256 : null;
}

/**
 * Records a verified sha256 (or, with null, forgets the file). Failing to write is not an error
 * of the caller's (a read-only home): the next start hashes again.
 */
export async function rememberSha256(realPath: string, st: Stats | null, sha256: string | null, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const dir = cacheDir(env);
  const file = path.join(dir, CACHE_FILE);
  try {
    const json = await readCache(file);
    if (st && sha256) json.files[realPath] = { sha256, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
    else if (!(realPath in json.files)) return;
    else delete json.files[realPath];
    await fsp.mkdir(dir, { recursive: true });
    await writeFileAtomic(file, `${JSON.stringify(json, null, 2)}\n`);
  } catch {
    // see above
  }
}
