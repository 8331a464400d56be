/**
 * The static import graph of compiled modules: every package a set of entry files can load,
 * following relative imports (static, dynamic and require) through the repository's own files.
 * Used to keep the unit tier free of native addons (test/unit/import-graph.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';

/** The packages the unit tier must never reach: native addons and the browser. */
export const NATIVE_PACKAGES = ['faiss-node', 'annoy', 'onnxruntime-node', 'onnxruntime-common', 'sharp', 'better-sqlite3', 'playwright-core'] as const;

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;
/** Only what is loaded before any code runs: `import ... from` and bare `import '...'`. */
const STATIC_SPECIFIER = /(?:\bfrom\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;

export interface Reach {
  /** Package name -> the chain of files through which it is first reached (entry first). */
  packages: Map<string, string[]>;
  /** Every repository file visited. */
  files: Set<string>;
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Strips comments so a specifier named in prose is not taken for an import. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** `staticOnly`: follow only static imports (what loading the entries costs before any call). */
export function reach(entries: readonly string[], opts: { staticOnly?: boolean } = {}): Reach {
  const pattern = opts.staticOnly ? STATIC_SPECIFIER : SPECIFIER;
  const packages = new Map<string, string[]>();
  const files = new Set<string>();
  const queue: { file: string; chain: string[] }[] = entries.map((f) => ({ file: path.resolve(f), chain: [path.resolve(f)] }));
  while (queue.length) {
    const { file, chain } = queue.shift()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = code(fs.readFileSync(file, 'utf8'));
    for (const m of text.matchAll(pattern)) {
      const spec = m[2];
      if (spec.startsWith('node:')) continue;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = path.resolve(path.dirname(file), spec);
        if (fs.existsSync(target) && fs.statSync(target).isFile()) queue.push({ file: target, chain: [...chain, target] });
        continue;
      }
      const name = packageName(spec);
      if (!packages.has(name)) packages.set(name, chain);
    }
  }
  return { packages, files };
}

/** All .js files under a directory (compiled test files and their helpers). */
export function jsFilesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}
