/**
 * Worker-thread side of models/inference-host.ts: owns ONNX Runtime sessions and runs them.
 * onnxruntime-node 1.30 runs `InferenceSession.run` synchronously on the calling JS thread (in a
 * setImmediate), so running it here keeps the caller's event loop free for reading, decoding
 * and preprocessing the next batch while this one is in inference.
 */
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { type GraphInfo, graphInfo } from './graph-info.js';

export type ToInferenceWorker =
  | { type: 'load'; id: number; handle: number; bytes: Uint8Array; options: ort.InferenceSession.SessionOptions }
  | { type: 'run'; id: number; handle: number; input: string; output: string; dtype: 'float32' | 'uint8'; data: Float32Array | Uint8Array; dims: number[] }
  | { type: 'release'; id: number; handle: number };

export type FromInferenceWorker =
  | { type: 'loaded'; id: number; info: GraphInfo }
  | { type: 'result'; id: number; data: Float32Array; dims: number[]; dtype: string }
  | { type: 'released'; id: number }
  | { type: 'error'; id: number; name: string; message: string };

const port = parentPort;
if (port) {
  const sessions = new Map<number, ort.InferenceSession>();
  const post = (m: FromInferenceWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  const fail = (id: number, err: unknown) => post({ type: 'error', id, name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) });

  port.on('message', async (m: ToInferenceWorker) => {
    try {
      if (m.type === 'load') {
        const session = await ort.InferenceSession.create(m.bytes, m.options);
        sessions.set(m.handle, session);
        post({ type: 'loaded', id: m.id, info: graphInfo(session) });
      } else if (m.type === 'run') {
        const session = sessions.get(m.handle);
        if (!session) throw new Error(`no session ${m.handle}`);
        const result = await session.run({ [m.input]: new ort.Tensor(m.dtype, m.data, m.dims) }, [m.output]);
        const t = result[m.output];
        // A copy we own, so it can be transferred (the runtime's buffer may not be detachable).
        const data = Float32Array.from(t.data as Float32Array);
        post({ type: 'result', id: m.id, data, dims: [...t.dims], dtype: t.type }, [data.buffer]);
      } else if (m.type === 'release') {
        await sessions.get(m.handle)?.release();
        sessions.delete(m.handle);
        post({ type: 'released', id: m.id });
      }
    } catch (err) {
      fail(m.id, err);
    }
  });
}
