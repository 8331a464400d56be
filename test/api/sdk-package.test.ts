/**
 * The SDK as a customer gets it: `npm pack` of the workspace, the tarball installed offline into
 * a fresh project outside this repository, the README's example (sdk/examples/search.ts)
 * type-checked there with Node's types only (no DOM lib) and run against a real server. The same
 * example with a misspelled field, or a misspelled error code, must fail `tsc`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import type { RunningServer } from '../../server/app.js';
import { repoRoot } from '../helpers/paths.js';

const run = promisify(execFile);
const EXAMPLE = path.join(repoRoot, 'sdk/examples/search.ts');
const TSC = path.join(repoRoot, 'node_modules/typescript/bin/tsc');

/** npm and tsc as a shell would run them: no npm_config_* inherited from an `npm test` parent. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

let fx: Fixture;
let server: RunningServer;
let project: string;
let example: string;

/** tsc over the consumer project with `source` as its one file; resolves with tsc's output and whether it passed. */
async function typecheck(source: string): Promise<{ ok: boolean; output: string }> {
  await fs.writeFile(path.join(project, 'search.ts'), source);
  try {
    const { stdout } = await run(process.execPath, [TSC, '-p', project], { env: cleanEnv });
    return { ok: true, output: stdout };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

before(async () => {
  fx = await buildFixture({ perClass: 6 });
  server = await startFixtureServer(fx);
  example = await fs.readFile(EXAMPLE, 'utf8');
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'imsearch-sdk-consumer-'));
  await run('npm', ['pack', '--workspace', '@imsearch/sdk', '--pack-destination', project], { cwd: repoRoot, env: cleanEnv });
  await fs.writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // The SDK's dependencies (types only; the WebSocket client of watchJob) and their peer graphql
  // come from this repository's node_modules, packed as the registry would serve them: nothing is fetched.
  // (--ignore-scripts: a published package is packed as it is; graphql-ws's prepack would rebuild it with yarn.)
  const { stdout: packed } = await run('npm', ['pack', '--ignore-scripts', ...['@graphql-typed-document-node/core', 'graphql-ws', 'graphql'].map((p) => path.join(repoRoot, 'node_modules', p)), '--pack-destination', project], { env: cleanEnv });
  const dependencies = packed.trim().split('\n').map((f) => `./${f}`);
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...dependencies, './imsearch-sdk-0.1.0.tgz'], { cwd: project, env: cleanEnv });
  // Node's types from this repository (no network); no DOM lib.
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      types: ['node'],
      typeRoots: [path.join(repoRoot, 'node_modules/@types')],
      strict: true,
      skipLibCheck: false,
      outDir: 'out',
    },
    files: ['search.ts'],
  };
  await fs.writeFile(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
});

after(async () => {
  await server?.close();
  await fx?.remove();
  if (project) await fs.rm(project, { recursive: true, force: true });
});

describe('@imsearch/sdk as a package', () => {
  it('packs only the compiled client: JavaScript and declarations, no server code, no install scripts', async () => {
    const { stdout } = await run('tar', ['-tzf', path.join(project, 'imsearch-sdk-0.1.0.tgz')]);
    const files = stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts') && files.includes('dist/node.d.ts'), files.join(' '));
    assert.deepEqual(files.filter((f) => !/^dist\/.*\.(js|d\.ts)$/.test(f) && f !== 'package.json'), []);
    const manifest = JSON.parse(await fs.readFile(path.join(project, 'node_modules/@imsearch/sdk/package.json'), 'utf8')) as { dependencies?: object; scripts?: Record<string, string> };
    assert.deepEqual(Object.keys(manifest.dependencies ?? {}), ['@graphql-typed-document-node/core', 'graphql-ws']);
    assert.deepEqual(Object.keys(manifest.scripts ?? {}).filter((s) => /install/.test(s)), []);
  });

  it('the README quotes the example verbatim', async () => {
    const readme = await fs.readFile(path.join(repoRoot, 'README.md'), 'utf8');
    assert.ok(readme.includes(example), 'README.md must quote sdk/examples/search.ts');
  });

  it('type-checks the example with Node types only, and runs it against a real server', async () => {
    const checked = await typecheck(example);
    assert.ok(checked.ok, checked.output);
    const [photo] = await caltechFiles('queries', 'Leopards', 1);
    const { stdout } = await run(process.execPath, [path.join(project, 'out/search.js'), photo], {
      cwd: project,
      env: { ...cleanEnv, IMSEARCH_URL: `${server.url}/graphql` },
    });
    const lines = stdout.trim().split('\n').map((l) => l.split(' '));
    assert.equal(lines.length, 5, stdout);
    assert.deepEqual(lines.map((l) => l[0]), ['1', '2', '3', '4', '5']);
    assert.deepEqual(lines.map((l) => l[2]), Array(5).fill('Leopards'));
    for (const l of lines) assert.match(l[3], new RegExp(`^${server.url}/media/${fx.collection}/`));
  });

  it('a misspelled field fails tsc', async () => {
    assert.ok(example.includes('m.item.label'));
    const checked = await typecheck(example.replace('m.item.label', 'm.item.lable'));
    assert.equal(checked.ok, false);
    assert.match(checked.output, /TS2551: Property 'lable' does not exist/);
  });

  it('a misspelled error code fails tsc', async () => {
    assert.ok(example.includes("'BAD_IMAGE'"));
    const checked = await typecheck(example.replace("'BAD_IMAGE'", "'UNKOWN_ITEM'"));
    assert.equal(checked.ok, false);
    assert.match(checked.output, /TS2367: .*UNKOWN_ITEM/);
  });
});
