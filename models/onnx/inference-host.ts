/**
 * Where ONNX Runtime sessions run: in this thread, or in one worker thread shared by an
 * Embedder's models (the default). onnxruntime-node 1.30 runs `InferenceSession.run`
 * synchronously on the calling JS thread, so in-thread inference blocks the event loop for the
 * whole forward pass: no file reads, no decode dispatch, no preprocessing of the next batch, no
 * other request. In a worker, inference of batch n really overlaps everything else.
 */
import { Worker } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
import { type GraphInfo, graphInfo } from './graph-info.js';
import type { FromInferenceWorker, ToInferenceWorker } from './inference-worker.js';
import type { TensorData } from '../image/preprocess.js';

export type { GraphInfo, GraphValue } from './graph-info.js';

export interface RunOutput {
  data: Float32Array;
  dims: readonly number[];
  type: string;
}

/** One loaded graph, wherever it runs. */
export interface Runner {
  readonly info: GraphInfo;
  /** `owned`: the caller never reads `data` again (a worker may take its buffer). */
  run(inputName: string, outputName: string, data: TensorData, dims: number[], owned?: boolean): Promise<RunOutput>;
  release(): Promise<void>;
}

const dtypeOf = (data: TensorData): 'float32' | 'uint8' => (data instanceof Float32Array ? 'float32' : 'uint8');

// Loaded on demand: with the sessions in the worker, this thread never needs the runtime.
const runtime = () => import('onnxruntime-node');

/** Starts loading the runtime for sessions in this thread, so it loads while the caller reads (loadInProcess then finds it loaded). */
export function preloadInProcess(): void {
  void runtime().catch(() => undefined); // a failure is thrown by loadInProcess
}

/** A session in this thread. */
export async function loadInProcess(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<Runner> {
  const { default: ort } = await runtime();
  const session = await ort.InferenceSession.create(bytes, options);
  return {
    info: graphInfo(session),
    async run(inputName, outputName, data, dims) {
      const result = await session.run({ [inputName]: new ort.Tensor(dtypeOf(data), data, dims) }, [outputName]);
      const t = result[outputName];
      return { data: t.data as Float32Array, dims: t.dims, type: t.type };
    },
    release: () => session.release(),
  };
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Pending = { resolve: (m: FromInferenceWorker) => void; reject: (e: Error) => void };

/** One worker thread holding any number of sessions; requests are answered in order. */
export class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextHandle = 1;
  private dead: Error | null = null;
  private terminated = false;

  constructor() {
    this.worker = new Worker(new URL('./inference-worker.js', import.meta.url), { name: 'imsearch inference' });
    // Only requests in flight keep the process alive: a forgotten Embedder does not hang an exit.
    this.worker.unref();
    this.worker.on('message', (m: FromInferenceWorker) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.settle(m.id);
      if (m.type === 'error') {
        const err = new Error(m.message);
        err.name = m.name;
        p.reject(err);
      } else p.resolve(m);
    });
    this.worker.on('error', (err) => this.die(err));
    this.worker.on('exit', (code) => {
      if (!this.terminated) this.die(new Error(`the inference worker exited (code ${code})`));
    });
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private die(err: Error): void {
    this.dead ??= err;
    for (const [id, p] of [...this.pending]) {
      this.settle(id);
      p.reject(new Error(`inference worker failed: ${err.message}`, { cause: err }));
    }
  }

  private request(m: WithoutId<ToInferenceWorker>, transfer: ArrayBuffer[] = []): Promise<FromInferenceWorker> {
    if (this.terminated) return Promise.reject(new Error('the inference worker was terminated'));
    if (this.dead) return Promise.reject(new Error(`inference worker failed: ${this.dead.message}`, { cause: this.dead }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...m, id } as ToInferenceWorker, transfer);
    });
  }

  /** Creates a session from `bytes` (copied: the caller keeps its buffer) in the worker. */
  async load(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<Runner> {
    const handle = this.nextHandle++;
    const copy = bytes.slice();
    const loaded = await this.request({ type: 'load', handle, bytes: copy, options }, [copy.buffer as ArrayBuffer]);
    if (loaded.type !== 'loaded') throw new Error(`inference worker: unexpected reply ${loaded.type}`);
    return {
      info: loaded.info,
      run: async (input, output, data, dims, owned = false) => {
        // An owned whole buffer is moved to the worker. Otherwise it is copied once: a clone
        // when whole (one tensor may feed several models of a preprocessing group), and a part
        // of one is copied out and the copy moved.
        const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
        const payload = whole ? data : data.slice();
        const move = !whole || owned;
        const r = await this.request({ type: 'run', handle, input, output, dtype: dtypeOf(data), data: payload, dims }, move ? [payload.buffer as ArrayBuffer] : []);
        if (r.type !== 'result') throw new Error(`inference worker: unexpected reply ${r.type}`);
        return { data: r.data, dims: r.dims, type: r.dtype };
      },
      release: async () => {
        if (this.terminated || this.dead) return;
        await this.request({ type: 'release', handle });
      },
    };
  }

  async terminate(): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    await this.worker.terminate();
  }
}
