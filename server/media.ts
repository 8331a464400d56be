/**
 * Images by item id: the original (the item's recorded source file) and a thumbnail made with
 * sharp and cached under <dataDir>/cache/thumbs. Only the source paths the collection recorded
 * are ever read: the URL names a collection and an item id, never a path.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import express from 'express';
import sharp from 'sharp';
import { sniffFormat } from '../models/image/decode.js';
import type { ImsearchService } from '../service/service.js';

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

  const lookup = async (req: express.Request, res: express.Response) => {
    const name = String(req.params.collection);
    const id = String(req.params.id);
    let c;
    try {
      c = await service.collection(name);
    } catch {
      res.status(404).type('text/plain').send(`no collection ${name}`);
      return null;
    }
    const item = ID.test(id) ? c.collection.item(Number(id)) : undefined;
    if (!item) {
      res.status(404).type('text/plain').send(`no item ${id} in collection ${name}`);
      return null;
    }
    // Sources are recorded as indexed; a relative one is taken relative to the working directory.
    return { collection: c.name, item: { ...item, source: path.resolve(item.source) } };
  };

  router.get('/:collection/:id', async (req, res, next) => {
    const found = await lookup(req, res);
    if (!found) return;
    try {
      const fh = await fsp.open(found.item.source, 'r');
      let head: Buffer;
      try {
        const { buffer, bytesRead } = await fh.read(Buffer.alloc(16), 0, 16, 0);
        head = buffer.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
      const format = sniffFormat(head);
      if (!format) {
        res.status(404).type('text/plain').send(`item ${found.item.id}'s file is no longer an image`);
        return;
      }
      res.setHeader('Content-Type', MIME[format]);
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.sendFile(found.item.source, { dotfiles: 'allow', headers: { 'Content-Type': MIME[format] } }, (err) => {
        if (err && !res.headersSent) next(err);
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        res.status(404).type('text/plain').send(`item ${found.item.id}'s file is missing on the server`);
        return;
      }
      next(err);
    }
  });

  router.get('/:collection/:id/thumb', async (req, res, next) => {
    const found = await lookup(req, res);
    if (!found) return;
    const size = opts.thumbnailSize;
    try {
      const data = await service.thumbnails.get(found.collection, found.item.sha256, size, () => makeThumbnail(found.item.source, size, opts.maxPixels));
      res.setHeader('Content-Type', 'image/webp');
      res.setHeader('Cache-Control', 'public, max-age=86400');
      res.send(data);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        res.status(404).type('text/plain').send(`item ${found.item.id}'s file is missing on the server`);
        return;
      }
      if (err instanceof Error && !code) {
        res.status(422).type('text/plain').send(`item ${found.item.id}'s file cannot be made into a thumbnail`);
        return;
      }
      next(err);
    }
  });

  return router;
}

/** Fits inside size x size, EXIF orientation applied; runs on libvips' threads. */
function makeThumbnail(source: string, size: number, maxPixels: number): Promise<Buffer> {
  return sharp(source, { limitInputPixels: maxPixels, failOn: 'truncated' })
    .rotate()
    .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}
