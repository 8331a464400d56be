import type { View } from '../store/collection.js';

/** What the search layer needs from the inference layer (models/ implements it). */
export interface EmbeddedFile {
  index: number;
  path: string;
  ok: true;
  sha256: string;
  bytes: number;
  /** Per view, per model: L2-normalised embeddings. */
  vectors: Partial<Record<View, Record<string, Float32Array>>>;
}

export interface FailedFile {
  index: number;
  path: string;
  ok: false;
  reason: string;
  message: string;
}

export interface ImageEmbedder {
  readonly models: readonly { name: string; dim: number; sha256: string }[];
  readonly crop: boolean;
  embedFiles(paths: readonly string[], views: readonly View[]): AsyncIterable<EmbeddedFile | FailedFile>;
  embedImage(input: Buffer, views: readonly View[]): Promise<Partial<Record<View, Record<string, Float32Array>>>>;
  close(): Promise<void>;
}
