/**
 * Worker-thread side of WorkerEmbedder: holds one Embedder (ONNX Runtime sessions, decoding,
 * preprocessing) and answers embedImage / embedFiles requests from the serving thread.
 *
 * Why a worker: onnxruntime-node 1.30 runs `InferenceSession.run` synchronously on the calling
 * JS thread (inside a setImmediate), and the resize/normalise step is JavaScript; on the serving
 * thread both would stall every other request for the length of a forward pass. The sessions run
 * on this worker's own thread (inference 'main'): a second hop to an inference worker would only
 * add a copy of every tensor.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Embedder, type EmbedderOptions, type View } from '../models/embedder.js';
import { toWire } from './wire-error.js';
import type { EmbedderWorkerData, FromWorker, ToWorker } from './worker-embedder.js';

const port = parentPort!;
const data = workerData as EmbedderWorkerData;
const running = new Map<number, AsyncGenerator<unknown>>();

const post = (m: FromWorker) => port.postMessage(m);

let embedder: Embedder;
try {
  embedder = await Embedder.create(data.models, { ...(data.options as EmbedderOptions), inference: 'main' });
  post({ type: 'ready', models: embedder.models.map((m) => ({ ...m })), crop: embedder.crop, int8Sums: embedder.int8Sums });
} catch (err) {
  post({ type: 'init-error', error: toWire(err) });
  process.exit(0);
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'embedImage':
      embedder.embedImage(msg.data, msg.views as View[]).then(
        (vectors) => post({ type: 'result', id: msg.id, vectors }),
        (err: unknown) => post({ type: 'error', id: msg.id, error: toWire(err) }),
      );
      break;
    case 'embedFiles': {
      const gen = embedder.embedFiles(msg.paths, msg.views as View[], { known: msg.known });
      running.set(msg.id, gen);
      void (async () => {
        try {
          for await (const item of gen) post({ type: 'item', id: msg.id, item });
          post({ type: 'done', id: msg.id });
        } catch (err) {
          post({ type: 'error', id: msg.id, error: toWire(err) });
        } finally {
          running.delete(msg.id);
        }
      })();
      break;
    }
    case 'cancel':
      void running.get(msg.id)?.return(undefined);
      break;
    case 'close':
      void embedder.close().finally(() => {
        post({ type: 'closed' });
        port.close();
      });
      break;
  }
});
