/**
 * The model store: a directory (chosen with --model-dir or IMSEARCH_MODEL_DIR) holding model
 * files under their manifest `file` names, plus
 *   <file>.part, <file>.part.json   an unfinished download and its validator (resumable)
 *   <file>.lock                     a pull in progress (pid)
 *   .hashes.json                    sha256 recorded on first download / import (see records.ts)
 *   manifests/<name>.json           manifests of imported models
 * The models layer reads the same directory (models/manifest/model-dir.ts): imported models are
 * usable by `index` and `serve` as soon as they are imported. Verified hashes are cached with the
 * models layer's cache (size, mtime, inode -> sha256), so `verify` and a start agree.
 * A file only ever appears under its final name complete and verified: downloads go to the part
 * file, are hashed, fsynced and renamed.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  type Catalog,
  type CatalogEntry,
  type HashRecord,
  type HashSource,
  type ModelManifest,
  cachedSha256,
  checkModelAgainstManifest,
  expectedSha256,
  importedManifestsDir,
  loadCatalog,
  readRecords,
  rememberSha256,
  validateManifest,
} from '../models/index.js';
import { syncPath, writeFileAtomic } from '../store/atomic-file.js';
import { downloadToPart, hashFile, partMetaPath, type DownloadProgress } from './download.js';
import { DownloadError, ModelStoreError, type DownloadAttempt } from './errors.js';
import type { HttpOptions } from './http.js';
import type { Env } from './proxy.js';
import { updateRecords } from './records.js';

export const BASE_URL_ENV = 'IMSEARCH_MODEL_BASE_URL';

/** Site mirrors from IMSEARCH_MODEL_BASE_URL (comma or space separated). */
export function baseUrlsFromEnv(env: Env = process.env): string[] {
  return (env[BASE_URL_ENV] ?? '').split(/[\s,]+/).filter(Boolean);
}

/** The URL of `file` under a mirror base: `{file}` in the base is replaced, else the name is appended. */
export function mirrorUrl(base: string, file: string): string {
  if (base.includes('{file}')) return base.replaceAll('{file}', encodeURIComponent(file));
  return new URL(encodeURIComponent(file), base.endsWith('/') ? base : `${base}/`).href;
}

export interface ModelListing {
  name: string;
  description: string;
  file: string;
  path: string;
  installed: boolean;
  /** Bytes of an unfinished download, or null. */
  partialBytes: number | null;
  /** Installed size, else the manifest's size. */
  bytes: number | null;
  licence: string;
  origin: CatalogEntry['origin'];
  /** The sha256 the file must have: published, recorded on first download, or from import. */
  sha256: string | null;
  sha256Source: HashSource | null;
  downloadable: boolean;
  urls: string[];
}

export interface PullOptions {
  /** Site mirrors tried instead of the manifest URLs (see mirrorUrl). */
  baseUrls?: string[];
  /** With baseUrls: try the manifest URLs after them. */
  withUpstream?: boolean;
  /** Download even when a verified file is installed. */
  force?: boolean;
  maxResumes?: number;
  onProgress?: (p: DownloadProgress & { name: string }) => void;
  onEvent?: (message: string) => void;
  signal?: AbortSignal;
}

export interface PullResult {
  name: string;
  status: 'installed' | 'already-installed';
  path: string;
  sha256: string;
  bytes: number;
  /** The URL that delivered the file (null when already installed). */
  url: string | null;
  proxy: string | null;
  /** No checksum was published and none recorded: this download's sha256 is now the record. */
  recordedFirstDownload: boolean;
  /** Where the expected sha256 came from (null: first download). */
  sha256Source: HashSource | null;
  /** A previous partial download or an interrupted transfer was continued. */
  resumed: boolean;
  /** Mirrors that failed before one worked. */
  failed: DownloadAttempt[];
}

export type VerifyStatus = 'ok' | 'missing' | 'mismatch' | 'unverifiable';

export interface VerifyResult {
  name: string;
  file: string;
  path: string;
  status: VerifyStatus;
  expected: string | null;
  expectedFrom: HashSource | null;
  actual: string | null;
  bytes: number | null;
  /** One sentence for people, with the command to fix it when not ok. */
  message: string;
}

export interface InstalledModel {
  manifest: ModelManifest;
  path: string;
  sha256: string;
  bytes: number;
}

export interface ModelProblem {
  name: string;
  status: Exclude<VerifyStatus, 'ok'> | 'unknown';
  message: string;
}

export interface ImportOptions {
  /** A user-written manifest (parsed JSON), validated; or `name` of a known manifest. */
  manifest?: unknown;
  /** For messages: where the manifest came from. */
  manifestLabel?: string;
  name?: string;
  force?: boolean;
}

export interface ImportResult {
  name: string;
  path: string;
  sha256: string;
  bytes: number;
  manifestPath: string | null;
  warnings: string[];
}

export interface ModelStoreOptions {
  dir: string;
  /** Use these manifests instead of models/manifests/*.json (imported ones are added). */
  manifests?: ModelManifest[];
  manifestsDir?: string;
  /** Proxy environment, extra CA, idle timeout for downloads. */
  http?: HttpOptions;
}

function pullHint(name: string, dir: string): string {
  return `imsearch models pull ${name} --model-dir ${dir}`;
}

async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await fsp.stat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ModelStore {
  readonly dir: string;
  private readonly opts: ModelStoreOptions;

  constructor(opts: ModelStoreOptions) {
    this.dir = path.resolve(opts.dir);
    this.opts = opts;
  }

  async catalog(): Promise<Catalog> {
    return loadCatalog({ modelDir: this.dir, ...(this.opts.manifests ? { manifests: this.opts.manifests } : {}), ...(this.opts.manifestsDir ? { manifestsDir: this.opts.manifestsDir } : {}) });
  }

  private async entry(name: string, catalog?: Catalog): Promise<CatalogEntry> {
    const cat = catalog ?? (await this.catalog());
    const e = cat.entries.get(name);
    if (!e) {
      const known = [...cat.entries.keys()].sort().join(', ') || '(none)';
      throw new ModelStoreError('UNKNOWN_MODEL', `Unknown model "${name}". Known models: ${known}.`);
    }
    return e;
  }

  pathOf(manifest: ModelManifest): string {
    return path.join(this.dir, manifest.file);
  }

  private expected(manifest: ModelManifest, records: Record<string, HashRecord>): { sha256: string | null; from: HashSource | null; record: HashRecord | null } {
    const e = expectedSha256(manifest, records);
    return { sha256: e?.sha256 ?? null, from: e?.source ?? null, record: e?.record ?? null };
  }

  async list(): Promise<ModelListing[]> {
    const cat = await this.catalog();
    const records = readRecords(this.dir);
    const out: ModelListing[] = [];
    for (const { manifest: m, origin } of [...cat.entries.values()].sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))) {
      const p = this.pathOf(m);
      const st = await statOrNull(p);
      const part = await statOrNull(`${p}.part`);
      const exp = this.expected(m, records);
      out.push({
        name: m.name,
        description: m.description,
        file: m.file,
        path: p,
        installed: st !== null,
        partialBytes: part ? part.size : null,
        bytes: st ? st.size : m.bytes,
        licence: m.licence,
        origin,
        sha256: exp.sha256,
        sha256Source: exp.from,
        downloadable: m.urls.length > 0,
        urls: m.urls,
      });
    }
    return out;
  }

  /** Hash (or take from the verification cache) and compare one installed file. */
  private async check(m: ModelManifest, records: Record<string, HashRecord>, full: boolean): Promise<VerifyResult> {
    const p = this.pathOf(m);
    const exp = this.expected(m, records);
    const base = { name: m.name, file: m.file, path: p, expected: exp.sha256, expectedFrom: exp.from };
    const st = await statOrNull(p);
    if (!st) {
      const how = m.urls.length
        ? `Get it with: ${pullHint(m.name, this.dir)}`
        : `It has no download URL: pull it from a site mirror (${pullHint(m.name, this.dir)} --base-url <url>) or copy it in with: imsearch models import <file.onnx> --name ${m.name} --model-dir ${this.dir}`;
      return { ...base, status: 'missing', actual: null, bytes: null, message: `Model "${m.name}" is not installed: ${p} does not exist. ${how}` };
    }
    if (m.bytes !== null && st.size !== m.bytes) {
      return {
        ...base,
        status: 'mismatch',
        actual: null,
        bytes: st.size,
        message: `Model "${m.name}": ${p} has ${st.size} bytes, the manifest says ${m.bytes}: damaged or a different file. Download it again with: ${pullHint(m.name, this.dir)} --force`,
      };
    }
    const real = await fsp.realpath(p);
    let actual = full ? null : await cachedSha256(real, st);
    if (!actual) {
      actual = (await hashFile(p)).digest('hex');
      await rememberSha256(real, st, actual);
    }
    if (!exp.sha256) {
      return {
        ...base,
        status: 'unverifiable',
        actual,
        bytes: st.size,
        message: `Model "${m.name}": ${p} is present but no checksum is published and none was recorded (it was not pulled or imported by the store). Record it with: imsearch models import ${p} --name ${m.name} --model-dir ${this.dir}, or download it with: ${pullHint(m.name, this.dir)} --force`,
      };
    }
    if (actual !== exp.sha256) {
      const what = exp.from === 'published' ? 'the published sha256' : exp.from === 'first-download' ? `the sha256 recorded at its first download (${exp.record?.recordedAt ?? '?'})` : 'the sha256 recorded at import';
      return {
        ...base,
        status: 'mismatch',
        actual,
        bytes: st.size,
        message: `Model "${m.name}": ${p} has sha256 ${actual}, expected ${exp.sha256} (${what}): damaged or a different file. Download it again with: ${pullHint(m.name, this.dir)} --force`,
      };
    }
    return { ...base, status: 'ok', actual, bytes: st.size, message: `Model "${m.name}": ${p} verified (sha256 ${actual}, ${exp.from}).` };
  }

  /** Re-hash installed files (all known models, or `names`) against published / recorded hashes. */
  async verify(names?: string[]): Promise<VerifyResult[]> {
    const cat = await this.catalog();
    const records = readRecords(this.dir);
    const wanted = names?.length ? await Promise.all(names.map((n) => this.entry(n, cat))) : [...cat.entries.values()];
    const results: VerifyResult[] = [];
    for (const e of wanted) results.push(await this.check(e.manifest, records, true));
    return results;
  }

  /**
   * For server / CLI start: the models whose files are present and verified, and for the others
   * a message saying which and how to get them. `full: false` (default) trusts the verification
   * cache when size, mtime and inode are unchanged.
   */
  async verifiedModels(opts: { names?: string[]; full?: boolean } = {}): Promise<{ ready: InstalledModel[]; problems: ModelProblem[] }> {
    const cat = await this.catalog();
    const records = readRecords(this.dir);
    const ready: InstalledModel[] = [];
    const problems: ModelProblem[] = [];
    const names = opts.names?.length ? opts.names : [...cat.entries.keys()].sort();
    for (const name of names) {
      const e = cat.entries.get(name);
      if (!e) {
        problems.push({ name, status: 'unknown', message: `Unknown model "${name}". Known models: ${[...cat.entries.keys()].sort().join(', ') || '(none)'}.` });
        continue;
      }
      const r = await this.check(e.manifest, records, opts.full ?? false);
      if (r.status === 'ok') ready.push({ manifest: e.manifest, path: r.path, sha256: r.actual!, bytes: r.bytes! });
      else problems.push({ name, status: r.status, message: r.message });
    }
    return { ready, problems };
  }

  private async lock(file: string): Promise<() => Promise<void>> {
    const lockPath = path.join(this.dir, `${file}.lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await fsp.open(lockPath, 'wx');
        await fh.writeFile(String(process.pid));
        await fh.close();
        return () => fsp.rm(lockPath, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number((await fsp.readFile(lockPath, 'utf8').catch(() => '')).trim());
        if (pid && pid !== process.pid && processAlive(pid)) {
          throw new ModelStoreError('BUSY', `Another process (pid ${pid}) is downloading ${file} into ${this.dir}; wait for it, or delete ${lockPath} if it is gone.`);
        }
        if (pid === process.pid) throw new ModelStoreError('BUSY', `${file} is already being downloaded by this process.`);
        await fsp.rm(lockPath, { force: true }); // stale
      }
    }
    throw new ModelStoreError('BUSY', `Cannot lock ${lockPath}.`);
  }

  /**
   * Download a model: mirrors in order (site base URLs first when given), each resumable; the
   * file must have the published sha256, or the one recorded at its first download; with neither,
   * it must at least match its manifest's graph, and its sha256 becomes the record.
   */
  async pull(name: string, opts: PullOptions = {}): Promise<PullResult> {
    const cat = await this.catalog();
    const { manifest: m } = await this.entry(name, cat);
    await fsp.mkdir(this.dir, { recursive: true });
    const dest = this.pathOf(m);
    const records = readRecords(this.dir);
    const exp = this.expected(m, records);

    if (!opts.force && (await statOrNull(dest))) {
      const r = await this.check(m, records, true);
      if (r.status === 'ok') {
        return { name, status: 'already-installed', path: dest, sha256: r.actual!, bytes: r.bytes!, url: null, proxy: null, recordedFirstDownload: false, sha256Source: exp.from, resumed: false, failed: [] };
      }
      opts.onEvent?.(`${r.message.split('. ')[0]}: downloading it again`);
    }

    const mirrors = (opts.baseUrls ?? []).map((b) => mirrorUrl(b, m.file));
    const urls = mirrors.length ? [...mirrors, ...(opts.withUpstream ? m.urls : [])] : m.urls;
    if (urls.length === 0) {
      throw new ModelStoreError(
        'MODEL_DOWNLOAD_FAILED',
        `Model "${name}" has no download URL. Pull it from a site mirror (${pullHint(name, this.dir)} --base-url <url>) or copy it in with: imsearch models import <file.onnx> --name ${name} --model-dir ${this.dir}`,
      );
    }

    const unlock = await this.lock(m.file);
    const part = `${dest}.part`;
    const failed: DownloadAttempt[] = [];
    try {
      for (const url of urls) {
        let freshRetry = false;
        for (;;) {
          opts.signal?.throwIfAborted();
          let res;
          try {
            res = await downloadToPart(url, part, {
              ...this.opts.http,
              expectedBytes: m.bytes,
              ...(opts.maxResumes !== undefined ? { maxResumes: opts.maxResumes } : {}),
              ...(opts.signal ? { signal: opts.signal } : {}),
              onProgress: (p) => opts.onProgress?.({ ...p, name }),
              onEvent: (msg) => opts.onEvent?.(`${url}: ${msg}`),
            });
          } catch (e) {
            if (opts.signal?.aborted) throw e;
            const cause = e instanceof DownloadError ? e.message : `${(e as Error).message}`;
            failed.push({ url, cause });
            opts.onEvent?.(`${url} failed: ${cause}`);
            break;
          }
          const resumed = res.startedFrom > 0 || res.resumes > 0;
          let problem: string | null = null;
          if (m.bytes !== null && res.bytes !== m.bytes) problem = `downloaded ${res.bytes} bytes, the manifest says ${m.bytes}`;
          else if (exp.sha256 && res.sha256 !== exp.sha256) {
            const what = exp.from === 'published' ? 'published' : exp.from === 'first-download' ? `recorded at the first download on ${exp.record?.recordedAt ?? '?'}` : 'recorded at import';
            problem = `sha256 mismatch: got ${res.sha256}, expected ${exp.sha256} (${what})`;
          } else if (!exp.sha256) {
            const bytes = await fsp.readFile(part);
            const issues = checkModelAgainstManifest(m, bytes);
            if (issues.length) problem = `the downloaded file does not match the manifest (${issues.join('; ')})`;
          }
          if (problem) {
            await fsp.rm(part, { force: true });
            await fsp.rm(partMetaPath(part), { force: true });
            if (res.startedFrom > 0 && !freshRetry) {
              // The old part may have been the bad half: one clean attempt from byte 0.
              freshRetry = true;
              opts.onEvent?.(`${url}: ${problem} after continuing an earlier partial download: starting again from byte 0`);
              continue;
            }
            failed.push({ url, cause: problem });
            opts.onEvent?.(`${url} failed: ${problem}`);
            break;
          }

          // Verified: into place.
          await fsp.rename(part, dest);
          await syncPath(this.dir);
          await fsp.rm(partMetaPath(part), { force: true });
          let recorded = false;
          if (!exp.sha256) {
            await updateRecords(this.dir, (models) => {
              models[name] = { file: m.file, sha256: res.sha256, bytes: res.bytes, source: 'first-download', url, recordedAt: new Date().toISOString() };
            });
            recorded = true;
          }
          await rememberSha256(await fsp.realpath(dest), await fsp.stat(dest), res.sha256);
          return {
            name,
            status: 'installed',
            path: dest,
            sha256: res.sha256,
            bytes: res.bytes,
            url,
            proxy: res.proxy,
            recordedFirstDownload: recorded,
            sha256Source: exp.from,
            resumed,
            failed,
          };
        }
      }
    } finally {
      await unlock();
    }
    const lines = failed.map((f, i) => `  ${i + 1}. ${f.url}\n     ${f.cause}`).join('\n');
    const partial = await statOrNull(part);
    const tail = partial && partial.size > 0 ? `\n${partial.size} bytes are kept in ${part}; the next pull continues from there.` : '';
    throw new ModelStoreError('MODEL_DOWNLOAD_FAILED', `Could not download model "${name}" (${m.file}) from any of its ${failed.length} source(s):\n${lines}${tail}`, failed);
  }

  /** Delete an installed model (and any partial download). The recorded hash stays unless `forgetHash`. */
  async remove(name: string, opts: { forgetHash?: boolean } = {}): Promise<{ removed: string[]; forgotHash: boolean }> {
    const e = await this.entry(name);
    const p = this.pathOf(e.manifest);
    const real = await fsp.realpath(p).catch(() => null);
    const removed: string[] = [];
    for (const f of [p, `${p}.part`, partMetaPath(`${p}.part`)]) {
      if (await statOrNull(f)) {
        await fsp.rm(f, { force: true });
        removed.push(f);
      }
    }
    if (e.origin === 'imported' && e.path) {
      await fsp.rm(e.path, { force: true });
      removed.push(e.path);
    }
    if (real) await rememberSha256(real, null, null);
    const records = readRecords(this.dir);
    const forget = Boolean(records[name]) && (opts.forgetHash === true || e.origin === 'imported');
    if (forget) await updateRecords(this.dir, (models) => void delete models[name]);
    if (removed.length) await syncPath(this.dir);
    return { removed, forgotHash: forget };
  }

  /**
   * Copy a local ONNX file into the store, either for a known manifest (`name`: a published
   * sha256 must match) or with a user-written manifest (validated, checked against the graph,
   * saved under manifests/). The file's sha256 is recorded.
   */
  async importFile(file: string, opts: ImportOptions): Promise<ImportResult> {
    if ((opts.manifest === undefined) === (opts.name === undefined)) {
      throw new ModelStoreError('BAD_MANIFEST', 'Import needs either a manifest (--manifest <file.json>) or the name of a known model (--name <model>).');
    }
    const label = opts.manifestLabel ?? 'the manifest';
    const cat = await this.catalog();
    let manifest: ModelManifest;
    let warnings: string[] = [];
    let builtin = false;
    if (opts.name !== undefined) {
      manifest = (await this.entry(opts.name, cat)).manifest;
      builtin = true;
    } else {
      const check = validateManifest(opts.manifest);
      warnings = check.warnings;
      if (!check.manifest) {
        throw new ModelStoreError('BAD_MANIFEST', `Invalid manifest ${label}:\n${check.problems.map((p) => `  - ${p}`).join('\n')}`);
      }
      manifest = check.manifest;
      const existing = cat.entries.get(manifest.name);
      if (existing?.origin === 'builtin') {
        throw new ModelStoreError('MODEL_EXISTS', `A built-in manifest is already called "${manifest.name}": import the file for it with --name ${manifest.name}, or give your manifest another name.`);
      }
      if (existing && !opts.force) {
        throw new ModelStoreError('MODEL_EXISTS', `Model "${manifest.name}" was already imported (${existing.path}); pass --force to replace it.`);
      }
      const clash = [...cat.entries.values()].find((e) => e.manifest.file === manifest.file && e.manifest.name !== manifest.name);
      if (clash) throw new ModelStoreError('MODEL_EXISTS', `File name ${manifest.file} is already used by model "${clash.manifest.name}"; choose another "file".`);
    }

    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(file);
    } catch (e) {
      throw new ModelStoreError('MODEL_MISSING', `Cannot read ${file}: ${(e as Error).message}`, [], { cause: e });
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const records = readRecords(this.dir);
    const exp = this.expected(manifest, records);
    if (exp.sha256 && exp.sha256 !== sha256 && !(opts.force && exp.from !== 'published')) {
      throw new ModelStoreError('MODEL_CORRUPT', `${file} has sha256 ${sha256}, but model "${manifest.name}" must have ${exp.sha256} (${exp.from}): not the expected file.`);
    }
    if (manifest.bytes !== null && manifest.bytes !== bytes.length) {
      throw new ModelStoreError('MODEL_CORRUPT', `${file} has ${bytes.length} bytes, but model "${manifest.name}" has ${manifest.bytes}: not the expected file.`);
    }
    const issues = checkModelAgainstManifest(manifest, bytes);
    if (issues.length) {
      throw new ModelStoreError('MODEL_MISMATCH', `${file} does not match ${builtin ? `the manifest of "${manifest.name}"` : label}:\n${issues.map((p) => `  - ${p}`).join('\n')}`);
    }

    await fsp.mkdir(this.dir, { recursive: true });
    const dest = this.pathOf(manifest);
    const unlock = await this.lock(manifest.file);
    try {
      await writeFileAtomic(dest, bytes);
      await rememberSha256(await fsp.realpath(dest), await fsp.stat(dest), sha256);
      if (!manifest.sha256 || !builtin) {
        await updateRecords(this.dir, (models) => {
          models[manifest.name] = { file: manifest.file, sha256, bytes: bytes.length, source: 'imported', recordedAt: new Date().toISOString() };
        });
      }
      let manifestPath: string | null = null;
      if (!builtin) {
        const dir = importedManifestsDir(this.dir);
        await fsp.mkdir(dir, { recursive: true });
        manifestPath = path.join(dir, `${manifest.name}.json`);
        const saved: ModelManifest = { ...manifest, sha256, sha256Source: manifest.sha256 ? (manifest.sha256Source ?? 'published') : 'imported', bytes: bytes.length };
        await writeFileAtomic(manifestPath, `${JSON.stringify(saved, null, 2)}\n`);
      }
      return { name: manifest.name, path: dest, sha256, bytes: bytes.length, manifestPath, warnings };
    } finally {
      await unlock();
    }
  }
}

/** Convenience for server / CLI start: see ModelStore.verifiedModels. */
export function verifiedModels(storeDir: string, opts: { names?: string[]; full?: boolean; manifests?: ModelManifest[] } = {}) {
  const store = new ModelStore({ dir: storeDir, ...(opts.manifests ? { manifests: opts.manifests } : {}) });
  return store.verifiedModels(opts);
}

/** The verified models named, or one error listing every missing / corrupt one and how to get it. */
export async function requireVerifiedModels(storeDir: string, names: string[], opts: { full?: boolean; manifests?: ModelManifest[] } = {}): Promise<InstalledModel[]> {
  const { ready, problems } = await verifiedModels(storeDir, { ...opts, names });
  if (problems.length) {
    const code = problems.some((p) => p.status === 'mismatch') ? 'MODEL_CORRUPT' : problems.some((p) => p.status === 'unknown') ? 'UNKNOWN_MODEL' : 'MODEL_MISSING';
    throw new ModelStoreError(code, problems.map((p) => p.message).join('\n'));
  }
  return ready;
}

/** Validation of a manifest file's JSON text, for the CLI. */
export function parseManifestJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelStoreError('BAD_MANIFEST', `Invalid manifest ${label}: not valid JSON (${(e as Error).message})`);
  }
}
