/**
 * ONNX Runtime's optimised graph of a model, kept in the user's cache directory between starts.
 * Creating a session runs the graph optimisations (level 'all') every time: for
 * mobilenetv2-int8 that is ~40-60 of the ~75-100 ms a session takes here, paid by every CLI
 * command that embeds and by every server start. A session created from the graph an earlier
 * start saved, with optimisations off, computes the same outputs bit for bit
 * (test/engine/graph-cache.test.ts) and is created in about half the time.
 *
 * The saved graph can hold layouts chosen for this CPU (ORT's NCHWc transformer), so the key
 * names everything the optimisation depends on: the model's verified bytes (sha256, and the
 * manifest's output, which decides the graph edit, with the edit's version), the runtime's
 * version, the session options and the CPU (its /proc/cpuinfo description). Files are named
 * `<model>-<key>.onnx`: one per model and option set (a server's and the CLI's threads differ,
 * for instance). A graph that fails to load is forgotten and the model loads from its file again;
 * a cache that cannot be written or cleaned only costs the time. A saved graph is trusted as the
 * model file's cached sha256 is (sha256-cache.ts): this process wrote it, atomically, into the
 * user's own cache directory.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { removeStaleTemporaries, renameAtomic } from '../../store/atomic-file.js';
import type { ModelManifest } from '../manifest/manifest.js';
import { cacheDir } from '../manifest/sha256-cache.js';

const GRAPH_DIR = 'onnx-graphs';

let cpuIdentity: string | undefined;

/** Per-core or changing lines of a /proc/cpuinfo block, left out of the CPU's identity. */
const VOLATILE = /^(processor|cpu MHz|bogomips|BogoMIPS|apicid|initial apicid|core id|physical id|siblings|cpu cores)\s*:/;

/**
 * What ORT's kernel and layout choices follow: the architecture, the model name and the first
 * processor's /proc/cpuinfo description (x86 model name and flags; on ARM, Features and CPU part).
 */
export function cpuIdentityOf(cpuinfo: string | null, arch: string, model: string): string {
  const block = (cpuinfo ?? '').split(/\n\s*\n/)[0] ?? '';
  const lines = block.split('\n').map((l) => l.trim()).filter((l) => l && !VOLATILE.test(l));
  return [arch, model, ...lines].join('\n');
}

function cpu(): string {
  if (cpuIdentity !== undefined) return cpuIdentity;
  let info: string | null = null;
  try {
    info = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: the architecture and model name alone
  }
  cpuIdentity = cpuIdentityOf(info, process.arch, os.cpus()[0]?.model ?? 'unknown');
  return cpuIdentity;
}

/**
 * Bumped whenever models/onnx/graph-edit.ts or protowire.ts change what they make of a model:
 * graphs saved from an edit are keyed by it (test/unit/graph-cache-key.test.ts fails on a change
 * to those files until this and the hash it records are updated together).
 */
export const GRAPH_EDIT_VERSION = 1;

let runtimeVersion: string | undefined;

function ortVersion(): string {
  runtimeVersion ??= (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
  return runtimeVersion;
}

/** What the saved graph of one model under one set of session options depends on. */
export interface GraphKeyParts {
  manifest: Pick<ModelManifest, 'name' | 'output'>;
  modelSha256: string;
  /** The session options the graph is optimised under (threads, level, ORT config entries). */
  options: object;
  ortVersion?: string;
  cpu?: string;
}

export function graphKey(parts: GraphKeyParts): string {
  const json = JSON.stringify({
    format: 1,
    model: parts.modelSha256,
    output: parts.manifest.output,
    edit: parts.manifest.output.expose ? GRAPH_EDIT_VERSION : null,
    options: parts.options,
    ort: parts.ortVersion ?? ortVersion(),
    cpu: parts.cpu ?? cpu(),
  });
  return createHash('sha256').update(json).digest('hex').slice(0, 32);
}

export interface GraphCacheEntry {
  /** Where the optimised graph lives once saved. */
  file: string;
  /** Where ONNX Runtime writes a new one (`optimizedModelFilePath`); `keep` moves it to `file`. */
  scratch: string;
  /** The saved graph, or null when there is none (or it cannot be read). */
  read(): Promise<Uint8Array | null>;
  /** Moves a graph ORT wrote to `scratch` into place, when it can (else nothing is kept). */
  keep(): Promise<void>;
  /** Removes the saved graph (one that did not load), when it can. */
  forget(): Promise<void>;
  /** Removes the scratch file (a save that failed), when it can. */
  discard(): Promise<void>;
  /**
   * Whether the cache directory exists or can be made (else there is nowhere to save to); on the
   * way, removes scratch files older than an hour (saves killed midway).
   */
  writable(): Promise<boolean>;
}

const STALE_SCRATCH_MS = 60 * 60 * 1000;

/** Best effort: a cache directory may be read-only or gone; that only costs the time. */
async function remove(file: string): Promise<void> {
  await fsp.rm(file, { force: true }).catch(() => undefined);
}

/** A cache key may stand for the bytes only if it is a verified sha256. */
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The cache entry of one model under one set of options; null when `modelSha256` is not a sha256
 * (bytes that were not verified are never cached: the key could not tell two of them apart).
 */
export function graphCacheEntry(parts: GraphKeyParts, env: NodeJS.ProcessEnv = process.env): GraphCacheEntry | null {
  if (!SHA256.test(parts.modelSha256)) return null;
  const dir = path.join(cacheDir(env), GRAPH_DIR);
  const file = path.join(dir, `${parts.manifest.name}-${graphKey(parts)}.onnx`);
  const scratch = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  return {
    file,
    scratch,
    async read() {
      try {
        return await fsp.readFile(file);
      } catch {
        return null;
      }
    },
    async keep() {
      await renameAtomic(scratch, file).catch(() => remove(scratch));
    },
    forget: () => remove(file),
    discard: () => remove(scratch),
    async writable() {
      try {
        await fsp.mkdir(dir, { recursive: true });
        await fsp.access(dir, fs.constants.W_OK);
      } catch {
        return false;
      }
      await removeStaleTemporaries(dir, { olderThanMs: STALE_SCRATCH_MS }).catch(() => undefined);
      return true;
    },
  };
}
