/**
 * The hand-written peer: what someone writes with sharp and onnxruntime-node and no product
 * around it (shorter side 256, centre 224, ImageNet mean/std, NCHW float32). It is the baseline
 * the product's own pipeline is measured against, so it stays as plain as a peer would write it.
 */
import ort from 'onnxruntime-node';
import sharp from 'sharp';

export const SIZE = 224;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Decodes one photo into slot `slot` of an NCHW batch tensor. */
export async function preprocessInto(file: string | Buffer, out: Float32Array, slot: number): Promise<void> {
  const { data } = await sharp(file)
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .resize(SIZE, SIZE, { fit: 'cover', position: 'centre', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const plane = SIZE * SIZE;
  const base = slot * 3 * plane;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[base + c * plane + p] = (data[p * 3 + c]! / 255 - MEAN[c]!) / STD[c]!;
  }
}

/**
 * ONNX Runtime's defaults, as a peer would write it; `exactInt8` adds the one option imsearch sets
 * (models/onnx/session.ts Int8Sums), for a like-for-like row: exact int8 sums cost mobilenetv2-int8
 * about 1.2x its inference on a CPU without VNNI.
 */
export function openSession(modelFile: string, threads: number, exactInt8 = false): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelFile, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    ...(exactInt8 ? { extra: { session: { x64quantprecision: '1' } } } : {}),
  });
}

/** Runs a batch of `n` images; returns n unit vectors. */
export async function embedBatch(session: ort.InferenceSession, batch: Float32Array, n: number): Promise<Float32Array[]> {
  const input = new ort.Tensor('float32', batch.subarray(0, n * 3 * SIZE * SIZE), [n, 3, SIZE, SIZE]);
  const out = await session.run({ [session.inputNames[0]!]: input });
  const t = out[session.outputNames[0]!]!;
  const dim = t.dims[1]!;
  const data = t.data as Float32Array;
  const vecs: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = data.slice(i * dim, (i + 1) * dim);
    let s = 0;
    for (const x of v) s += x * x;
    const inv = 1 / Math.sqrt(s || 1);
    for (let j = 0; j < dim; j++) v[j]! *= inv;
    vecs.push(v);
  }
  return vecs;
}
