import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: test files compile to <outDir>/test/..., two levels below it. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The `imsearch` bin as shipped (package.json "bin"): the compiled CLI bundled by
 * scripts/bundle-cli.mjs into <outDir>/cli-bundle/. Tests that run the CLI as a process run this.
 */
export const cliBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli-bundle/main.js');

/** The read-only shared data (models, datasets); only tests and benchmarks look here. */
export const sharedDir = process.env.IMSEARCH_SHARED ?? path.resolve(repoRoot, '../shared');
export const sharedModelsDir = path.join(sharedDir, 'models');
export const caltechDir = path.join(sharedDir, 'datasets/caltech101');
