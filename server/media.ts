/**
 * Images by item id: the original (the item's recorded source file) and a thumbnail made with
 * sharp and cached under <dataDir>/cache/thumbs. Only the source paths the collection recorded
 * are ever read (the URL names a collection and an item id, never a path), and only after
 * server/media-source.ts has re-checked them.
 */
import { pipeline } from 'node:stream/promises';
import express from 'express';
import sharp from 'sharp';
import { ImageDecodeError } from '../models/image/decode-error.js';
import type { ImageFormat } from '../models/image/decode.js';
import { DEFAULT_MAX_FILE_BYTES, readOpenedFile } from '../models/image/image-file.js';
import type { ImsearchService } from '../service/service.js';
import type { Item } from '../store/collection.js';
import { type MediaSource, MediaUnavailable, openMediaSource } from './media-source.js';

const MIME: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  heif: 'image/heif',
};

const ID = /^[1-9][0-9]{0,14}$/;

export function mediaPaths(collection: string, id: number): { url: string; thumbnailUrl: string } {
  const base = `/media/${encodeURIComponent(collection)}/${id}`;
  return { url: base, thumbnailUrl: `${base}/thumb` };
}

export function mediaRouter(service: ImsearchService, opts: { thumbnailSize: number; maxPixels: number }): express.Router {
  const router = express.Router();

  // Messages name nothing from the request: a 404 body must not reflect what the caller sent.
  const lookup = async (req: express.Request, res: express.Response) => {
    const id = String(req.params.id);
    let c;
    try {
      c = await service.collection(String(req.params.collection));
    } catch {
      res.status(404).type('text/plain').send('no such collection');
      return null;
    }
    const item = ID.test(id) ? c.collection.item(Number(id)) : undefined;
    if (!item) {
      res.status(404).type('text/plain').send('no such item in the collection');
      return null;
    }
    return { collection: c.name, item };
  };

  /** The checked source, or null when the response (404 / 422) has been sent. */
  const open = async (item: Item, res: express.Response): Promise<MediaSource | null> => {
    try {
      return await openMediaSource(item);
    } catch (err) {
      if (!(err instanceof MediaUnavailable)) throw err;
      res.status(err.status).type('text/plain').send(err.message);
      return null;
    }
  };

  router.get('/:collection/:id', async (req, res, next) => {
    const found = await lookup(req, res);
    if (!found) return;
    try {
      const source = await open(found.item, res);
      if (!source) return;
      res.setHeader('Content-Type', MIME[source.format]);
      res.setHeader('Content-Length', String(source.stats.size));
      res.setHeader('Cache-Control', 'public, max-age=3600');
      // From the handle that was checked, never by path again.
      await pipeline(source.handle.createReadStream({ start: 0, autoClose: true }), res);
    } catch (err) {
      if (!res.headersSent) next(err);
      else res.destroy();
    }
  });

  router.get('/:collection/:id/thumb', async (req, res, next) => {
    const found = await lookup(req, res);
    if (!found) return;
    const size = opts.thumbnailSize;
    try {
      const source = await open(found.item, res);
      if (!source) return;
      let data: Buffer;
      try {
        data = await service.thumbnails.get(found.collection, found.item.sha256, size, async () =>
          makeThumbnail(await readOpenedFile(source, found.item.source, DEFAULT_MAX_FILE_BYTES), source.format, size, opts.maxPixels),
        );
      } finally {
        await source.handle.close().catch(() => undefined);
      }
      res.setHeader('Content-Type', 'image/webp');
      res.setHeader('Cache-Control', 'public, max-age=86400');
      res.send(data);
    } catch (err) {
      if (err instanceof ImageDecodeError || err instanceof MediaUnavailable) {
        res.status(422).type('text/plain').send("the item's file cannot be made into a thumbnail");
        return;
      }
      next(err);
    }
  });

  return router;
}

/** The formats a thumbnail is made from: raster images libvips decodes (never SVG, PDF or another loader). */
const THUMBNAIL_FORMATS: ReadonlySet<ImageFormat> = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

/**
 * Fits inside size x size, EXIF orientation applied; runs on libvips' threads. The bytes were
 * sniffed as `format`, and libvips must agree before anything is decoded.
 */
async function makeThumbnail(data: Buffer, format: ImageFormat, size: number, maxPixels: number): Promise<Buffer> {
  if (!THUMBNAIL_FORMATS.has(format)) throw new ImageDecodeError('not-image', `no thumbnail is made from ${format}`);
  const image = sharp(data, { limitInputPixels: maxPixels, failOn: 'truncated' });
  const meta = await image.metadata();
  if (meta.format !== format) throw new ImageDecodeError('not-image', `the file sniffs as ${format} but decodes as ${meta.format}`);
  return image
    .rotate()
    .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}
