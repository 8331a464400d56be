import type { EmbedFileResult, EmbedFilesOptions } from '../models/embedder.js';
import type { Int8Sums } from '../models/onnx/session.js';
import type { View } from '../store/collection.js';

export type { EmbedFileResult, Int8Sums };

/** What besides the models makes an embedder's vectors differ (a collection records both). */
export interface EmbedderIdentity {
  crop: boolean;
  int8Sums: Int8Sums;
}

/**
 * What the services need from the inference layer: models/Embedder in-process (the CLI), or the
 * worker-thread embedder that keeps decoding and inference off the serving event loop.
 */
export interface ImageEmbedder {
  readonly models: readonly { name: string; dim: number; sha256: string }[];
  readonly crop: boolean;
  readonly int8Sums: Int8Sums;
  embedFiles(paths: readonly string[], views: readonly View[], opts?: Pick<EmbedFilesOptions, 'known' | 'signal'>): AsyncIterable<EmbedFileResult>;
  embedImage(input: Buffer, views: readonly View[]): Promise<Partial<Record<View, Record<string, Float32Array>>>>;
  close(): Promise<void>;
}
