import type { EmbeddedFile, FailedFile } from '../models/embedder.js';
import type { View } from '../store/collection.js';

export type { EmbeddedFile, FailedFile };

/**
 * What the search layer needs from the inference layer: models/Embedder in-process, or the
 * server's worker-thread embedder that keeps inference off the event loop.
 */
export interface ImageEmbedder {
  readonly models: readonly { name: string; dim: number; sha256: string }[];
  readonly crop: boolean;
  embedFiles(paths: readonly string[], views: readonly View[]): AsyncIterable<EmbeddedFile | FailedFile>;
  embedImage(input: Buffer, views: readonly View[]): Promise<Partial<Record<View, Record<string, Float32Array>>>>;
  close(): Promise<void>;
}
