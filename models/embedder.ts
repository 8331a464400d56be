/**
 * The ensemble and its pipeline: what the collection store, indexer and search service call.
 *
 *   file -> read (byte limit) -> sha256 -> decode (pixel limit, EXIF, sRGB) -> crop step ->
 *   per preprocess geometry: resize + crop + normalise into the batch tensor (per view) ->
 *   one batched run per model -> per-model L2-normalised vectors.
 *
 * embedFiles overlaps the reading/decoding/preprocessing of batch n+1 with the inference of
 * batch n (both compete for the same cores: see docs/ARCHITECTURE.md, "Performance stance"), keeps at most
 * two batches of tensors alive, yields in input order, and reports a bad file as a result instead
 * of throwing. The overlap needs the sessions in a worker thread (the default, `inference:
 * 'worker'`): onnxruntime-node runs a forward pass synchronously on the calling thread.
 */
import { createHash } from 'node:crypto';
import { type Box, type CropOptions, ZOOM_SCALE, centreBox, cropRgb, detectContentBox } from './image/crop.js';
import { DEFAULT_LIMITS, type DecodeLimits, decodeImage } from './image/decode.js';
import { readImageFile } from './image/image-file.js';
import { type DecodeFailure, ImageDecodeError } from './image/decode-error.js';
import type { RgbImage } from './image/pixels.js';
import type { ModelManifest } from './manifest/manifest.js';
import { resolveModelDir } from './manifest/model-dir.js';
import { verifyModelFile } from './manifest/model-file.js';
import { getManifest } from './manifest/registry.js';
import { type TensorData, allocateTensor, fullRect, imageElements, normalisationTable, preprocessKey, resizeForModel, writeTensor } from './image/preprocess.js';
import { InferenceWorker } from './onnx/inference-host.js';
import { type Int8Sums, ModelSession, physicalCoreCount } from './onnx/session.js';
import { l2NormalizeInPlace } from './vectors.js';

/**
 * Views of an image that get embedded (test-time augmentation; a collection pools its views per
 * model): as is, mirrored left-right, the centre ZOOM_SCALE share of it resized the model's way
 * (a closer look at a centred object), and that mirrored.
 */
export type View = 'orig' | 'flip' | 'zoom' | 'zoom-flip';
export const VIEWS: readonly View[] = ['orig', 'flip', 'zoom', 'zoom-flip'];

/** modelName -> L2-normalised embedding. */
export type ModelVectors = Record<string, Float32Array>;
/** view -> modelName -> L2-normalised embedding. */
export type ViewVectors = Partial<Record<View, ModelVectors>>;

export interface EmbedderOptions extends DecodeLimits {
  /** Folder holding the .onnx files and imported manifests; default: IMSEARCH_MODEL_DIR. */
  modelDir?: string;
  /** Run the crop step (trim content-free borders) before each model's resize; options tune it. */
  crop?: boolean | CropOptions;
  /** ONNX Runtime intra-op threads per session; default: physical cores. */
  threads?: number;
  /** Images per inference batch in embedFiles (default 16). */
  batchSize?: number;
  /** Images of a batch read + decoded + preprocessed at once (default: the whole batch). */
  decodeConcurrency?: number;
  /** Let ONNX Runtime's idle threads spin (default false: they would starve decoding). */
  spinning?: boolean;
  /**
   * Where the ONNX Runtime sessions run: 'worker' (default), one worker thread for all the
   * models, so inference never blocks this thread's event loop and embedFiles overlaps decoding
   * with inference; 'main', this thread (e.g. when the Embedder itself lives in a worker that
   * does nothing else).
   */
  inference?: 'worker' | 'main';
  /** Built-in manifest folder; default: the repository's models/manifests. */
  manifestsDir?: string;
  /** How int8 models sum (part of a collection's identity: vectors differ with it); default 'exact'. */
  int8Sums?: Int8Sums;
}

export interface EmbeddedFile {
  index: number;
  path: string;
  ok: true;
  /** sha256 (hex) of the file's bytes. */
  sha256: string;
  bytes: number;
  vectors: ViewVectors;
}

export interface FailedFile {
  index: number;
  path: string;
  ok: false;
  reason: DecodeFailure;
  message: string;
}

/** A file whose content (by sha256) the caller already has: read and hashed, not decoded. */
export interface KnownFile {
  index: number;
  path: string;
  ok: 'known';
  sha256: string;
}

export type EmbedFileResult = EmbeddedFile | FailedFile | KnownFile;

export interface EmbedFilesOptions {
  /** Overrides the embedder's batch size for this call. */
  batchSize?: number;
  /** Stops between batches (the iterator throws the signal's reason). */
  signal?: AbortSignal;
  /**
   * Content the caller already has (sha256 hex): such files are reported as `known` without
   * being decoded, so an indexing run reads each file once (a Set, so it crosses to a worker).
   */
  known?: ReadonlySet<string>;
}

export interface EmbedderModel {
  name: string;
  dim: number;
  /** sha256 of the model file that was verified and loaded. */
  sha256: string;
}

/** Models that share preprocessing geometry and normalisation share one tensor. */
interface Group {
  manifest: ModelManifest;
  table: Float32Array[] | null;
  sessions: ModelSession[];
}

export interface PreparedOk {
  ok: true;
  index: number;
  path: string;
  sha256: string;
  bytes: number;
}

/** The first stage of embedFiles for one batch: files read, hashed, decoded and preprocessed. */
export interface PreparedBatch {
  readonly views: readonly View[];
  readonly entries: readonly (PreparedOk | FailedFile | KnownFile)[];
  /** Per preprocessing group: okCount x views images, in entry order. */
  readonly tensors: readonly TensorData[];
  readonly okCount: number;
}

function normaliseViews(views: readonly View[]): View[] {
  if (!Array.isArray(views) || views.length === 0) throw new RangeError(`Expected a non-empty list of views (${VIEWS.join(', ')})`);
  for (const v of views) if (!VIEWS.includes(v)) throw new RangeError(`Unknown view "${v}": expected one of ${VIEWS.join(', ')}`);
  return VIEWS.filter((v) => views.includes(v));
}

const positiveInt = (v: unknown, name: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`Expected positive integer for ${name} but received ${String(v)}`);
  return v;
};

export class Embedder {
  readonly models: readonly EmbedderModel[];
  /** Whether the crop step runs (part of a collection's identity: vectors differ with it). */
  readonly crop: boolean;
  readonly int8Sums: Int8Sums;
  readonly batchSize: number;
  private readonly decodeConcurrency: number;
  private readonly cropOptions: CropOptions;
  private readonly limits: Required<DecodeLimits>;
  private readonly groups: Group[];
  private readonly worker: InferenceWorker | null;
  private closed = false;

  private constructor(sessions: ModelSession[], worker: InferenceWorker | null, opts: EmbedderOptions & { int8Sums: Int8Sums }) {
    this.worker = worker;
    this.models = sessions.map((s) => ({ name: s.manifest.name, dim: s.dim, sha256: s.sha256 }));
    this.crop = !!opts.crop;
    this.int8Sums = opts.int8Sums;
    this.cropOptions = typeof opts.crop === 'object' ? opts.crop : {};
    this.batchSize = positiveInt(opts.batchSize ?? 16, 'batchSize');
    this.decodeConcurrency = positiveInt(opts.decodeConcurrency ?? Number.MAX_SAFE_INTEGER, 'decodeConcurrency');
    const largest = Math.max(...sessions.map((s) => Math.max(s.manifest.preprocess.size, s.manifest.input.height, s.manifest.input.width)));
    this.limits = {
      maxPixels: positiveInt(opts.maxPixels ?? DEFAULT_LIMITS.maxPixels, 'maxPixels'),
      maxBytes: positiveInt(opts.maxBytes ?? DEFAULT_LIMITS.maxBytes, 'maxBytes'),
      workingSize: opts.workingSize ?? Math.max(DEFAULT_LIMITS.workingSize, 2 * largest),
      minSide: positiveInt(opts.minSide ?? DEFAULT_LIMITS.minSide, 'minSide'),
    };
    const byKey = new Map<string, Group>();
    for (const s of sessions) {
      const key = preprocessKey(s.manifest);
      let g = byKey.get(key);
      if (!g) {
        g = { manifest: s.manifest, table: s.manifest.input.dtype === 'float32' ? normalisationTable(s.manifest.preprocess) : null, sessions: [] };
        byKey.set(key, g);
      }
      g.sessions.push(s);
    }
    this.groups = [...byKey.values()];
  }

  /**
   * Loads the named models (verified against their manifests) into ONNX Runtime sessions.
   * Throws ModelError for an unknown name, a missing model directory, a missing or corrupt file.
   */
  static async create(modelNames: readonly string[], opts: EmbedderOptions = {}): Promise<Embedder> {
    if (modelNames.length === 0) throw new RangeError('Expected at least one model name');
    const dup = modelNames.find((n, i) => modelNames.indexOf(n) !== i);
    if (dup) throw new RangeError(`Model "${dup}" is listed twice`);
    if (opts.batchSize !== undefined) positiveInt(opts.batchSize, 'batchSize');
    const modelDir = resolveModelDir(opts.modelDir);
    // built-in manifests plus the ones imported into the model directory
    const manifests = modelNames.map((n) => getManifest(n, { modelDir, ...(opts.manifestsDir ? { manifestsDir: opts.manifestsDir } : {}) }));
    const threads = opts.threads ?? physicalCoreCount();
    const inference = opts.inference ?? 'worker';
    if (inference !== 'worker' && inference !== 'main') throw new RangeError(`Expected 'worker' or 'main' for inference but received ${String(inference)}`);
    const int8Sums = opts.int8Sums ?? 'exact';
    if (int8Sums !== 'exact' && int8Sums !== 'native') throw new RangeError(`Expected 'exact' or 'native' for int8Sums but received ${String(int8Sums)}`);
    const worker = inference === 'worker' ? new InferenceWorker() : null;
    const sessions: ModelSession[] = [];
    try {
      for (const m of manifests) {
        const file = await verifyModelFile(m, modelDir);
        sessions.push(await ModelSession.create(m, file, { threads, spinning: opts.spinning, maxMergedBatch: opts.batchSize ?? 16, int8Sums, ...(worker ? { worker } : {}) }));
      }
    } catch (err) {
      await Promise.all(sessions.map((s) => s.release()));
      await worker?.terminate();
      throw err;
    }
    return new Embedder(sessions, worker, { ...opts, int8Sums });
  }

  /**
   * Embeds one image (bytes or a file path). With a list of views: view -> model -> vector.
   * With `{ flip }` (or nothing): model -> vector for that single view.
   * Throws ImageDecodeError for input that is not a decodable image within the limits.
   */
  embedImage(input: Uint8Array | string, views: readonly View[]): Promise<ViewVectors>;
  embedImage(input: Uint8Array | string, opts?: { flip?: boolean }): Promise<ModelVectors>;
  async embedImage(input: Uint8Array | string, arg?: readonly View[] | { flip?: boolean }): Promise<ViewVectors | ModelVectors> {
    this.assertOpen();
    const single = !Array.isArray(arg);
    const views = single ? [(arg as { flip?: boolean } | undefined)?.flip ? ('flip' as const) : ('orig' as const)] : normaliseViews(arg as readonly View[]);
    const buf = typeof input === 'string' ? await readImageFile(input, this.limits.maxBytes) : input;
    const tensors = this.groups.map((g) => allocateTensor(g.manifest, views.length));
    await this.prepareInto(buf, typeof input === 'string' ? input : 'the image', views, tensors, 0);
    const out = await this.infer(tensors, 1, views, true);
    return single ? out[0][views[0]]! : out[0];
  }

  /**
   * Embeds files in batches, yielding one result per path in input order: the vectors, or the
   * reason the file was skipped. Never throws for a bad file (only for an aborted signal or a
   * failure of the inference runtime itself).
   */
  async *embedFiles(paths: readonly string[], views: readonly View[] = ['orig'], opts: EmbedFilesOptions = {}): AsyncGenerator<EmbedFileResult> {
    this.assertOpen();
    const vs = normaliseViews(views);
    const batchSize = positiveInt(opts.batchSize ?? this.batchSize, 'batchSize');
    const starts: number[] = [];
    for (let s = 0; s < paths.length; s += batchSize) starts.push(s);
    const prepare = (s: number) => this.preprocessBatch(paths.slice(s, s + batchSize), vs, s, opts.known);
    let next: Promise<PreparedBatch> | null = starts.length ? prepare(starts[0]) : null;
    try {
      for (let b = 0; b < starts.length; b++) {
        opts.signal?.throwIfAborted();
        const batch = await next!;
        // Start decoding the next batch now: it runs while this one is in inference.
        next = b + 1 < starts.length ? prepare(starts[b + 1]) : null;
        yield* await this.inferBatch(batch, { consume: true });
      }
    } finally {
      // An early exit (break, abort, error) waits for the prefetch so no work outlives the iterator.
      if (next) await next.catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.groups.flatMap((g) => g.sessions.map((s) => s.release())));
    await this.worker?.terminate();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('Embedder is closed');
  }

  /**
   * Stage 1 of embedFiles, public for benchmarks and tests: reads, hashes, decodes and
   * preprocesses `paths` (concurrently) into fresh tensors. Never rejects for a bad file; result
   * indexes start at `firstIndex`.
   */
  async preprocessBatch(paths: readonly string[], views: readonly View[] = ['orig'], firstIndex = 0, known?: ReadonlySet<string>): Promise<PreparedBatch> {
    this.assertOpen();
    views = normaliseViews(views);
    const n = paths.length;
    const tensors = this.groups.map((g) => allocateTensor(g.manifest, n * views.length));
    const one = async (file: string, i: number): Promise<PreparedOk | FailedFile | KnownFile> => {
      const index = firstIndex + i;
      try {
        const buf = await readImageFile(file, this.limits.maxBytes);
        const sha256 = createHash('sha256').update(buf).digest('hex');
        if (known?.has(sha256)) return { index, path: file, ok: 'known', sha256 };
        await this.prepareInto(buf, file, views, tensors, i);
        return { ok: true, index, path: file, sha256, bytes: buf.length };
      } catch (err) {
        if (err instanceof ImageDecodeError) return { index, path: file, ok: false, reason: err.reason, message: err.message };
        // Anything else from decoding a file is still that file's problem, not the run's.
        return { index, path: file, ok: false, reason: 'corrupt', message: `${file}: ${(err as Error).message}` };
      }
    };
    const entries: (PreparedOk | FailedFile | KnownFile)[] = new Array(n);
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        entries[i] = await one(paths[i], i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(n, this.decodeConcurrency) }, worker));
    // Close the gaps left by failed files so the ok images are contiguous.
    let okCount = 0;
    entries.forEach((e, i) => {
      if (e.ok !== true) return;
      if (okCount !== i) {
        this.groups.forEach((g, gi) => {
          const per = imageElements(g.manifest) * views.length;
          tensors[gi].copyWithin(okCount * per, i * per, (i + 1) * per);
        });
      }
      okCount++;
    });
    return { views, entries, tensors, okCount };
  }

  /**
   * Stage 2 of embedFiles, public for benchmarks and tests: every model on a prepared batch.
   * With `consume` the batch's tensors are handed to the inference worker (unusable after).
   */
  async inferBatch(batch: PreparedBatch, opts: { consume?: boolean } = {}): Promise<EmbedFileResult[]> {
    this.assertOpen();
    const vectors = batch.okCount ? await this.infer(batch.tensors, batch.okCount, batch.views, opts.consume === true) : [];
    let k = 0;
    return batch.entries.map((e) => (e.ok === true ? { index: e.index, path: e.path, ok: true, sha256: e.sha256, bytes: e.bytes, vectors: vectors[k++] } : e));
  }

  /** Decode + crop step + every group's resize/normalise, written at image slot `slot`. */
  private async prepareInto(buf: Uint8Array, label: string, views: readonly View[], tensors: readonly TensorData[], slot: number): Promise<void> {
    if (buf.length === 0) throw new ImageDecodeError('empty', `${label} is empty (0 bytes).`);
    let img: RgbImage = await decodeImage(buf, this.limits, label);
    if (this.crop) {
      const box: Box | null = detectContentBox(img, this.cropOptions);
      if (box) img = cropRgb(img, box);
    }
    const zoomed = views.some((v) => v.startsWith('zoom')) ? cropRgb(img, centreBox(img.width, img.height, ZOOM_SCALE)) : null;
    this.groups.forEach((g, gi) => {
      const whole = views.some((v) => !v.startsWith('zoom')) ? resizeForModel(img, g.manifest) : null;
      const close = zoomed ? resizeForModel(zoomed, g.manifest) : null;
      views.forEach((v, k) => {
        const view = (v.startsWith('zoom') ? close : whole)!;
        writeTensor(view, fullRect(view), tensors[gi], slot * views.length + k, g.table, v.endsWith('flip'));
      });
    });
  }

  /**
   * Runs every model on `count` images x views; per image: view -> model -> unit vector. With
   * `consume`, a group's last model takes the group's tensor (moved, not copied, to the worker).
   */
  private async infer(tensors: readonly TensorData[], count: number, views: readonly View[], consume: boolean): Promise<ViewVectors[]> {
    const out: ViewVectors[] = Array.from({ length: count }, () => Object.fromEntries(views.map((v) => [v, {}])) as ViewVectors);
    for (let gi = 0; gi < this.groups.length; gi++) {
      const sessions = this.groups[gi].sessions;
      for (const [si, session] of sessions.entries()) {
        const raw = await session.run(tensors[gi], count * views.length, { consume: consume && si === sessions.length - 1 });
        const dim = session.dim;
        for (let i = 0; i < count; i++) {
          views.forEach((v, k) => {
            const row = (i * views.length + k) * dim;
            out[i][v]![session.manifest.name] = l2NormalizeInPlace(raw.slice(row, row + dim));
          });
        }
      }
    }
    return out;
  }
}
