import fsp from 'node:fs/promises';
import path from 'node:path';

export interface ListedFile {
  path: string;
  /** The name of the folder directly under the root, or null for files at the root (unlabelled). */
  label: string | null;
  /** The folder it was listed from (kept with the item: media stays inside it). */
  root?: string;
}

/**
 * Files under a root, labelled by their first-level folder name, sorted for a deterministic order.
 * Every regular file is listed (no extension filter), so a non-image is reported as such by the
 * decoder rather than silently ignored; hidden files and folders are passed over.
 */
export async function listLabelledFiles(root: string): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  async function walk(dir: string, label: string | null): Promise<void> {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, label ?? entry.name);
      else if (entry.isFile()) out.push({ path: full, label, root: top });
    }
  }
  // Absolute paths: a collection's source paths must not depend on the indexer's working directory.
  const top = path.resolve(root);
  await walk(top, null);
  return out;
}
