/**
 * `.hashes.json` in the model directory: sha256 recorded for files whose manifest publishes none
 * (first download) or that were imported from disk. A record is the file's identity from then on:
 * later downloads must match it. Removing a model keeps its record unless asked to forget it.
 * The models layer reads the file (models/manifest/model-dir.ts); only the store writes it,
 * atomically (temp file, fsync, rename, fsync of the directory).
 */
import path from 'node:path';
import { type HashRecord, RECORDS_FILE, type RecordsJson, readRecords } from '../models/index.js';
import { writeFileAtomic } from '../store/atomic-file.js';

/** Read-modify-write of the records (re-read just before writing). */
export async function updateRecords(dir: string, change: (models: Record<string, HashRecord>) => void): Promise<void> {
  const models = readRecords(dir);
  change(models);
  const json: RecordsJson = { version: 1, models };
  await writeFileAtomic(path.join(dir, RECORDS_FILE), `${JSON.stringify(json, null, 2)}\n`);
}
