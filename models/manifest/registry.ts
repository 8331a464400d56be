/**
 * Which models exist: the built-in manifests (models/manifests/*.json, part of the product: an
 * invalid one is an error) plus the manifests imported into a model directory (an invalid or
 * clashing one is skipped with a warning, so one bad import does not stop the others). Both go
 * through the one validator of manifest.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../errors.js';
import { type ModelManifest, validateManifest } from './manifest.js';
import { importedManifestsDir } from './model-dir.js';

/**
 * models/manifests of the repository: the nearest folder above this module that holds
 * `models/manifests` beside a package.json. Compiled code lives in <outDir>/models/manifest/, the
 * bundled CLI in dist/cli-bundle/ (scripts/bundle-cli.mjs), the sources in models/manifest/: the
 * walk finds the repository root from each.
 */
export function defaultManifestsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = path.dirname(dir)) {
    const manifests = path.join(dir, 'models', 'manifests');
    if (fs.existsSync(manifests) && fs.existsSync(path.join(dir, 'package.json'))) return manifests;
    if (path.dirname(dir) === dir) return path.resolve(here, '../../../models/manifests');
  }
}

export interface CatalogEntry {
  manifest: ModelManifest;
  origin: 'builtin' | 'imported';
  /** The manifest file, when it came from one. */
  path: string | null;
}

export interface Catalog {
  entries: Map<string, CatalogEntry>;
  /** Imported manifests skipped (invalid or clashing), and unknown fields. */
  warnings: string[];
}

export interface CatalogOptions {
  /** The model directory whose imported manifests are added; absent: built-in ones only. */
  modelDir?: string | null;
  /** Use these instead of the built-in manifests (tests, the store's callers). */
  manifests?: readonly ModelManifest[];
  /** Read the built-in manifests from this folder instead of models/manifests. */
  manifestsDir?: string;
}

interface ManifestFile {
  entry: CatalogEntry | null;
  problems: string[];
  warnings: string[];
}

function readManifestFile(file: string, origin: CatalogEntry['origin']): ManifestFile {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return { entry: null, problems: [`not readable JSON (${(e as Error).message})`], warnings: [] };
  }
  const { manifest, problems, warnings } = validateManifest(json);
  if (manifest && `${manifest.name}.json` !== path.basename(file)) problems.push(`name: expected "${path.basename(file, '.json')}" (the file name), received "${manifest.name}"`);
  return { entry: problems.length ? null : { manifest: manifest!, origin, path: file }, problems, warnings };
}

function jsonFiles(dir: string, missingOk: boolean): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => path.join(dir, f));
  } catch (err) {
    if (missingOk && (err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ModelError('BAD_MANIFEST', `Cannot read the model manifest directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

const builtinCache = new Map<string, ModelManifest[]>();

/** The built-in manifests in `dir` (default: the repository's models/manifests), sorted by name. */
export function listManifests(dir: string = defaultManifestsDir()): ModelManifest[] {
  const hit = builtinCache.get(dir);
  if (hit) return hit;
  const manifests = jsonFiles(dir, false).map((file) => {
    const { entry, problems } = readManifestFile(file, 'builtin');
    if (!entry) throw new ModelError('BAD_MANIFEST', `Invalid manifest ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return entry.manifest;
  });
  manifests.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  builtinCache.set(dir, manifests);
  return manifests;
}

/** Built-in manifests plus those imported into the model directory (read fresh: imports change it). */
export function loadCatalog(opts: CatalogOptions = {}): Catalog {
  const entries = new Map<string, CatalogEntry>();
  const warnings: string[] = [];
  for (const manifest of opts.manifests ?? listManifests(opts.manifestsDir)) entries.set(manifest.name, { manifest, origin: 'builtin', path: null });
  if (!opts.modelDir) return { entries, warnings };
  for (const file of jsonFiles(importedManifestsDir(opts.modelDir), true)) {
    const read = readManifestFile(file, 'imported');
    warnings.push(...read.warnings.map((w) => `${file}: ${w}`));
    const { entry } = read;
    if (!entry) warnings.push(`${file}: invalid manifest, skipped: ${read.problems.join('; ')}`);
    else if (entries.has(entry.manifest.name)) warnings.push(`${file}: an imported manifest may not replace the built-in "${entry.manifest.name}"; ignored`);
    else entries.set(entry.manifest.name, entry);
  }
  return { entries, warnings };
}

/** The manifest called `name`; a ModelError(UNKNOWN_MODEL) listing the known names otherwise. */
export function getManifest(name: string, opts: CatalogOptions = {}): ModelManifest {
  const catalog = loadCatalog(opts);
  const entry = catalog.entries.get(name);
  if (!entry) {
    const known = [...catalog.entries.keys()].sort().join(', ') || '(none)';
    const skipped = catalog.warnings.filter((w) => w.includes('skipped') || w.includes('ignored'));
    throw new ModelError('UNKNOWN_MODEL', `Unknown model "${name}". Known models: ${known}.${skipped.length ? `\n${skipped.join('\n')}` : ''}`);
  }
  return entry.manifest;
}
