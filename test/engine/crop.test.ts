import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { centreBox, cropRgb, detectContentBox, findContentBox, greyThumbnail, scaleBox } from '../../models/index.js';
import { ttaViews } from '../../service/views.js';

/** A deterministic pseudo-random generator (tests must not flake). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** w x h grey image: `bg` everywhere, textured content (values 0-200) in the rectangle. */
function framed(w: number, h: number, bg: number, content: { left: number; top: number; width: number; height: number }, seed = 1) {
  const r = rng(seed);
  const g = new Uint8Array(w * h).fill(bg);
  for (let y = content.top; y < content.top + content.height; y++) {
    for (let x = content.left; x < content.left + content.width; x++) g[y * w + x] = Math.floor(r() * 200);
  }
  return g;
}

describe('findContentBox (pure decision on a greyscale image)', () => {
  it('finds the content inside a white border', () => {
    const content = { left: 20, top: 10, width: 70, height: 50 };
    assert.deepEqual(findContentBox(framed(100, 80, 255, content), 100, 80), content);
  });

  it('trims a black letterbox (top and bottom only)', () => {
    const content = { left: 0, top: 12, width: 120, height: 56 };
    assert.deepEqual(findContentBox(framed(120, 80, 0, content), 120, 80), content);
  });

  it('tolerates JPEG-like noise in the border', () => {
    const content = { left: 15, top: 15, width: 60, height: 40 };
    const g = framed(90, 70, 240, content);
    const r = rng(7);
    for (let i = 0; i < g.length; i++) {
      const x = i % 90;
      const y = Math.floor(i / 90);
      const inside = x >= 15 && x < 75 && y >= 15 && y < 55;
      if (!inside) g[i] = 240 + Math.round((r() - 0.5) * 10);
    }
    assert.deepEqual(findContentBox(g, 90, 70), content);
  });

  it('peels a thin frame line and then the margin inside it', () => {
    const w = 100;
    const h = 100;
    const content = { left: 25, top: 25, width: 50, height: 50 };
    const g = framed(w, h, 255, content);
    for (let i = 0; i < w; i++) {
      g[i] = g[(h - 1) * w + i] = 0; // black top and bottom lines
      g[i * w] = g[i * w + w - 1] = 0; // black left and right columns
    }
    assert.deepEqual(findContentBox(g, w, h), content);
  });

  it('does not crop a uniform image', () => {
    assert.equal(findContentBox(new Uint8Array(64 * 48).fill(128), 64, 48), null);
  });

  it('does not crop a busy image (content up to the edges)', () => {
    const r = rng(3);
    const g = Uint8Array.from({ length: 64 * 48 }, () => Math.floor(r() * 256));
    assert.equal(findContentBox(g, 64, 48), null);
  });

  it('ignores trims too small to matter', () => {
    const content = { left: 1, top: 0, width: 99, height: 80 }; // one column of border: 1 %
    assert.equal(findContentBox(framed(100, 80, 255, content), 100, 80), null);
  });

  it('never keeps less than minKeep of a side: a small object is grown around its centre', () => {
    const content = { left: 60, top: 30, width: 10, height: 10 };
    const box = findContentBox(framed(100, 100, 255, content), 100, 100, { minKeep: 0.5 })!;
    assert.ok(box);
    assert.equal(box.width, 50);
    assert.equal(box.height, 50);
    // contains the content, stays inside the image
    assert.ok(box.left <= 60 && box.left + box.width >= 70 && box.top <= 30 && box.top + box.height >= 40);
    assert.ok(box.left >= 0 && box.top >= 0 && box.left + box.width <= 100 && box.top + box.height <= 100);
  });
});

describe('applying the crop', () => {
  it('scaleBox maps a small-copy box outwards to full size', () => {
    const b = scaleBox({ left: 10, top: 5, width: 20, height: 10 }, { width: 50, height: 25 }, { width: 500, height: 250 });
    assert.ok(b.left <= 100 && b.top <= 50 && b.left + b.width >= 300 && b.top + b.height >= 150);
    assert.ok(b.left >= 0 && b.top >= 0 && b.left + b.width <= 500 && b.top + b.height <= 250);
  });

  it('centreBox: the middle share of each side, odd pixel right/bottom', () => {
    assert.deepEqual(centreBox(100, 50, 0.8), { left: 10, top: 5, width: 80, height: 40 });
    // 0.8 * 7 = 5.6 -> 6 wide, margin 1 split 0 / 1; 0.8 * 3 = 2.4 -> 2 high, margin 1 split 0 / 1
    assert.deepEqual(centreBox(7, 3, 0.8), { left: 0, top: 0, width: 6, height: 2 });
    assert.deepEqual(centreBox(1, 1, 0.8), { left: 0, top: 0, width: 1, height: 1 });
    assert.deepEqual(centreBox(640, 480, 1), { left: 0, top: 0, width: 640, height: 480 });
    assert.throws(() => centreBox(10, 10, 0), RangeError);
    assert.throws(() => centreBox(10, 10, 1.5), RangeError);
  });

  it('ttaViews: orig always, then flip, zoom and zoom-flip as asked', () => {
    assert.deepEqual(ttaViews({}), ['orig']);
    assert.deepEqual(ttaViews({ flip: true }), ['orig', 'flip']);
    assert.deepEqual(ttaViews({ zoom: true }), ['orig', 'zoom']);
    assert.deepEqual(ttaViews({ flip: true, zoom: true }), ['orig', 'flip', 'zoom', 'zoom-flip']);
  });

  it('cropRgb copies the box', () => {
    const img = { data: Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => i), width: 4, height: 3 };
    const c = cropRgb(img, { left: 1, top: 1, width: 2, height: 2 });
    assert.deepEqual(Array.from(c.data), [15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
    assert.throws(() => cropRgb(img, { left: 3, top: 0, width: 2, height: 1 }), RangeError);
  });

  it('greyThumbnail averages f x f blocks of luma', () => {
    const w = 256;
    const h = 130;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(x < 128 ? [255, 255, 255] : [0, 0, 255], (y * w + x) * 3);
    const t = greyThumbnail({ data, width: w, height: h }, 128);
    assert.equal(t.factor, 2);
    assert.equal(t.width, 128);
    assert.equal(t.height, 65);
    assert.equal(t.data[0], 255);
    assert.equal(t.data[127], Math.round((255 * 114) / 1000));
  });

  it('detectContentBox finds a white border on a full-size RGB image (via the small grey copy)', () => {
    const w = 400;
    const h = 300;
    const data = new Uint8Array(w * h * 3).fill(255);
    const r = rng(11);
    for (let y = 60; y < 240; y++) for (let x = 80; x < 330; x++) data.set([r() * 200, r() * 200, r() * 200], (y * w + x) * 3);
    const box = detectContentBox({ data, width: w, height: h });
    assert.ok(box, 'a box');
    // contains the content, and trims most of the border (within a few pixels of the truth)
    assert.ok(box.left <= 80 && box.top <= 60 && box.left + box.width >= 330 && box.top + box.height >= 240, JSON.stringify(box));
    assert.ok(box.left >= 70 && box.top >= 50 && box.left + box.width <= 340 && box.top + box.height <= 250, JSON.stringify(box));
    assert.equal(detectContentBox({ data: new Uint8Array(w * h * 3).fill(90), width: w, height: h }), null);
    // Small images are decided at full resolution: exact.
    const s = framed(90, 60, 255, { left: 10, top: 5, width: 70, height: 40 });
    const rgb = new Uint8Array(90 * 60 * 3);
    s.forEach((v, i) => rgb.set([v, v, v], i * 3));
    assert.deepEqual(detectContentBox({ data: rgb, width: 90, height: 60 }), { left: 10, top: 5, width: 70, height: 40 });
  });
});
