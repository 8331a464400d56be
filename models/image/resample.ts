/**
 * PIL's resampling (Pillow `ImagingResample`, 8 bits per channel), in TypeScript: separable,
 * horizontal pass then vertical pass, the filter support widened by the scale factor when
 * downscaling (antialiased), pixel centres at +0.5, windows clipped at the borders and
 * renormalised, coefficients in 22-bit fixed point with the same rounding. This is what
 * torchvision's Resize on a PIL image runs, so the tensors match the reference pipelines that
 * published the models' numbers, pixel for pixel.
 *
 * Only the requested output window is computed (a centre crop needs ~60 % of a 256-px resize).
 */
import type { ResizeKernel } from '../manifest/manifest.js';
import type { PixelView, RgbImage } from './pixels.js';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

interface Filter {
  support: number;
  f: (x: number) => number;
}

const bilinear: Filter = {
  support: 1,
  f: (x) => {
    x = Math.abs(x);
    return x < 1 ? 1 - x : 0;
  },
};

const bicubic: Filter = {
  support: 2,
  f: (x) => {
    const a = -0.5;
    x = Math.abs(x);
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
    return 0;
  },
};

export const filterOf = (k: ResizeKernel): Filter => (k === 'bicubic' ? bicubic : bilinear);

/** Per output position: first input index, tap count, and ksize fixed-point weights. */
export interface Coefficients {
  ksize: number;
  bounds: Int32Array; // [xmin, count] per output position
  weights: Int32Array; // outSize * ksize
}

const cache = new Map<string, Coefficients>();

/**
 * Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis, for the `count` output
 * positions starting at `from` (entry i is position from + i): a crop window never pays for the
 * whole axis, however long. Cached: sizes repeat.
 */
export function coefficients(inSize: number, outSize: number, kernel: ResizeKernel, from = 0, count = outSize - from): Coefficients {
  const key = `${inSize}:${outSize}:${kernel}:${from}:${count}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const filter = filterOf(kernel);
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(count * 2);
  const weights = new Int32Array(count * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let i = 0; i < count; i++) {
    const center = (from + i + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.f((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x] / ww : k[x];
      weights[i * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[i * 2] = xmin;
    bounds[i * 2 + 1] = xmax;
  }
  const c = { ksize, bounds, weights };
  if (cache.size > 512) cache.clear();
  cache.set(key, c);
  return c;
}

const clip8 = (v: number) => {
  v >>= PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/**
 * Resizes `img` to `outWidth` x `outHeight` with PIL's filter and returns only `window` of the
 * result (default: all of it), tightly packed.
 */
export function resampleRgb(
  img: RgbImage,
  outWidth: number,
  outHeight: number,
  kernel: ResizeKernel,
  window: { left: number; top: number; width: number; height: number } = { left: 0, top: 0, width: outWidth, height: outHeight },
): PixelView {
  const { left, top, width: ww, height: wh } = window;
  if (left < 0 || top < 0 || ww <= 0 || wh <= 0 || left + ww > outWidth || top + wh > outHeight) {
    throw new RangeError(`resample window ${JSON.stringify(window)} is outside ${outWidth}x${outHeight}`);
  }
  const src = img.data;
  const inW = img.width;
  const inH = img.height;
  const needH = outWidth !== inW;
  const needV = outHeight !== inH;

  // Rows of the input the vertical pass will read.
  const vc = needV ? coefficients(inH, outHeight, kernel, top, wh) : null;
  let rowFirst = top;
  let rowLast = top + wh; // exclusive
  if (vc) {
    rowFirst = vc.bounds[0];
    rowLast = 0;
    for (let y = 0; y < wh; y++) rowLast = Math.max(rowLast, vc.bounds[y * 2] + vc.bounds[y * 2 + 1]);
  }

  // Horizontal pass over those rows, only the window's columns.
  let mid: Uint8Array;
  let midRow0 = rowFirst; // input row of mid's first row
  let midStride: number; // pixels per row in mid
  let midLeft: number; // column of mid holding window column 0
  if (needH) {
    const hc = coefficients(inW, outWidth, kernel, left, ww);
    const rows = rowLast - rowFirst;
    mid = new Uint8Array(rows * ww * 3);
    midStride = ww;
    midLeft = 0;
    const { ksize, bounds, weights } = hc;
    for (let r = 0; r < rows; r++) {
      const srow = (rowFirst + r) * inW * 3;
      let o = r * ww * 3;
      for (let j = 0; j < ww; j++) {
        const n = bounds[j * 2 + 1];
        const kb = j * ksize;
        const p = srow + bounds[j * 2] * 3;
        let s0: number;
        let s1: number;
        let s2: number;
        if (n === 2) {
          const w0 = weights[kb];
          const w1 = weights[kb + 1];
          s0 = HALF + src[p] * w0 + src[p + 3] * w1;
          s1 = HALF + src[p + 1] * w0 + src[p + 4] * w1;
          s2 = HALF + src[p + 2] * w0 + src[p + 5] * w1;
        } else if (n === 3) {
          const w0 = weights[kb];
          const w1 = weights[kb + 1];
          const w2 = weights[kb + 2];
          s0 = HALF + src[p] * w0 + src[p + 3] * w1 + src[p + 6] * w2;
          s1 = HALF + src[p + 1] * w0 + src[p + 4] * w1 + src[p + 7] * w2;
          s2 = HALF + src[p + 2] * w0 + src[p + 5] * w1 + src[p + 8] * w2;
        } else {
          s0 = s1 = s2 = HALF;
          for (let t = 0, q = p; t < n; t++, q += 3) {
            const w = weights[kb + t];
            s0 += src[q] * w;
            s1 += src[q + 1] * w;
            s2 += src[q + 2] * w;
          }
        }
        mid[o++] = clip8(s0);
        mid[o++] = clip8(s1);
        mid[o++] = clip8(s2);
      }
    }
  } else {
    mid = src;
    midRow0 = 0;
    midStride = inW;
    midLeft = left;
  }

  if (!vc) {
    if (!needH && left === 0 && ww === inW) {
      return { data: src.subarray(top * inW * 3, (top + wh) * inW * 3), width: ww, height: wh, stride: inW };
    }
    // Rows top.. of mid (needH: mid starts at row `top` already).
    const out = new Uint8Array(ww * wh * 3);
    for (let y = 0; y < wh; y++) {
      const from = ((top + y - midRow0) * midStride + midLeft) * 3;
      out.set(mid.subarray(from, from + ww * 3), y * ww * 3);
    }
    return { data: out, width: ww, height: wh, stride: ww };
  }

  // Vertical pass, row by row; short filters unrolled, long ones accumulated tap by tap.
  const out = new Uint8Array(ww * wh * 3);
  const rowLen = ww * 3;
  const { ksize, bounds, weights } = vc;
  let acc: Float64Array | null = null;
  for (let y = 0; y < wh; y++) {
    const ymin = bounds[y * 2];
    const n = bounds[y * 2 + 1];
    const kb = y * ksize;
    const o = y * rowLen;
    const rowBase = (t: number) => ((ymin + t - midRow0) * midStride + midLeft) * 3;
    if (n === 2) {
      const a = rowBase(0);
      const b = rowBase(1);
      const w0 = weights[kb];
      const w1 = weights[kb + 1];
      for (let i = 0; i < rowLen; i++) out[o + i] = clip8(HALF + mid[a + i] * w0 + mid[b + i] * w1);
    } else if (n === 3) {
      const a = rowBase(0);
      const b = rowBase(1);
      const c = rowBase(2);
      const w0 = weights[kb];
      const w1 = weights[kb + 1];
      const w2 = weights[kb + 2];
      for (let i = 0; i < rowLen; i++) out[o + i] = clip8(HALF + mid[a + i] * w0 + mid[b + i] * w1 + mid[c + i] * w2);
    } else {
      acc ??= new Float64Array(rowLen);
      acc.fill(HALF);
      for (let t = 0; t < n; t++) {
        const w = weights[kb + t];
        if (w === 0) continue;
        const base = rowBase(t);
        for (let i = 0; i < rowLen; i++) acc[i] += mid[base + i] * w;
      }
      for (let i = 0; i < rowLen; i++) out[o + i] = clip8(acc[i]);
    }
  }
  return { data: out, width: ww, height: wh, stride: ww };
}
