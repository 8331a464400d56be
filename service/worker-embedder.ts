/**
 * An ImageEmbedder whose models run in a worker thread (service/embedder-worker.ts), so that
 * decoding, preprocessing and inference never run on the serving thread's event loop. The
 * worker runs the ONNX sessions itself (no third thread): a query image crosses one thread
 * boundary each way. The services use it exactly like the in-process Embedder (same models,
 * sha256s and crop flag, so the searcher's model check passes).
 */
import { Worker } from 'node:worker_threads';
import type { EmbedFileResult } from '../models/embedder.js';
import type { View } from '../store/collection.js';
import type { ImageEmbedder, Int8Sums } from './embedder-port.js';
import { type WireError, fromWire } from './wire-error.js';

type ViewVectors = Partial<Record<View, Record<string, Float32Array>>>;

export type ToWorker =
  | { type: 'embedImage'; id: number; data: Uint8Array; views: View[] }
  | { type: 'embedFiles'; id: number; paths: string[]; views: View[]; known?: ReadonlySet<string> }
  | { type: 'cancel'; id: number }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; models: { name: string; dim: number; sha256: string }[]; crop: boolean; int8Sums: Int8Sums }
  | { type: 'init-error'; error: WireError }
  | { type: 'result'; id: number; vectors: ViewVectors }
  | { type: 'item'; id: number; item: EmbedFileResult }
  | { type: 'done'; id: number }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'closed' };

export interface EmbedderWorkerData {
  models: string[];
  options: {
    modelDir: string;
    crop: boolean;
    int8Sums: Int8Sums;
    threads?: number;
    batchSize?: number;
    maxPixels?: number;
    maxBytes?: number;
  };
}

interface Pending {
  resolve(v: ViewVectors): void;
  reject(e: Error): void;
}

interface Stream {
  push(item: EmbedFileResult): void;
  end(): void;
  fail(e: Error): void;
}

const WORKER_URL = new URL('./embedder-worker.js', import.meta.url);

/** Starts a worker and waits until its models are loaded; rejects with the worker's ModelError. */
function spawn(data: EmbedderWorkerData): Promise<{ worker: Worker; models: { name: string; dim: number; sha256: string }[]; crop: boolean; int8Sums: Int8Sums }> {
  const worker = new Worker(WORKER_URL, { workerData: data, name: `embedder ${data.models.join(',')}` });
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromWorker) => {
      cleanup();
      if (m.type === 'ready') resolve({ worker, models: m.models, crop: m.crop, int8Sums: m.int8Sums });
      else if (m.type === 'init-error') {
        void worker.terminate();
        reject(fromWire(m.error, 'the embedder worker'));
      }
    };
    const onError = (err: Error) => {
      cleanup();
      void worker.terminate();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`the embedder worker exited (code ${code}) while loading ${data.models.join(', ')}`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

export class WorkerEmbedder implements ImageEmbedder {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Map<number, Stream>();
  /** Set when the worker is gone; the next call starts a new one (unless closed). */
  private dead: Error | null = null;
  private respawning: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  /** Workers started after the first one died (for logs and tests). */
  restarts = 0;

  private constructor(
    private worker: Worker,
    private readonly data: EmbedderWorkerData,
    readonly models: readonly { name: string; dim: number; sha256: string }[],
    readonly crop: boolean,
    readonly int8Sums: Int8Sums,
  ) {
    this.attach(worker);
  }

  /** Starts a worker and loads the models in it; rejects with the worker's ModelError when one fails. */
  static async create(models: readonly string[], options: EmbedderWorkerData['options']): Promise<WorkerEmbedder> {
    const data: EmbedderWorkerData = { models: [...models], options };
    const started = await spawn(data);
    return new WorkerEmbedder(started.worker, data, started.models, started.crop, started.int8Sums);
  }

  async embedImage(input: Buffer | Uint8Array, views: readonly View[]): Promise<ViewVectors> {
    await this.alive();
    const id = this.nextId++;
    // A copy with its own ArrayBuffer, transferred: small Buffers share Node's pool slab.
    const data = new Uint8Array(input);
    return new Promise<ViewVectors>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'embedImage', id, data, views: [...views] }, [data.buffer as ArrayBuffer]);
    });
  }

  async *embedFiles(paths: readonly string[], views: readonly View[], opts: { known?: ReadonlySet<string>; signal?: AbortSignal } = {}): AsyncGenerator<EmbedFileResult> {
    await this.alive();
    const id = this.nextId++;
    const buffer: EmbedFileResult[] = [];
    let finished = false;
    let error: Error | null = null;
    let wake: (() => void) | null = null;
    const notify = () => {
      wake?.();
      wake = null;
    };
    this.streams.set(id, {
      push: (item) => {
        buffer.push(item);
        notify();
      },
      end: () => {
        finished = true;
        notify();
      },
      fail: (e) => {
        error = e;
        finished = true;
        notify();
      },
    });
    this.send({ type: 'embedFiles', id, paths: [...paths], views: [...views], known: opts.known });
    try {
      for (;;) {
        opts.signal?.throwIfAborted();
        if (buffer.length) {
          yield buffer.shift()!;
          continue;
        }
        if (error) throw error;
        if (finished) return;
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      if (!finished && !this.dead) this.send({ type: 'cancel', id });
      this.streams.delete(id);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.respawning?.catch(() => undefined);
      if (this.dead) return;
      const closed = new Promise<void>((resolve) => {
        const onMessage = (m: FromWorker) => {
          if (m.type === 'closed') resolve();
        };
        this.worker.on('message', onMessage);
        this.worker.once('exit', () => resolve());
      });
      this.worker.postMessage({ type: 'close' } satisfies ToWorker);
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
      await this.worker.terminate();
      this.fail(new Error('the embedder is closed'));
    })();
    return this.closing;
  }

  /** Ends the worker as a crash would (tests). */
  async crashForTest(): Promise<void> {
    await this.worker.terminate();
  }

  /**
   * Ensures a live worker: after a worker died (every call in flight then failed), the next call
   * starts a new one with the same models, checked to be the same files.
   */
  private async alive(): Promise<void> {
    if (this.closing) throw new Error('the embedder is closed');
    if (!this.dead) return;
    this.respawning ??= (async () => {
      const started = await spawn(this.data);
      const same = started.models.map((m) => `${m.name}@${m.sha256}`).join() === this.models.map((m) => `${m.name}@${m.sha256}`).join();
      if (!same || started.crop !== this.crop || started.int8Sums !== this.int8Sums) {
        await started.worker.terminate();
        throw new Error('the restarted embedder worker loaded different model files');
      }
      this.worker = started.worker;
      this.attach(started.worker);
      this.dead = null;
      this.restarts++;
    })().finally(() => {
      this.respawning = null;
    });
    await this.respawning;
  }

  private attach(worker: Worker): void {
    worker.on('message', (m: FromWorker) => {
      if (worker === this.worker) this.onMessage(m);
    });
    worker.on('error', (err) => {
      if (worker === this.worker) this.fail(err);
    });
    worker.on('exit', (code) => {
      if (worker === this.worker && !this.closing) this.fail(new Error(`the embedder worker exited (code ${code})`));
    });
  }

  private send(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'result':
        this.pending.get(m.id)?.resolve(m.vectors);
        this.pending.delete(m.id);
        break;
      case 'item':
        this.streams.get(m.id)?.push(m.item);
        break;
      case 'done':
        this.streams.get(m.id)?.end();
        break;
      case 'error': {
        const err = fromWire(m.error, 'the embedder worker');
        const p = this.pending.get(m.id);
        if (p) {
          p.reject(err);
          this.pending.delete(m.id);
        }
        this.streams.get(m.id)?.fail(err);
        break;
      }
      default:
        break;
    }
  }

  /** The worker is gone: every waiting call fails, later calls fail at once. */
  private fail(err: Error): void {
    this.dead ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const s of this.streams.values()) s.fail(err);
    this.streams.clear();
  }
}
