/**
 * The crop step: trims content-free borders (scanner margins, letterboxing, flat studio
 * backgrounds at the edges) before each model's own resize, so the model's fixed input is spent
 * on the content. The decision is a pure function of a small greyscale copy; applying it is a copy
 * of the pixel rows inside the box.
 */
import type { RgbImage } from './pixels.js';

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface CropOptions {
  /** A pixel belongs to the border when its grey level is within this of the border's (0-255). */
  tolerance?: number;
  /** Share of a line's pixels allowed outside the tolerance (dust, JPEG ringing, noise). */
  outlierFraction?: number;
  /** Never keep less than this fraction of the width or of the height. */
  minKeep?: number;
  /** No crop unless some side loses at least this fraction of its dimension. */
  minTrim?: number;
  /** Rounds of peeling: a thin frame line, then a margin of another colour, then ... */
  maxRounds?: number;
}

/**
 * Defaults. The tolerance is tight on purpose (true margins, letterboxes and studio backdrops,
 * not skies or walls): on caltech101's gallery (leave-one-out MAP@10, mobilenet-v1-025) the crop
 * step cost 0.011 at tolerance 16 and 0.007 at 8 against no crop, whose borders are partly class
 * cues there (white backdrops of whole classes); it is meant for collections with scanner or
 * letterbox margins, and stays off unless asked for.
 */
export const DEFAULT_CROP: Required<CropOptions> = {
  tolerance: 8,
  outlierFraction: 0.02,
  minKeep: 0.5,
  minTrim: 0.02,
  maxRounds: 3,
};

/**
 * Where the content is, on a greyscale image (`grey[y * width + x]`): null when nothing should be
 * cropped (no flat border, a uniform image, or trims too small to matter). Every side is peeled
 * line by line while the line stays within `tolerance` of that side's outermost line (itself flat).
 * A box smaller than `minKeep` of the image is grown around its centre to that size.
 */
export function findContentBox(grey: Uint8Array, width: number, height: number, options: CropOptions = {}): Box | null {
  const o = { ...DEFAULT_CROP, ...options };
  if (width < 3 || height < 3 || grey.length < width * height) return null;
  let top = 0;
  let bottom = height; // exclusive
  let left = 0;
  let right = width; // exclusive

  // Share of pixels of a line within tolerance of `ref`.
  const rowFlat = (y: number, x0: number, x1: number, ref: number) => {
    let bad = 0;
    const limit = (x1 - x0) * o.outlierFraction;
    for (let x = x0, i = y * width + x0; x < x1; x++, i++) if (Math.abs(grey[i] - ref) > o.tolerance && ++bad > limit) return false;
    return true;
  };
  const colFlat = (x: number, y0: number, y1: number, ref: number) => {
    let bad = 0;
    const limit = (y1 - y0) * o.outlierFraction;
    for (let y = y0, i = y0 * width + x; y < y1; y++, i += width) if (Math.abs(grey[i] - ref) > o.tolerance && ++bad > limit) return false;
    return true;
  };
  const median = (values: number[]) => {
    values.sort((a, b) => a - b);
    return values[values.length >> 1];
  };
  const rowRef = (y: number, x0: number, x1: number) => median(Array.from(grey.subarray(y * width + x0, y * width + x1)));
  const colRef = (x: number, y0: number, y1: number) => {
    const v: number[] = [];
    for (let y = y0; y < y1; y++) v.push(grey[y * width + x]);
    return median(v);
  };

  for (let round = 0; round < o.maxRounds; round++) {
    const before = [top, bottom, left, right].join();
    // Rows first over the full current width, then columns over the rows that are left.
    if (bottom - top > 0) {
      const ref = rowRef(top, left, right);
      while (top < bottom && rowFlat(top, left, right, ref)) top++;
    }
    if (bottom - top > 0) {
      const ref = rowRef(bottom - 1, left, right);
      while (bottom > top && rowFlat(bottom - 1, left, right, ref)) bottom--;
    }
    if (bottom - top === 0) return null; // every row is border: a uniform image, nothing to find
    {
      const ref = colRef(left, top, bottom);
      while (left < right && colFlat(left, top, bottom, ref)) left++;
    }
    {
      const ref = colRef(right - 1, top, bottom);
      while (right > left && colFlat(right - 1, top, bottom, ref)) right--;
    }
    if (right - left === 0) return null;
    if ([top, bottom, left, right].join() === before) break;
  }

  const trims = [top / height, (height - bottom) / height, left / width, (width - right) / width];
  if (Math.max(...trims) < o.minTrim) return null;

  // Grow a too-small box around its centre, staying inside the image.
  const grow = (lo: number, hi: number, size: number): [number, number] => {
    const min = Math.ceil(size * o.minKeep);
    if (hi - lo >= min) return [lo, hi];
    let a = Math.round((lo + hi) / 2 - min / 2);
    a = Math.max(0, Math.min(size - min, a));
    return [a, a + min];
  };
  [top, bottom] = grow(top, bottom, height);
  [left, right] = grow(left, right, width);
  if (top === 0 && left === 0 && bottom === height && right === width) return null;
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * Maps a box found on a `small` copy to the `full`-size image, rounding outwards so content is
 * never cut (the small copy blurs edges by up to a pixel, so pad by one small pixel too).
 */
export function scaleBox(box: Box, small: { width: number; height: number }, full: { width: number; height: number }): Box {
  const sx = full.width / small.width;
  const sy = full.height / small.height;
  const left = Math.max(0, Math.floor((box.left - 1) * sx));
  const top = Math.max(0, Math.floor((box.top - 1) * sy));
  const right = Math.min(full.width, Math.ceil((box.left + box.width + 1) * sx));
  const bottom = Math.min(full.height, Math.ceil((box.top + box.height + 1) * sy));
  return { left, top, width: right - left, height: bottom - top };
}

/** The pixels inside `box` as a new tightly packed image. */
/** Side of the zoomed test-time views' window (models/embedder.ts View), as a share of the image's sides. */
export const ZOOM_SCALE = 0.8;

/**
 * The centre `scale` x `scale` share of a width x height image (each side rounded to whole
 * pixels, at least 1, the margins split evenly with the odd pixel on the right/bottom): the
 * window of the zoomed test-time view.
 */
export function centreBox(width: number, height: number, scale: number): Box {
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`Expected a scale in (0, 1] but received ${scale}`);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  return { left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h };
}

export function cropRgb(img: RgbImage, box: Box): RgbImage {
  if (box.left < 0 || box.top < 0 || box.width <= 0 || box.height <= 0 || box.left + box.width > img.width || box.top + box.height > img.height) {
    throw new RangeError(`crop box ${JSON.stringify(box)} is outside the ${img.width}x${img.height} image`);
  }
  const out = new Uint8Array(box.width * box.height * 3);
  const rowBytes = box.width * 3;
  for (let y = 0; y < box.height; y++) {
    const src = ((box.top + y) * img.width + box.left) * 3;
    out.set(img.data.subarray(src, src + rowBytes), y * rowBytes);
  }
  return { data: out, width: box.width, height: box.height };
}

/** Longest side of the greyscale copy the crop decision is made on (about). */
export const CROP_THUMB_SIZE = 128;

/**
 * A small greyscale copy: mean luma (BT.601 weights) of f x f blocks, f chosen so the longer side
 * is about `maxSide`; pixels past the last whole block are left out. One pass, no allocation
 * beyond the result: cheaper than a libvips call for the sizes the decoder hands out.
 */
export function greyThumbnail(img: RgbImage, maxSide = CROP_THUMB_SIZE): { data: Uint8Array; width: number; height: number; factor: number } {
  const f = Math.max(1, Math.round(Math.max(img.width, img.height) / maxSide));
  const tw = Math.max(1, Math.floor(img.width / f));
  const th = Math.max(1, Math.floor(img.height / f));
  const sums = new Uint32Array(tw);
  const out = new Uint8Array(tw * th);
  const src = img.data;
  const div = f * f * 1000;
  for (let ty = 0; ty < th; ty++) {
    sums.fill(0);
    for (let y = ty * f; y < Math.min(img.height, (ty + 1) * f); y++) {
      let i = y * img.width * 3;
      for (let tx = 0; tx < tw; tx++) {
        let s = 0;
        for (let k = 0; k < f && tx * f + k < img.width; k++, i += 3) s += src[i] * 299 + src[i + 1] * 587 + src[i + 2] * 114;
        sums[tx] += s;
      }
    }
    for (let tx = 0; tx < tw; tx++) out[ty * tw + tx] = Math.round(sums[tx] / div);
  }
  return { data: out, width: tw, height: th, factor: f };
}

/**
 * The crop step on decoded pixels: the decision on a small greyscale copy, the box mapped back
 * to full size (outwards, padded by a block); null = keep it all.
 */
export function detectContentBox(img: RgbImage, options: CropOptions = {}): Box | null {
  const small = greyThumbnail(img);
  const box = findContentBox(small.data, small.width, small.height, options);
  if (!box) return null;
  if (small.factor === 1) return box;
  // Blocks are exact multiples of the factor: pad by one block, and give the right / bottom
  // remainder (pixels past the last whole block) to the box when it reaches that edge.
  const f = small.factor;
  const left = Math.max(0, (box.left - 1) * f);
  const top = Math.max(0, (box.top - 1) * f);
  const right = box.left + box.width >= small.width ? img.width : Math.min(img.width, (box.left + box.width + 1) * f);
  const bottom = box.top + box.height >= small.height ? img.height : Math.min(img.height, (box.top + box.height + 1) * f);
  return { left, top, width: right - left, height: bottom - top };
}
