/**
 * Every kind of bad image gets the same reason every time, also when many are decoded at once
 * (libvips' error text is process-global: the reason must not depend on it), and CMYK JPEGs
 * without a profile come out as sRGB.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { ImageDecodeError } from '../../models/image/decode-error.js';
import { decodeImage } from '../../models/image/decode.js';
import { heicHeader, pngClaiming, seedImage } from '../helpers/image-seeds.js';

async function reasonOf(buf: Uint8Array): Promise<string> {
  try {
    await decodeImage(buf);
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof ImageDecodeError, String(err));
    return err.reason;
  }
}

async function cases(): Promise<[string, Buffer, string][]> {
  const jpeg = await seedImage('jpeg');
  const png = await seedImage('png');
  const webp = await seedImage('webp');
  const gif = await seedImage('gif');
  return [
    ['jpeg', jpeg, 'ok'],
    ['png', png, 'ok'],
    ['webp', webp, 'ok'],
    ['gif', gif, 'ok'],
    ['empty', Buffer.alloc(0), 'empty'],
    ['text', Buffer.from('hello, not an image at all'), 'not-image'],
    ['svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"/>'), 'not-image'],
    ['heic', heicHeader(), 'unsupported-format'],
    ['jpeg cut', jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), 'truncated'],
    ['png cut', png.subarray(0, Math.floor(png.length * 0.6)), 'truncated'],
    ['webp cut', webp.subarray(0, Math.floor(webp.length * 0.6)), 'truncated'],
    ['gif cut', gif.subarray(0, Math.floor(gif.length * 0.6)), 'truncated'],
    // Complete (IEND present) but its compressed pixels are far too few for its size.
    ['png short data', pngClaiming(64, 64), 'corrupt'],
    ['tiny', await seedImage('png', 4, 4), 'too-small'],
    ['thin', await seedImage('png', 200, 3), 'too-small'],
    ['bomb', pngClaiming(60_000, 60_000), 'too-many-pixels'],
  ];
}

test('each kind of bad input has its one reason', async () => {
  for (const [name, buf, want] of await cases()) assert.equal(await reasonOf(buf), want, name);
});

test('decoding many at once gives each the reason it gets alone (no cross-talk)', async () => {
  const all = await cases();
  for (let round = 0; round < 3; round++) {
    const mixed = Array.from({ length: 4 }, () => all).flat();
    const got = await Promise.all(mixed.map(([, buf]) => reasonOf(buf)));
    assert.deepEqual(
      got.map((r, i) => `${mixed[i][0]}:${r}`),
      mixed.map(([name, , want]) => `${name}:${want}`),
    );
  }
});

test('the minimum size is configurable', async () => {
  const tiny = await seedImage('png', 4, 4);
  assert.equal((await decodeImage(tiny, { minSide: 2 })).width, 4);
});

test('a CMYK JPEG without an ICC profile is converted to sRGB with a standard CMYK profile', async () => {
  const w = 32;
  const rgb = Buffer.alloc(w * w * 3);
  for (let i = 0; i < w * w; i++) rgb.set([200, 60, 30], i * 3);
  const cmyk = await sharp(rgb, { raw: { width: w, height: w, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
  const meta = await sharp(cmyk).metadata();
  assert.equal(meta.space, 'cmyk');
  assert.equal(meta.hasProfile, false);
  const out = await decodeImage(cmyk);
  const px = [...out.data.subarray(0, 3)];
  for (const [i, want] of [200, 60, 30].entries()) assert.ok(Math.abs(px[i] - want) <= 16, `channel ${i}: ${px[i]} vs ${want}`);
});
