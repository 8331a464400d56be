import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ImageDecodeError, decodeImage, looksTruncated, readImageFile, sniffFormat } from '../../models/index.js';
import { caltechDir } from '../helpers/paths.js';

const photo = path.join(caltechDir, 'gallery/cup/image_0012.jpg');

async function rejectsWith(p: Promise<unknown>, reason: string, pattern?: RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ImageDecodeError, `ImageDecodeError expected, got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

describe('decodeImage', () => {
  let dir: string;
  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-decode-'));
  });
  after(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('decodes a real photo to 3-channel RGB', async () => {
    const img = await decodeImage(photo);
    assert.equal(img.format, 'jpeg');
    assert.equal(img.data.length, img.width * img.height * 3);
    const meta = await sharp(photo).metadata();
    assert.equal(img.width, meta.width);
    assert.equal(img.height, meta.height);
  });

  it('zero-byte input: "empty"', async () => {
    await rejectsWith(decodeImage(Buffer.alloc(0)), 'empty');
    const f = path.join(dir, 'zero.jpg');
    fs.writeFileSync(f, '');
    await rejectsWith(decodeImage(f), 'empty', /zero\.jpg/);
  });

  it('a text file: "not-image"', async () => {
    const f = path.join(dir, 'notes.jpg');
    fs.writeFileSync(f, 'these are not the pixels you are looking for\n');
    await rejectsWith(decodeImage(f), 'not-image', /notes\.jpg/);
    await rejectsWith(decodeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), 'not-image');
  });

  it('a truncated JPEG: "truncated"', async () => {
    const bytes = fs.readFileSync(photo);
    await rejectsWith(decodeImage(bytes.subarray(0, Math.floor(bytes.length / 2))), 'truncated');
    await rejectsWith(decodeImage(bytes.subarray(0, 200)), 'truncated'); // cut inside the headers
  });

  it('truncation is classified from the bytes, also under concurrent decodes (libvips error text is shared)', async () => {
    const bytes = fs.readFileSync(photo);
    const cut = bytes.subarray(0, 3000);
    assert.equal(looksTruncated(bytes, 'jpeg'), false);
    assert.equal(looksTruncated(cut, 'jpeg'), true);
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).png().toBuffer();
    assert.equal(looksTruncated(png, 'png'), false);
    assert.equal(looksTruncated(png.subarray(0, png.length - 12), 'png'), true);
    const results = await Promise.allSettled(Array.from({ length: 24 }, () => decodeImage(cut)));
    for (const r of results) assert.ok(r.status === 'rejected' && r.reason instanceof ImageDecodeError && r.reason.reason === 'truncated', String(r.status === 'rejected' && r.reason.message));
  });

  it('corrupt data after a valid signature: "corrupt" or "truncated", never a crash', async () => {
    const bytes = Buffer.from(fs.readFileSync(photo));
    const garbage = Buffer.concat([bytes.subarray(0, 4), Buffer.alloc(2000, 0x5a)]);
    await assert.rejects(decodeImage(garbage), (err: unknown) => err instanceof ImageDecodeError && ['corrupt', 'truncated'].includes(err.reason));
  });

  it('more pixels than the limit (decompression bomb): "too-many-pixels", before decoding', async () => {
    // 6000 x 6000 white PNG: ~100 kB on disk, 36 megapixels decoded.
    const bomb = await sharp({ create: { width: 6000, height: 6000, channels: 3, background: '#ffffff' } }).png().toBuffer();
    assert.ok(bomb.length < 1_000_000);
    await rejectsWith(decodeImage(bomb, { maxPixels: 10_000_000 }), 'too-many-pixels', /10 megapixels/);
    await rejectsWith(decodeImage(fs.readFileSync(photo), { maxPixels: 1000 }), 'too-many-pixels');
  });

  it('more bytes than the limit: "too-large-bytes", checked before reading a file', async () => {
    await rejectsWith(decodeImage(photo, { maxBytes: 1000 }), 'too-large-bytes', /limit/);
    await rejectsWith(decodeImage(fs.readFileSync(photo), { maxBytes: 1000 }), 'too-large-bytes');
  });

  it('a missing file or a directory: "unreadable"', async () => {
    await rejectsWith(decodeImage(path.join(dir, 'nope.jpg')), 'unreadable', /ENOENT/);
    await rejectsWith(readImageFile(dir), 'unreadable', /not a regular file/);
  });

  it('reduces big images to the working size while decoding (shorter side)', async () => {
    const big = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const img = await decodeImage(big, { workingSize: 512 });
    assert.equal(Math.min(img.width, img.height), 512);
    assert.equal(img.width, 683);
    const small = await decodeImage(fs.readFileSync(photo), { workingSize: 512 });
    const plain = await sharp(photo).raw().toBuffer();
    assert.ok(Buffer.from(small.data).equals(plain), 'small images are not touched');
  });

  it('sniffs formats from magic bytes', () => {
    assert.equal(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'jpeg');
    assert.equal(sniffFormat(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1')), 'png');
    assert.equal(sniffFormat(Buffer.from('GIF89a')), 'gif');
    assert.equal(sniffFormat(Buffer.from('RIFF1234WEBPVP8 ')), 'webp');
    assert.equal(sniffFormat(Buffer.from('hello')), null);
  });
});
