import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import {
  type ModelManifest,
  allocateTensor,
  coefficients,
  decodeImage,
  getManifest,
  normalisationTable,
  planResize,
  preprocess,
  preprocessKey,
  resampleRgb,
  roundHalfEven,
} from '../../models/index.js';

type Geometry = Pick<ModelManifest, 'input' | 'preprocess'>;

/** A manifest whose resize is the identity for a w x h image ("exact" to its own size). */
function identityManifest(w: number, h: number, over: Partial<ModelManifest['preprocess']> = {}, dtype: 'float32' | 'uint8' = 'float32'): Geometry {
  return {
    input: { name: 'input', dtype, batch: null, height: h, width: w },
    preprocess: {
      resize: 'exact',
      size: h,
      kernel: 'bilinear',
      centreCrop: false,
      scale: 1 / 255,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      ...over,
    },
  };
}

const rgbImage = (w: number, h: number, pixels: number[][]) => ({ data: Uint8Array.from(pixels.flat()), width: w, height: h });

/** What torchvision computes for one value: (v / 255 - mean) / std, in float32. */
const expected = (v: number, mean: number, std: number) => Math.fround(Math.fround(Math.fround(v / 255) - Math.fround(mean)) / Math.fround(std));

describe('planResize (torchvision geometry)', () => {
  const v2 = getManifest('mobilenetv2-int8');
  it('scales the shorter side to 256, the longer to int(256 * long / short), then centre-crops 224', () => {
    assert.deepEqual(planResize(v2, 300, 200), { resizeWidth: 384, resizeHeight: 256, left: 80, top: 16, width: 224, height: 224 });
    assert.deepEqual(planResize(v2, 200, 300), { resizeWidth: 256, resizeHeight: 384, left: 16, top: 80, width: 224, height: 224 });
    // 256 * 301 / 199 = 387.2 -> 387 (truncated, not rounded); (387 - 224) / 2 = 81.5 -> 82 (half to even)
    assert.deepEqual(planResize(v2, 301, 199), { resizeWidth: 387, resizeHeight: 256, left: 82, top: 16, width: 224, height: 224 });
    // (385 - 224) / 2 = 80.5 -> 80 (half to even)
    assert.equal(planResize(v2, 385, 256).left, 80);
  });
  it('exact resize goes straight to the input size', () => {
    const m = getManifest('mnv4s-int8');
    assert.deepEqual(planResize(m, 300, 200), { resizeWidth: 224, resizeHeight: 224, left: 0, top: 0, width: 224, height: 224 });
  });
  it('roundHalfEven is Python round()', () => {
    assert.deepEqual([0.5, 1.5, 2.5, 16.5, 17.5, 3.2, 3.7].map(roundHalfEven), [0, 2, 2, 16, 18, 3, 4]);
  });
  it('models with the same geometry and normalisation share a tensor, others do not', () => {
    const v1 = getManifest('mobilenet-v1-025');
    assert.notEqual(preprocessKey(v2), preprocessKey(v1)); // same geometry, other mean/std
    assert.equal(preprocessKey(v2), preprocessKey({ ...v2, preprocess: { ...v2.preprocess } }));
  });
});

describe('PIL resampling', () => {
  it('upscales like PIL bilinear: centres at +0.5, clamped edges (hand-computed)', () => {
    // 4 -> 8: output x samples input (x + 0.5) / 2 - 0.5: -0.25 (clamped: 0), 0.25, 0.75, ... 3.25 (clamped)
    const img = rgbImage(4, 1, [0, 100, 200, 255].map((v) => [v, v, v]));
    const out = resampleRgb(img, 8, 1, 'bilinear');
    const row = Array.from({ length: 8 }, (_, x) => out.data[x * 3]);
    assert.deepEqual(row, [0, 25, 75, 125, 175, 214, 241, 255]); // 213.75 -> 214, 241.25 -> 241
  });
  it('downscales with the support widened by the scale (antialiased), hand-computed', () => {
    // 4 -> 2, scale 2, support 2: output 0 centre 1.0 reads inputs 0..2 with weights
    // f(-0.25), f(0.25), f(0.75) = 0.75, 0.75, 0.25 (normalised by 1.75)
    const img = rgbImage(4, 1, [0, 100, 200, 255].map((v) => [v, v, v]));
    const out = resampleRgb(img, 2, 1, 'bilinear');
    const w = [0.75, 0.75, 0.25].map((x) => x / 1.75);
    assert.equal(out.data[0], Math.round(0 * w[0] + 100 * w[1] + 200 * w[2])); // 71
    assert.equal(out.data[3], Math.round(100 * w[2] + 200 * w[1] + 255 * w[0])); // inputs 1..3 mirrored weights
  });
  it('computes only the requested window, with the same values as the full resize', () => {
    const w = 37;
    const h = 23;
    const img = { data: Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 7919) % 251), width: w, height: h };
    for (const kernel of ['bilinear', 'bicubic'] as const) {
      const full = resampleRgb(img, 61, 17, kernel);
      const win = { left: 9, top: 3, width: 30, height: 11 };
      const part = resampleRgb(img, 61, 17, kernel, win);
      for (let y = 0; y < win.height; y++) {
        for (let x = 0; x < win.width * 3; x++) {
          assert.equal(part.data[y * part.stride * 3 + x], full.data[((win.top + y) * 61 + win.left) * 3 + x]);
        }
      }
    }
  });
  it('an extreme aspect ratio costs only the window (1 x 3000 px -> 256 x 768000, crop 224)', () => {
    const v2 = getManifest('mobilenetv2-int8');
    const img = { data: new Uint8Array(3000 * 3).fill(77), width: 1, height: 3000 };
    const plan = planResize(v2, 1, 3000);
    assert.equal(plan.resizeHeight, 768000);
    const t0 = performance.now();
    const t = preprocess(img, v2) as Float32Array;
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(t.length, 3 * 224 * 224);
    assert.equal(t[0], normalisationTable(v2.preprocess)[0][77]);
  });

  it('coefficients sum to one in 22-bit fixed point', () => {
    for (const [a, b] of [
      [300, 256],
      [200, 256],
      [1024, 224],
    ]) {
      const c = coefficients(a, b, 'bilinear');
      for (let x = 0; x < b; x++) {
        let s = 0;
        for (let t = 0; t < c.bounds[x * 2 + 1]; t++) s += c.weights[x * c.ksize + t];
        assert.ok(Math.abs(s - (1 << 22)) <= c.ksize, `sum ${s} at ${x}`);
      }
    }
  });
});

describe('preprocess (identity resize: values by hand)', () => {
  // 2 x 2 image, pixels row-major: (0,0) red-ish, (1,0) green-ish, (0,1) blue-ish, (1,1) grey
  const px = [
    [255, 10, 20],
    [30, 200, 40],
    [50, 60, 180],
    [128, 128, 128],
  ];
  const img = rgbImage(2, 2, px);

  it('scales by 1/255, subtracts mean, divides by std, writes planar NCHW in R, G, B order', () => {
    const m = identityManifest(2, 2);
    const t = preprocess(img, m) as Float32Array;
    assert.equal(t.length, 3 * 2 * 2);
    const { mean, std } = m.preprocess;
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 4; i++) assert.equal(t[c * 4 + i], expected(px[i][c], mean[c], std[c]), `channel ${c} pixel ${i}`);
    }
    // Spot check against plain arithmetic: R of pixel 0 = (1 - 0.485) / 0.229
    assert.ok(Math.abs(t[0] - (1 - 0.485) / 0.229) < 1e-6);
  });

  it("uses each model's own mean/std (mobilenet_v1: x / 127.5 - 1)", () => {
    const m = identityManifest(2, 2, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    const t = preprocess(img, m) as Float32Array;
    for (let c = 0; c < 3; c++) for (let i = 0; i < 4; i++) assert.ok(Math.abs(t[c * 4 + i] - (px[i][c] / 127.5 - 1)) < 1e-6);
  });

  it('uint8 input: raw 0-255, planar', () => {
    const m = identityManifest(2, 2, {}, 'uint8');
    const t = preprocess(img, m);
    assert.ok(t instanceof Uint8Array);
    assert.deepEqual(Array.from(t), [0, 1, 2].flatMap((c) => px.map((p) => p[c])));
  });

  it('the flip view mirrors left-right', () => {
    const m = identityManifest(2, 2);
    const t = preprocess(img, m, [false, true]) as Float32Array;
    const plane = 4;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 2; y++) {
        for (let x = 0; x < 2; x++) assert.equal(t[3 * plane + c * plane + y * 2 + x], t[c * plane + y * 2 + (1 - x)]);
      }
    }
  });

  it('normalisationTable matches ToTensor + Normalize for every level', () => {
    const m = getManifest('mobilenetv2-int8');
    const table = normalisationTable(m.preprocess);
    for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) assert.equal(table[c][v], expected(v, m.preprocess.mean[c], m.preprocess.std[c]));
  });

  it('allocates float32 or uint8 per the manifest', () => {
    assert.ok(allocateTensor(identityManifest(2, 2), 3) instanceof Float32Array);
    assert.equal(allocateTensor(identityManifest(2, 2), 3).length, 3 * 12);
  });
});

// 2x2 images, to check every pixel: below the decoder's default minimum side, so it is lowered.
const TINY = { minSide: 1 };

describe('preprocess after decoding (sharp-built images)', () => {
  it('greyscale is replicated to 3 channels', async () => {
    const grey = [0, 64, 128, 255];
    const png = await sharp(Buffer.from(grey), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
    const img = await decodeImage(png, TINY);
    assert.deepEqual(Array.from(img.data), grey.flatMap((g) => [g, g, g]));
    const t = preprocess(img, identityManifest(2, 2)) as Float32Array;
    const m = identityManifest(2, 2).preprocess;
    for (let c = 0; c < 3; c++) for (let i = 0; i < 4; i++) assert.equal(t[c * 4 + i], expected(grey[i], m.mean[c], m.std[c]));
  });

  it('alpha is dropped (not blended): colour values kept whatever the alpha', async () => {
    const rgba = [
      [200, 100, 50, 0],
      [10, 20, 30, 255],
      [255, 255, 0, 128],
      [1, 2, 3, 7],
    ];
    const png = await sharp(Buffer.from(rgba.flat()), { raw: { width: 2, height: 2, channels: 4 } }).png().toBuffer();
    const img = await decodeImage(png, TINY);
    assert.deepEqual(Array.from(img.data), rgba.flatMap((p) => p.slice(0, 3)));
  });

  it('grey + alpha becomes 3 equal channels', async () => {
    const png = await sharp(Buffer.from([10, 255, 200, 0, 30, 128, 250, 255]), { raw: { width: 2, height: 2, channels: 2 } }).png().toBuffer();
    const img = await decodeImage(png, TINY);
    assert.deepEqual(Array.from(img.data), [10, 10, 10, 200, 200, 200, 30, 30, 30, 250, 250, 250]);
  });

  it('EXIF orientation is applied (orientation 6: rotate 90 degrees clockwise)', async () => {
    // 16 x 8 stored: left half red, right half blue. Displayed (rotated CW): 8 x 16, red on top.
    const w = 16;
    const h = 8;
    const raw = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) raw.set(x < w / 2 ? [255, 0, 0] : [0, 0, 255], (y * w + x) * 3);
    }
    const jpeg = await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    assert.equal((await sharp(jpeg).metadata()).orientation, 6);
    const img = await decodeImage(jpeg);
    assert.equal(img.width, 8);
    assert.equal(img.height, 16);
    const at = (x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
    const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) <= 12);
    assert.ok(close(at(4, 2), [255, 0, 0]), `top is red: ${at(4, 2)}`);
    assert.ok(close(at(4, 13), [0, 0, 255]), `bottom is blue: ${at(4, 13)}`);
    // And through the preprocessor: in the R plane the top rows are high, the bottom rows low.
    const t = preprocess(img, identityManifest(8, 16)) as Float32Array;
    assert.ok(t[2 * 8 + 4] > 2 && t[13 * 8 + 4] < -1.5);
  });
});
