import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexFault } from './errors.js';

/**
 * Hand-written types for the two native addons, covering only what the adapters use
 * (faiss-node as patched by patches/faiss-node+0.5.1.patch; indexes/native/annoy).
 * Both are built by scripts/build-native.mjs (npm ci runs it as postinstall).
 */

export const FAISS_METRIC = { ip: 0, l2: 1 } as const;

export interface NativeSearchResult<L> {
  /** Neighbours per query: the requested k clamped to the stored count. */
  k: number;
  /** nq x k, -1 where a query got fewer than k. */
  labels: L;
  distances: Float32Array;
}

export interface NativeFaissIndex {
  ntotal(): number;
  getDimension(): number;
  metricType(): number;
  isTrained(): boolean;
  addWithIdsAsync(x: Float32Array, ids: Float64Array): Promise<void>;
  trainAsync(x: Float32Array): Promise<void>;
  searchAsync(x: Float32Array, k: number): Promise<NativeSearchResult<BigInt64Array>>;
  setParameters(params: string): void;
  ids(): BigInt64Array;
  reconstructBatchAsync(ids: Float64Array): Promise<Float32Array>;
  removeIdsAsync(ids: Float64Array): Promise<number>;
  writeAsync(file: string): Promise<void>;
}

export interface FaissModule {
  Index: {
    fromFactory(dim: number, description: string, metric: number): NativeFaissIndex;
    readAsync(file: string): Promise<NativeFaissIndex>;
  };
}

export type AnnoyMetric = 'dot' | 'euclidean';

export interface NativeAnnoyIndex {
  buildAsync(vectors: Float32Array, trees: number, seed: number): Promise<void>;
  /** searchK -1: Annoy's default (k x trees); raised until k distinct items are found. */
  searchAsync(queries: Float32Array, k: number, searchK: number): Promise<NativeSearchResult<Int32Array>>;
  saveAsync(file: string): Promise<void>;
  loadAsync(file: string): Promise<void>;
  itemsAsync(): Promise<Float32Array>;
  size(): number;
  trees(): number;
}

export interface AnnoyModule {
  AnnoyIndex: new (dim: number, metric: AnnoyMetric) => NativeAnnoyIndex;
}

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const HOW_TO_BUILD =
  'run `npm run build:native` (needs the Debian packages cmake g++ libfaiss-dev libopenblas-dev)';

let faissModule: FaissModule | undefined;
let annoyModule: AnnoyModule | undefined;

/**
 * Thread and kernel settings for the native libraries, read once when they are loaded (at the
 * first require of an addon), so they are set here first unless the environment has them:
 *
 * - OMP_WAIT_POLICY=PASSIVE: libgomp threads otherwise spin at every barrier. On the shared
 *   2-core machines (ONNX inference and image decoding run beside the index) a spinning
 *   thread steals the core its partner needs: IVF-PQ training ran 6x slower in CPU time.
 * - OPENBLAS_CORETYPE from the CPU flags: Debian's OpenBLAS 0.3.21 picks kernels from the
 *   CPUID model and falls back to SSE3 "Prescott" kernels on CPUs it does not know (VMs
 *   reporting a generic "Intel Xeon Processor"): sgemm ran 6x slower on the benchmark machine.
 */
export function chooseOpenBlasCoreType(cpuinfo: string): string | undefined {
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/));
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512cd'].every((f) => flags.has(f))) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return undefined;
}

let envPrepared = false;

function prepareNativeEnv(): void {
  if (envPrepared) return;
  envPrepared = true;
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  if (process.env.OPENBLAS_CORETYPE !== undefined || process.platform !== 'linux') return;
  try {
    const core = chooseOpenBlasCoreType(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (core) process.env.OPENBLAS_CORETYPE = core;
  } catch {
    // no /proc/cpuinfo: leave OpenBLAS to its own detection
  }
}

export function loadFaiss(): FaissModule {
  if (faissModule) return faissModule;
  prepareNativeEnv();
  let mod: FaissModule;
  try {
    mod = require('faiss-node') as FaissModule;
  } catch (e) {
    throw indexFault('NATIVE_UNAVAILABLE', `faiss-node does not load: ${HOW_TO_BUILD}. (${(e as Error).message})`, {
      cause: e,
    });
  }
  if (typeof (mod.Index as { readAsync?: unknown }).readAsync !== 'function') {
    throw indexFault('NATIVE_UNAVAILABLE', `faiss-node is the unpatched build (no readAsync/searchAsync): apply patches/ with \`npx patch-package\`, then ${HOW_TO_BUILD}`,
    );
  }
  faissModule = mod;
  return mod;
}

const ANNOY_ADDON = path.join('indexes', 'native', 'annoy', 'build', 'Release', 'imsearch_annoy.node');

/** The Annoy addon lives in the source tree; look upwards from the compiled file (any outDir). */
function annoyAddonPath(): string | undefined {
  if (process.env.IMSEARCH_ANNOY_ADDON) return process.env.IMSEARCH_ANNOY_ADDON;
  for (let dir = here; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, ANNOY_ADDON);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function loadAnnoy(): AnnoyModule {
  if (annoyModule) return annoyModule;
  prepareNativeEnv();
  const file = annoyAddonPath();
  if (!file) throw indexFault('NATIVE_UNAVAILABLE', `the Annoy addon (${ANNOY_ADDON}) is not built: ${HOW_TO_BUILD}`);
  try {
    annoyModule = require(file) as AnnoyModule;
  } catch (e) {
    throw indexFault('NATIVE_UNAVAILABLE', `the Annoy addon ${file} does not load: ${HOW_TO_BUILD}. (${(e as Error).message})`, {
      cause: e,
    });
  }
  return annoyModule;
}
