import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Embedder } from '../models/embedder.js';
import { Collection, CollectionError, type View } from '../store/collection.js';
import { SearchError } from './search-errors.js';

export interface NewCollectionOptions {
  models: readonly { name: string; weight: number }[];
  crop: boolean;
  views: readonly View[];
  indexSpec: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * The collections under one data directory and the models they need: what the CLI and the
 * server share. Embedders are loaded once per distinct (models, crop) and reused.
 */
export class Library {
  private readonly embedders = new Map<string, Promise<Embedder>>();

  constructor(
    readonly dataDir: string,
    readonly modelDir: string,
    private readonly embedderOptions: { threads?: number; batchSize?: number; maxPixels?: number; maxBytes?: number } = {},
  ) {}

  dir(name: string): string {
    if (!NAME.test(name)) {
      throw new SearchError('UNKNOWN_COLLECTION', `invalid collection name "${name}": letters, digits, '.', '_' or '-', at most 64`);
    }
    return path.join(this.dataDir, 'collections', name);
  }

  async names(): Promise<string[]> {
    const root = path.join(this.dataDir, 'collections');
    if (!fs.existsSync(root)) return [];
    const entries = await fsp.readdir(root, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, e.name, 'manifest.json')))
      .map((e) => e.name)
      .sort();
  }

  async open(name: string): Promise<Collection> {
    try {
      return await Collection.open(this.dir(name));
    } catch (err) {
      if (err instanceof CollectionError && err.code === 'COLLECTION_NOT_FOUND') {
        throw new SearchError('UNKNOWN_COLLECTION', `no collection "${name}" in ${this.dataDir}`);
      }
      throw err;
    }
  }

  /** Opens the collection, creating it with `create` when it does not exist yet. */
  async openOrCreate(name: string, create: NewCollectionOptions): Promise<Collection> {
    if (fs.existsSync(path.join(this.dir(name), 'manifest.json'))) return this.open(name);
    const embedder = await this.embedder(create.models.map((m) => m.name), create.crop);
    return Collection.create(this.dir(name), {
      name,
      models: embedder.models.map((m) => ({ ...m, weight: create.models.find((w) => w.name === m.name)!.weight })),
      crop: create.crop,
      views: [...create.views],
      indexSpec: create.indexSpec,
      metric: null,
      searchDefaults: {},
    });
  }

  embedderFor(collection: Collection): Promise<Embedder> {
    return this.embedder(
      collection.manifest.models.map((m) => m.name),
      collection.manifest.crop,
    );
  }

  embedder(models: readonly string[], crop: boolean): Promise<Embedder> {
    const key = `${models.join(',')}|${crop}`;
    let e = this.embedders.get(key);
    if (!e) {
      e = Embedder.create(models, { modelDir: this.modelDir, crop, ...this.embedderOptions });
      e.catch(() => this.embedders.delete(key));
      this.embedders.set(key, e);
    }
    return e;
  }

  async close(): Promise<void> {
    for (const e of this.embedders.values()) await (await e.catch(() => null))?.close();
    this.embedders.clear();
  }
}
