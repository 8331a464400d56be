/**
 * Which models the store knows: the repository's manifests (models/manifests/*.json, or a list
 * given by the caller) plus manifests imported into the store (`<store>/manifests/*.json`).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelManifest } from '../manifest.js';
import { validateManifest } from './validate.js';

export const IMPORTED_MANIFESTS_DIR = 'manifests';

export interface CatalogEntry {
  manifest: ModelManifest;
  origin: 'builtin' | 'imported';
  /** The manifest file, when it came from one. */
  path: string | null;
}

export interface Catalog {
  entries: Map<string, CatalogEntry>;
  /** Manifests skipped (invalid) or shadowed, and unknown fields. */
  warnings: string[];
}

/**
 * models/manifests of the repository: compiled code lives in <outDir>/models/store/, three levels
 * below the root, so `../../../models/manifests/` works from any dist*; `../manifests/` when the
 * sources run directly.
 */
export function builtinManifestsDir(): string {
  const candidates = [new URL('../../../models/manifests/', import.meta.url), new URL('../manifests/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (fs.existsSync(dir)) return dir;
  }
  return fileURLToPath(candidates[0]!);
}

export async function readManifestDir(dir: string, origin: CatalogEntry['origin']): Promise<{ entries: CatalogEntry[]; warnings: string[] }> {
  const entries: CatalogEntry[] = [];
  const warnings: string[] = [];
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries, warnings };
    throw e;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(await fsp.readFile(file, 'utf8'));
    } catch (e) {
      warnings.push(`${file}: not valid JSON (${(e as Error).message}); skipped`);
      continue;
    }
    const check = validateManifest(json);
    for (const w of check.warnings) warnings.push(`${file}: ${w}`);
    if (!check.manifest) {
      warnings.push(`${file}: invalid manifest, skipped: ${check.problems.join('; ')}`);
      continue;
    }
    entries.push({ manifest: check.manifest, origin, path: file });
  }
  return { entries, warnings };
}

export async function loadCatalog(storeDir: string, opts: { manifests?: ModelManifest[]; manifestsDir?: string } = {}): Promise<Catalog> {
  const entries = new Map<string, CatalogEntry>();
  const warnings: string[] = [];
  if (opts.manifests) {
    for (const m of opts.manifests) entries.set(m.name, { manifest: m, origin: 'builtin', path: null });
  } else {
    const builtin = await readManifestDir(opts.manifestsDir ?? builtinManifestsDir(), 'builtin');
    warnings.push(...builtin.warnings);
    for (const e of builtin.entries) entries.set(e.manifest.name, e);
  }
  const imported = await readManifestDir(path.join(storeDir, IMPORTED_MANIFESTS_DIR), 'imported');
  warnings.push(...imported.warnings);
  for (const e of imported.entries) {
    if (entries.has(e.manifest.name)) {
      warnings.push(`${e.path}: an imported manifest may not replace the built-in "${e.manifest.name}"; ignored`);
      continue;
    }
    entries.set(e.manifest.name, e);
  }
  return { entries, warnings };
}
