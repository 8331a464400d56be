/**
 * The job history file (`<data dir>/jobs.json`): the server's job records, so a restarted server
 * still answers job(id). Written whole and atomically; a format it does not know is reported to
 * the caller, which starts a new history.
 */
import fs from 'node:fs/promises';
import { storageError } from '../errors/error-codes.js';
import { writeFileAtomic } from './atomic-file.js';

const FILE_VERSION = 1;

export class JobHistoryFile<T> {
  constructor(readonly file: string) {}

  /** The saved records in creation order; [] when there is no file; throws (with why) when it is unreadable. */
  async read(): Promise<T[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storageError(err, this.file);
    }
    const saved = JSON.parse(text) as { version?: unknown; jobs?: unknown };
    if (saved.version !== FILE_VERSION || !Array.isArray(saved.jobs)) throw new Error(`unknown format (version ${String(saved.version)})`);
    return saved.jobs as T[];
  }

  /** Replaces the file with these records (Dates serialise as ISO strings). */
  async write(jobs: readonly T[]): Promise<void> {
    try {
      await writeFileAtomic(this.file, `${JSON.stringify({ version: FILE_VERSION, jobs })}\n`);
    } catch (err) {
      throw storageError(err, this.file);
    }
  }
}
