import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of a file's bytes, or null when it cannot be read (reported later by the decoder). */
export async function sha256File(file: string): Promise<string | null> {
  try {
    return sha256Hex(await fsp.readFile(file));
  } catch {
    return null;
  }
}
