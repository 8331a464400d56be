/**
 * A small real collection for the API tests and the API benchmark: the first N gallery photos
 * of a few Caltech-101 classes, embedded with the real offline model (mobilenetv2-int8), in a
 * fresh temporary data directory.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Embedder } from '../models/embedder.js';
import { fitInProcess } from '../service/fit-in-process.js';
import { ImsearchService } from '../service/service.js';
import { type RunningServer, startServer } from '../server/app.js';
import type { ServerConfigInput } from '../server/config.js';
import { caltechDir, sharedModelsDir } from '../test/helpers/paths.js';

export const FIXTURE_MODEL = 'mobilenetv2-int8';
export const FIXTURE_CLASSES = ['Leopards', 'Motorbikes', 'sunflower'] as const;

export interface Fixture {
  /** Temporary root: holds data/ and anything a test makes (roots, uploads). */
  root: string;
  dataDir: string;
  modelDir: string;
  collection: string;
  /** The indexed files by class. */
  files: Record<string, string[]>;
  itemCount: number;
  /** Deletes the temporary root. */
  remove(): Promise<void>;
}

/** First `n` files of a class in name order (gallery or queries). */
export async function caltechFiles(split: 'gallery' | 'queries', cls: string, n: number, skip = 0): Promise<string[]> {
  const dir = path.join(caltechDir, split, cls);
  const names = (await fs.readdir(dir)).filter((f) => !f.startsWith('.')).sort();
  return names.slice(skip, skip + n).map((f) => path.join(dir, f));
}

export async function buildFixture(opts: { classes?: readonly string[]; perClass?: number; collection?: string; indexSpec?: string; threads?: number } = {}): Promise<Fixture> {
  const classes = opts.classes ?? FIXTURE_CLASSES;
  const perClass = opts.perClass ?? 8;
  const collection = opts.collection ?? 'fixture';
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'imsearch-api-'));
  const dataDir = path.join(root, 'data');
  const files: Record<string, string[]> = {};
  for (const cls of classes) files[cls] = await caltechFiles('gallery', cls, perClass);
  const service = new ImsearchService({
    dataDir,
    embedders: (models, identity) => Embedder.create(models, { modelDir: sharedModelsDir, ...identity, threads: opts.threads }),
    fit: fitInProcess,
  });
  try {
    const c = await service.openOrCreate(collection, {
      models: [{ name: FIXTURE_MODEL, weight: 1 }],
      crop: false,
      views: ['orig'],
      indexSpec: opts.indexSpec ?? 'flat',
    });
    const report = await service.addFiles(
      c.name,
      classes.flatMap((cls) => files[cls].map((p) => ({ path: p, label: cls }))),
    );
    if (report.failed.length) throw new Error(`fixture: ${report.failed.length} files failed: ${report.failed.map((f) => f.message).join('; ')}`);
    const itemCount = c.collection.count();
    return { root, dataDir, modelDir: sharedModelsDir, collection, files, itemCount, remove: () => fs.rm(root, { recursive: true, force: true }) };
  } catch (err) {
    await fs.rm(root, { recursive: true, force: true });
    throw err;
  } finally {
    await service.close();
  }
}

/** The API server over a fixture, on 127.0.0.1 and a free port. */
export function startFixtureServer(fx: Fixture, overrides: Partial<ServerConfigInput> = {}): Promise<RunningServer> {
  return startServer({ dataDir: fx.dataDir, modelDir: fx.modelDir, host: '127.0.0.1', port: 0, ...overrides });
}
