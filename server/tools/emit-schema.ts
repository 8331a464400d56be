/**
 * Writes schema/schema.graphql from the resolvers (`npm run schema:emit`), or with --check
 * exits 1 when the checked-in file differs from what the code emits.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaSdl } from '../schema/build.js';

/** Repository root: this file compiles to <outDir>/server/tools/. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const schemaFile = path.join(repoRoot, 'schema', 'schema.graphql');

async function main(): Promise<void> {
  const sdl = await schemaSdl();
  if (process.argv.includes('--check')) {
    const current = await fs.readFile(schemaFile, 'utf8').catch(() => '');
    if (current !== sdl) {
      process.stderr.write(`${path.relative(repoRoot, schemaFile)} is stale: run \`npm run schema:emit\` and commit it\n`);
      process.exit(1);
    }
    process.stdout.write(`${path.relative(repoRoot, schemaFile)} is up to date\n`);
    return;
  }
  await fs.mkdir(path.dirname(schemaFile), { recursive: true });
  await fs.writeFile(schemaFile, sdl);
  process.stdout.write(`wrote ${path.relative(repoRoot, schemaFile)}\n`);
}

await main();
