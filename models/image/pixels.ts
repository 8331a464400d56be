/**
 * The pixel types every image step shares (decode produces them, crop and resample read them),
 * kept apart so no step has to import another step to name its input.
 */

/** Tightly packed 8-bit RGB, row-major, 3 bytes per pixel. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** 8-bit RGB pixels addressed through a row stride (in pixels), so crops need no copy. */
export interface PixelView {
  data: Uint8Array;
  width: number;
  height: number;
  /** Pixels per row in `data` (>= width). */
  stride: number;
}
