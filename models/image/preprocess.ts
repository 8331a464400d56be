/**
 * One generic preprocessor, driven by the manifest (like Transformers.js' image processors):
 * RGB pixels -> resize (shorter side or exact, the manifest's kernel) -> centre crop -> scale ->
 * mean/std -> NCHW float32 (or uint8 0-255 when normalisation is inside the graph), channels R, G, B,
 * optionally mirrored left-right (the 'flip' view for test-time augmentation).
 *
 * The resize is PIL's own algorithm (models/image/resample.ts), what torchvision's transforms run on PIL
 * images: the tensors match the pipelines that published the models' reference numbers. libvips'
 * resize was measured against it: its downscale (reduce) is within 1-2 grey levels, but its
 * upscale uses another pixel-centre convention (a 1/4-pixel shift at 2x; caltech's ~300x200 photos
 * are upscaled to 256), and the TypeScript resampler, computing only the centre-crop window, took
 * a third of the CPU time of libvips' affine path that corrects it.
 */
import type { ModelManifest } from '../manifest/manifest.js';
import type { PixelView, RgbImage } from './pixels.js';
import { resampleRgb } from './resample.js';

export interface ResizePlan {
  /** Size after the resize step. */
  resizeWidth: number;
  resizeHeight: number;
  /** Window of the resized image fed to the model (the centre crop; the whole image for "exact"). */
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Python's round(): halves go to the even neighbour (what torchvision's centre crop uses). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The geometry torchvision computes: Resize(size) sets the shorter side to `size` and the longer
 * to int(size * long / short); CenterCrop offsets are round((H - h) / 2) with Python rounding.
 */
export function planResize(manifest: Pick<ModelManifest, 'input' | 'preprocess'>, srcWidth: number, srcHeight: number): ResizePlan {
  const { input, preprocess } = manifest;
  if (preprocess.resize === 'exact') {
    return { resizeWidth: input.width, resizeHeight: input.height, left: 0, top: 0, width: input.width, height: input.height };
  }
  const size = preprocess.size;
  let resizeWidth: number;
  let resizeHeight: number;
  if (srcWidth <= srcHeight) {
    resizeWidth = size;
    resizeHeight = Math.max(size, Math.trunc((size * srcHeight) / srcWidth));
  } else {
    resizeHeight = size;
    resizeWidth = Math.max(size, Math.trunc((size * srcWidth) / srcHeight));
  }
  const width = preprocess.centreCrop ? input.width : resizeWidth;
  const height = preprocess.centreCrop ? input.height : resizeHeight;
  return {
    resizeWidth,
    resizeHeight,
    left: roundHalfEven((resizeWidth - width) / 2),
    top: roundHalfEven((resizeHeight - height) / 2),
    width,
    height,
  };
}

/** Models whose manifests give the same key get the same tensor: preprocess once, run on each. */
export function preprocessKey(manifest: Pick<ModelManifest, 'input' | 'preprocess'>): string {
  const { input, preprocess: p } = manifest;
  return JSON.stringify([input.dtype, input.height, input.width, p.resize, p.size, p.kernel, p.centreCrop, p.scale, p.mean, p.std]);
}

/** Per channel, value of each 0-255 level after scale and mean/std: the inner loop is a lookup. */
export function normalisationTable(preprocess: ModelManifest['preprocess']): Float32Array[] {
  return [0, 1, 2].map((c) => {
    const t = new Float32Array(256);
    const mean = preprocess.mean[c];
    const std = preprocess.std[c];
    // Mirror torchvision in float32: ToTensor divides by 255 (when scale is 1/255), Normalize subtracts and divides.
    const byDivision = Math.abs(preprocess.scale * 255 - 1) < 1e-12;
    for (let v = 0; v < 256; v++) {
      const x = byDivision ? Math.fround(v / 255) : Math.fround(v * preprocess.scale);
      t[v] = Math.fround(Math.fround(x - Math.fround(mean)) / Math.fround(std));
    }
    return t;
  });
}

export type TensorData = Float32Array | Uint8Array;

/** Elements of one image in the model's input tensor (3 x H x W). */
export const imageElements = (manifest: Pick<ModelManifest, 'input'>) => 3 * manifest.input.height * manifest.input.width;

export function allocateTensor(manifest: Pick<ModelManifest, 'input'>, images: number): TensorData {
  const n = images * imageElements(manifest);
  return manifest.input.dtype === 'uint8' ? new Uint8Array(n) : new Float32Array(n);
}

/**
 * Writes the window `rect` of `view` into `out` at image slot `slot` as planar C x H x W, R G B,
 * normalised (float32) or raw 0-255 (uint8); `flip` mirrors it left-right.
 */
export function writeTensor(
  view: PixelView,
  rect: { left: number; top: number; width: number; height: number },
  out: TensorData,
  slot: number,
  table: Float32Array[] | null,
  flip = false,
): void {
  const { width: w, height: h } = rect;
  if (rect.left < 0 || rect.top < 0 || rect.left + w > view.width || rect.top + h > view.height) {
    throw new RangeError(`tensor window ${JSON.stringify(rect)} is outside the ${view.width}x${view.height} image`);
  }
  const plane = w * h;
  const base = slot * 3 * plane;
  if (out.length < base + 3 * plane) throw new RangeError(`tensor too small for slot ${slot}`);
  if (out instanceof Float32Array) {
    if (!table) throw new Error('writeTensor: a float32 tensor needs a normalisation table');
    writeFloat(view.data, view.stride, rect.left, rect.top, w, h, out, base, table[0], table[1], table[2], flip);
  } else {
    writeBytes(view.data, view.stride, rect.left, rect.top, w, h, out, base, flip);
  }
}

// Monomorphic inner loops (one array type each): measurably faster than one loop over a union.
function writeFloat(
  src: Uint8Array,
  stride: number,
  left: number,
  top: number,
  w: number,
  h: number,
  out: Float32Array,
  base: number,
  t0: Float32Array,
  t1: Float32Array,
  t2: Float32Array,
  flip: boolean,
): void {
  const plane = w * h;
  const step = flip ? -3 : 3;
  for (let y = 0; y < h; y++) {
    let i = ((top + y) * stride + left + (flip ? w - 1 : 0)) * 3;
    let o = base + y * w;
    const end = o + w;
    for (; o < end; o++, i += step) {
      out[o] = t0[src[i]];
      out[o + plane] = t1[src[i + 1]];
      out[o + 2 * plane] = t2[src[i + 2]];
    }
  }
}

function writeBytes(src: Uint8Array, stride: number, left: number, top: number, w: number, h: number, out: Uint8Array, base: number, flip: boolean): void {
  const plane = w * h;
  const step = flip ? -3 : 3;
  for (let y = 0; y < h; y++) {
    let i = ((top + y) * stride + left + (flip ? w - 1 : 0)) * 3;
    let o = base + y * w;
    const end = o + w;
    for (; o < end; o++, i += step) {
      out[o] = src[i];
      out[o + plane] = src[i + 1];
      out[o + 2 * plane] = src[i + 2];
    }
  }
}

/** The pixels one manifest's model sees (resized, centre-cropped), before scaling and normalisation. */
export function resizeForModel(img: RgbImage, manifest: Pick<ModelManifest, 'input' | 'preprocess'>): PixelView {
  const plan = planResize(manifest, img.width, img.height);
  return resampleRgb(img, plan.resizeWidth, plan.resizeHeight, manifest.preprocess.kernel, plan);
}

/** The whole window of a view, for writeTensor. */
export const fullRect = (view: PixelView) => ({ left: 0, top: 0, width: view.width, height: view.height });

/**
 * The whole preprocessor for one image and one manifest: a 1 x 3 x H x W tensor (per view when
 * `flip` is given as a list, e.g. [false, true] gives a 2-image batch: as is, mirrored).
 */
export function preprocess(img: RgbImage, manifest: Pick<ModelManifest, 'input' | 'preprocess'>, flips: readonly boolean[] = [false]): TensorData {
  const view = resizeForModel(img, manifest);
  const out = allocateTensor(manifest, flips.length);
  const table = manifest.input.dtype === 'float32' ? normalisationTable(manifest.preprocess) : null;
  flips.forEach((flip, slot) => writeTensor(view, fullRect(view), out, slot, table, flip));
  return out;
}
