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
 * manifest's output, which decides the graph edit), the runtime's version, the session options
 * and the CPU (model name and feature flags). A graph that fails to load is forgotten and the
 * model loads from its file again; a cache directory that cannot be written only costs the time.
 * Files are named `<model>-<key>.onnx`: one per model and option set, as many as the sessions
 * configured differently (a server's and the CLI's threads, for instance).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { renameAtomic } from '../../store/atomic-file.js';
import type { ModelManifest } from '../manifest/manifest.js';
import { cacheDir } from '../manifest/sha256-cache.js';

const GRAPH_DIR = 'onnx-graphs';

let cpuIdentity: string | undefined;

/** The CPU's model name and feature flags (what ORT's kernel and layout choices follow). */
function cpu(): string {
  if (cpuIdentity !== undefined) return cpuIdentity;
  let text = `${process.arch} ${os.cpus()[0]?.model ?? 'unknown'}`;
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    text = `${process.arch} ${/^model name\s*:(.*)$/m.exec(info)?.[1]?.trim() ?? ''} ${/^flags\s*:(.*)$/m.exec(info)?.[1]?.trim() ?? ''}`;
  } catch {
    // not Linux: the model name alone
  }
  cpuIdentity = text;
  return text;
}

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
  /** Moves a graph ORT wrote to `scratch` into place; false when it cannot (nothing is kept). */
  keep(): Promise<boolean>;
  /** Removes the saved graph and any scratch file (a graph that did not load). */
  forget(): Promise<void>;
  /** Whether the cache directory exists or can be made (else there is nowhere to save to). */
  writable(): Promise<boolean>;
}

export function graphCacheEntry(parts: GraphKeyParts, env: NodeJS.ProcessEnv = process.env): GraphCacheEntry {
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
      try {
        await renameAtomic(scratch, file);
        return true;
      } catch {
        await fsp.rm(scratch, { force: true });
        return false;
      }
    },
    async forget() {
      await fsp.rm(file, { force: true });
      await fsp.rm(scratch, { force: true });
    },
    async writable() {
      try {
        await fsp.mkdir(dir, { recursive: true });
        await fsp.access(dir, fs.constants.W_OK);
        return true;
      } catch {
        return false;
      }
    },
  };
}
