/**
 * ONNX Runtime sessions for embedders: created from verified bytes, checked against the manifest
 * (input name/shape, output name, embedding dimension), run in batches. Calls to one session are
 * queued and consecutive small requests are merged into one batch (concurrent queries share a
 * forward pass). Sessions run in an InferenceWorker when given one (off the event loop), else in
 * this thread (onnxruntime-node's run then blocks the event loop for the forward pass).
 */
import fs from 'node:fs';
import os from 'node:os';
import { ModelError } from '../errors.js';
import type { ModelManifest } from '../manifest/manifest.js';
import type ort from 'onnxruntime-node';
import { type GraphCacheEntry, graphCacheEntry } from './graph-cache.js';
import { type InferenceWorker, type Runner, loadInProcess, preloadInProcess } from './inference-host.js';
import { imageElements, type TensorData } from '../image/preprocess.js';

/**
 * Physical cores available to this process: hyper-threads of one core count once (intra-op
 * threads above the physical count were slower on these machines), capped by the CPU affinity.
 */
export function physicalCoreCount(): number {
  const logical = os.availableParallelism();
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const cores = new Set<string>();
    for (const block of info.split(/\n\s*\n/)) {
      const phys = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
      const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
      if (phys !== undefined && core !== undefined) cores.add(`${phys}:${core}`);
    }
    if (cores.size > 0) return Math.max(1, Math.min(cores.size, logical));
  } catch {
    // not Linux: fall through
  }
  return logical;
}

export interface SessionOptions {
  /** ONNX Runtime intra-op threads; default: physical cores. */
  threads?: number;
  /**
   * Let idle intra-op threads spin-wait for work (ONNX Runtime's default). Off by default here:
   * spinning threads steal the cores image decoding needs while both run.
   */
  spinning?: boolean;
  /** Up to this many queued images are merged into one run (default 16). */
  maxMergedBatch?: number;
  /** Run the session in this worker thread; absent: in the calling thread. */
  worker?: InferenceWorker;
  /** How int8 kernels sum (see Int8Sums); default 'exact'. */
  int8Sums?: Int8Sums;
}

/**
 * How ONNX Runtime's int8 kernels accumulate on x86-64. 'native' is ONNX Runtime's default: on
 * CPUs without VNNI (AVX2 only, e.g. the AMD EPYC in BENCHMARKS.md) the u8 x s8 products are
 * summed pairwise into saturating 16-bit lanes, so the vectors of an operator-quantized model
 * (QLinearConv) depend on the CPU that computed them (mobilenetv2-int8 alone: MAP@10 0.7034 vs
 * 0.7531). 'exact' sets `session.x64quantprecision`, which widens before summing: the same
 * vectors on every CPU, at 1.22x that model's inference time. Float and QDQ models are unaffected.
 */
export type Int8Sums = 'exact' | 'native';

export type GraphSource = 'saved' | 'model';

/**
 * A session from the model's bytes, optimised as always, with ONNX Runtime also writing the
 * optimised graph to the cache's scratch file, then kept (graph-cache.ts). Rejects when ORT
 * cannot load or cannot write: the caller then loads without saving, which reports a bad model.
 */
async function loadSaving(
  load: (bytes: Uint8Array, o: ort.InferenceSession.SessionOptions) => Promise<Runner>,
  bytes: Uint8Array,
  options: ort.InferenceSession.SessionOptions,
  cache: GraphCacheEntry,
): Promise<Runner> {
  try {
    // Level 3 (errors): ORT warns on every save that the graph may be specific to this CPU,
    // which the cache key already accounts for. (The level is the session's: this first session
    // of a model logs errors only.)
    const session = await load(bytes, { ...options, optimizedModelFilePath: cache.scratch, logSeverityLevel: 3 });
    await cache.keep();
    return session;
  } catch (err) {
    await cache.discard();
    throw err;
  }
}

interface Job {
  input: TensorData;
  n: number;
  /** The caller gives `input` up: it may be moved to the inference worker instead of copied. */
  consume: boolean;
  resolve: (out: Float32Array) => void;
  reject: (err: unknown) => void;
}

export class ModelSession {
  /** Fixed batch size of the export (runs are chunked and padded to it), or null when dynamic. */
  readonly fixedBatch: number | null;
  readonly dim: number;
  private readonly perImage: number;
  private readonly queue: Job[] = [];
  private running = false;
  private released = false;
  private idleWaiters: (() => void)[] = [];

  private constructor(
    readonly manifest: ModelManifest,
    readonly sha256: string,
    private readonly session: Runner,
    fixedBatch: number | null,
    private readonly maxMerged: number,
    /** Where the session's graph came from: the optimised graph an earlier start saved, or the model file. */
    readonly graphSource: GraphSource,
  ) {
    this.fixedBatch = fixedBatch;
    this.dim = manifest.output.dim;
    this.perImage = imageElements(manifest);
  }

  /**
   * A session over the verified model bytes (or over ONNX Runtime's graph of them that an earlier
   * start saved: graph-cache.ts, then the bytes are never read), checked against the manifest.
   */
  static async create(manifest: ModelManifest, model: { sha256: string; path: string; read(): Promise<Uint8Array> }, opts: SessionOptions = {}): Promise<ModelSession> {
    const threads = opts.threads ?? physicalCoreCount();
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`Expected positive integer for threads but received ${threads}`);
    const mismatch = (what: string) =>
      new ModelError('MODEL_MISMATCH', `Model "${manifest.name}" (${model.path}): ${what}. The manifest and the file disagree: check the manifest or get the file it describes.`);
    const options = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential' as const,
      graphOptimizationLevel: 'all' as const,
      extra: { session: { intra_op: { allow_spinning: opts.spinning ? '1' : '0' }, x64quantprecision: (opts.int8Sums ?? 'exact') === 'exact' ? '1' : '0' } },
    };
    const load = (bytes: Uint8Array, o: ort.InferenceSession.SessionOptions) => (opts.worker ? opts.worker.load(bytes, o) : loadInProcess(bytes, o));
    const cache = graphCacheEntry({ manifest, modelSha256: model.sha256, options });
    let session: Runner | null = null;
    let graphSource: GraphSource = 'model';
    // The runtime's import (~25 ms of this thread) overlaps the graph's read instead of following it.
    if (!opts.worker) preloadInProcess();
    const saved = cache && (await cache.read());
    if (cache && saved) {
      try {
        session = await load(saved, { ...options, graphOptimizationLevel: 'disabled' });
        graphSource = 'saved';
      } catch {
        await cache.forget();
      }
    }
    if (!session) {
      const data = await model.read();
      let bytes: Uint8Array;
      try {
        // Exposes the embedding tensor as a graph output when the manifest asks for it. The graph
        // editor (onnx-proto) takes ~200 ms to load, so only such a manifest loads it.
        bytes = manifest.output.expose ? (await import('./graph-edit.js')).prepareModelBytes(manifest, data) : data;
      } catch (err) {
        throw new ModelError('MODEL_MISMATCH', `Model "${manifest.name}" (${model.path}): ${(err as Error).message}`, { cause: err });
      }
      session = cache && (await cache.writable()) ? await loadSaving(load, bytes, options, cache).catch(() => null) : null;
      if (!session) {
        try {
          session = await load(bytes, options);
        } catch (err) {
          throw new ModelError('MODEL_MISMATCH', `Model "${manifest.name}" (${model.path}): ONNX Runtime cannot load it: ${(err as Error).message}`, { cause: err });
        }
      }
    }
    try {
      const info = session.info;
      if (!info.inputNames.includes(manifest.input.name)) {
        throw mismatch(`no input "${manifest.input.name}" (inputs: ${info.inputNames.join(', ')})`);
      }
      if (!info.outputNames.includes(manifest.output.name)) {
        throw mismatch(`no output "${manifest.output.name}" (outputs: ${info.outputNames.join(', ')})`);
      }
      const inMeta = info.inputs[info.inputNames.indexOf(manifest.input.name)];
      let fixedBatch = manifest.input.batch;
      if (inMeta?.isTensor && inMeta.shape) {
        const want = manifest.input.dtype;
        if (inMeta.type !== want) throw mismatch(`input "${manifest.input.name}" is ${inMeta.type}, manifest says ${want}`);
        const shape = inMeta.shape;
        if (shape.length !== 4) throw mismatch(`input "${manifest.input.name}" has rank ${shape.length}, expected 4 (N, 3, H, W)`);
        const [n, c, h, w] = shape;
        const check = (dim: number | string, expected: number, what: string) => {
          if (typeof dim === 'number' && dim >= 0 && dim !== expected) throw mismatch(`input ${what} is ${dim}, manifest says ${expected}`);
        };
        check(c, 3, 'channels');
        check(h, manifest.input.height, 'height');
        check(w, manifest.input.width, 'width');
        if (typeof n === 'number' && n > 0) fixedBatch = n;
      }
      const outMeta = info.outputs[info.outputNames.indexOf(manifest.output.name)];
      if (outMeta?.isTensor && outMeta.shape) {
        const last = outMeta.shape.slice(1).filter((d) => typeof d === 'number' && d > 0) as number[];
        const size = last.reduce((a, b) => a * b, 1);
        if (last.length === outMeta.shape.length - 1 && size !== manifest.output.dim) {
          throw mismatch(`output "${manifest.output.name}" has ${size} values per image, manifest says dim ${manifest.output.dim}`);
        }
      }
      return new ModelSession(manifest, model.sha256, session, fixedBatch, opts.maxMergedBatch ?? 16, graphSource);
    } catch (err) {
      await session.release().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Embeds `n` images laid out N x 3 x H x W in `input` (at least n images long); resolves to the
   * n x dim raw embeddings, row-major (not normalised). Runs are queued; see the file comment.
   * With `consume`, the caller promises never to read `input` again, so a batch tensor (9.6 MB at
   * batch 16) is transferred to the inference worker rather than copied; it is detached after.
   */
  run(input: TensorData, n: number, opts: { consume?: boolean } = {}): Promise<Float32Array> {
    if (this.released) return Promise.reject(new Error(`Model "${this.manifest.name}": session already released`));
    if (!Number.isInteger(n) || n < 0) return Promise.reject(new RangeError(`Expected non-negative integer for n but received ${n}`));
    if (n === 0) return Promise.resolve(new Float32Array(0));
    if (input.length < n * this.perImage) {
      return Promise.reject(new RangeError(`Model "${this.manifest.name}": input has ${input.length} values, ${n} images need ${n * this.perImage}`));
    }
    if ((this.manifest.input.dtype === 'uint8') !== input instanceof Uint8Array) {
      return Promise.reject(new TypeError(`Model "${this.manifest.name}" takes ${this.manifest.input.dtype} input`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ input, n, consume: opts.consume === true, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running) return;
    if (this.queue.length === 0) {
      for (const wake of this.idleWaiters.splice(0)) wake();
      return;
    }
    this.running = true;
    const jobs = [this.queue.shift()!];
    let total = jobs[0].n;
    while (this.queue.length && total + this.queue[0].n <= this.maxMerged) {
      const job = this.queue.shift()!;
      jobs.push(job);
      total += job.n;
    }
    let input = jobs[0].input;
    // A merged input is this session's own copy: nobody else reads it.
    const owned = jobs.length > 1 || jobs[0].consume;
    if (jobs.length > 1) {
      input = this.manifest.input.dtype === 'uint8' ? new Uint8Array(total * this.perImage) : new Float32Array(total * this.perImage);
      let at = 0;
      for (const j of jobs) {
        input.set(j.input.subarray(0, j.n * this.perImage), at);
        at += j.n * this.perImage;
      }
    }
    this.execute(input, total, owned).then(
      (out) => {
        let at = 0;
        for (const j of jobs) {
          j.resolve(jobs.length === 1 ? out : out.slice(at * this.dim, (at + j.n) * this.dim));
          at += j.n;
        }
      },
      (err) => {
        for (const j of jobs) j.reject(err);
      },
    ).finally(() => {
      this.running = false;
      this.pump();
    });
  }

  private async execute(input: TensorData, n: number, owned: boolean): Promise<Float32Array> {
    const { height: h, width: w, dtype, name } = this.manifest.input;
    const chunk = this.fixedBatch ?? n;
    const out = new Float32Array(n * this.dim);
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      let data = input.subarray(start * this.perImage, (start + count) * this.perImage);
      if (this.fixedBatch !== null && count < this.fixedBatch) {
        const padded = dtype === 'uint8' ? new Uint8Array(this.fixedBatch * this.perImage) : new Float32Array(this.fixedBatch * this.perImage);
        padded.set(data);
        data = padded;
      }
      const rows = this.fixedBatch ?? count;
      const t = await this.session.run(name, this.manifest.output.name, data, [rows, 3, h, w], owned);
      const values = t.data;
      if (t.type !== 'float32' || t.dims[0] !== rows || values.length !== rows * this.dim) {
        throw new ModelError(
          'MODEL_MISMATCH',
          `Model "${this.manifest.name}": output "${this.manifest.output.name}" is ${t.type} [${t.dims.join(', ')}], expected float32 [${rows}, ${this.dim}]`,
        );
      }
      out.set(values.subarray(0, count * this.dim), start * this.dim);
    }
    return out;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    // Let queued work finish rather than failing it mid-flight.
    if (this.running || this.queue.length) await new Promise<void>((wake) => this.idleWaiters.push(wake));
    await this.session.release();
  }
}
