/** Node-only helpers for the SDK (the client itself runs anywhere fetch, FormData and Blob exist). */
import fs from 'node:fs';
import path from 'node:path';

/** A file on disk as a File (named, streamed from disk by fetch) for uploads. */
export async function fileFromPath(file: string, type?: string): Promise<File> {
  const blob = await fs.openAsBlob(file, type ? { type } : undefined);
  return new File([blob], path.basename(file), { type: type ?? blob.type });
}

export * from './index.js';
