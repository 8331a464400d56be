/**
 * `imsearch models list|pull|verify|remove|import`: thin over the model store service
 * (model-store/). The store directory is the global --model-dir (env IMSEARCH_MODEL_DIR, default
 * ~/.cache/imsearch/models, see cli/config.ts); errors are thrown as ModelStoreErrors (code +
 * message) for the entry point to print. The store (and the models layer under it) and the
 * progress bar are loaded inside an action, so the rest of the CLI does not pay for them.
 */
import fsp from 'node:fs/promises';
import type { Command } from 'commander';
import type { ModelManifest } from '../models/index.js';
import type { DownloadProgress, HttpOptions, ModelListing, ModelStore, PullResult } from '../model-store/index.js';
import { ModelStoreError } from '../model-store/errors.js';
import { resolvePaths } from './config.js';

/** Where output goes and what the store may be told (tests inject these). */
export interface ModelsCliOptions {
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Draw a progress bar (default: stderr is a terminal). */
  tty?: boolean;
  env?: Record<string, string | undefined>;
  /** Store overrides: manifests instead of models/manifests, HTTP options (extra CA, timeouts). */
  manifests?: ModelManifest[];
  http?: HttpOptions;
}

function mb(bytes: number | null): string {
  return bytes === null ? '?' : `${(bytes / 1e6).toFixed(1)} MB`;
}

function short(sha: string | null): string {
  return sha ? `${sha.slice(0, 12)}…` : '-';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

function status(l: ModelListing): string {
  if (l.installed) return 'installed';
  if (l.partialBytes !== null) return l.bytes ? `partial ${Math.floor((100 * l.partialBytes) / l.bytes)}%` : `partial ${mb(l.partialBytes)}`;
  return l.downloadable ? 'available' : 'import only';
}

/** A progress display for one download: a bar on a terminal, a line every 5 s otherwise. */
async function progressDisplay(name: string, tty: boolean, err: (s: string) => void) {
  const cliProgress = tty ? (await import('cli-progress')).default : null;
  const bar = cliProgress
    ? new cliProgress.SingleBar(
        { format: `${name} [{bar}] {percentage}% | {done}/{all} | {speed} MB/s | eta {eta_formatted}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let running = false;
  let lastLine = 0;
  let t0 = performance.now();
  let startBytes = 0;
  return {
    update(p: DownloadProgress) {
      const now = performance.now();
      if (!running) {
        t0 = now;
        startBytes = p.received;
      }
      const speed = ((p.received - startBytes) / 1e6 / Math.max(1e-3, (now - t0) / 1000)).toFixed(1);
      const payload = { done: mb(p.received), all: mb(p.total), speed };
      if (bar && p.total !== null) {
        if (!running) bar.start(p.total, p.received, payload);
        else bar.update(p.received, payload);
        running = true;
        return;
      }
      running = true;
      if (now - lastLine > 5000 || (p.total !== null && p.received === p.total)) {
        lastLine = now;
        err(`${name}: ${mb(p.received)} of ${mb(p.total)} (${speed} MB/s)\n`);
      }
    },
    /** Stop drawing (before printing a message); the next update starts again. */
    pause() {
      if (bar && running) bar.stop();
      running = false;
    },
  };
}

function describePull(r: PullResult): string {
  if (r.status === 'already-installed') return `${r.name}: already installed and verified (${r.path}, sha256 ${short(r.sha256)})`;
  const how = r.recordedFirstDownload
    ? 'no published checksum'
    : r.sha256Source === 'published'
      ? 'published sha256 verified'
      : r.sha256Source === 'first-download'
        ? 'sha256 recorded at its first download verified'
        : 'sha256 recorded at import verified';
  const via = r.proxy ? ` via proxy ${r.proxy}` : '';
  const resumed = r.resumed ? ', resumed' : '';
  const lines = [`${r.name}: installed ${r.path} (${mb(r.bytes)}, ${how}${resumed}) from ${r.url}${via}`];
  if (r.recordedFirstDownload) {
    lines.push(
      `${r.name}: no checksum is published for this model: recorded sha256 ${r.sha256} from this first download.`,
      `${r.name}: later downloads of ${r.name} must have this sha256 (kept in the store's .hashes.json); compare it with a trusted copy if you can.`,
    );
  }
  return lines.join('\n');
}

/** Adds `models list|pull|verify|remove|import` to the program. */
export function registerModelsCommands(program: Command, options: ModelsCliOptions = {}): Command {
  const out = options.out ?? ((s: string) => void process.stdout.write(s));
  const err = options.err ?? ((s: string) => void process.stderr.write(s));
  const env = options.env ?? process.env;
  const hasGlobalDir = program.options.some((o) => o.long === '--model-dir');

  const models = program.command('models').description('the model store: list, pull (verified, resumable downloads), verify, remove, import');
  if (!hasGlobalDir) models.option('--model-dir <dir>', 'model store directory (env IMSEARCH_MODEL_DIR, default ~/.cache/imsearch/models)');

  const storeFor = async (cmd: Command): Promise<ModelStore> => {
    const flags = cmd.optsWithGlobals() as { modelDir?: string };
    const { ModelStore } = await import('../model-store/store.js');
    return new ModelStore({
      dir: resolvePaths({ modelDir: flags.modelDir ?? env.IMSEARCH_MODEL_DIR }).modelDir,
      ...(options.manifests ? { manifests: options.manifests } : {}),
      http: { env, ...options.http },
    });
  };

  models
    .command('list')
    .description('models known to the store: installed or not, size, licence, checksum source')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const store = await storeFor(cmd);
      const cat = await store.catalog();
      for (const w of cat.warnings) err(`warning: ${w}\n`);
      const list = await store.list();
      if (o.json) {
        out(`${JSON.stringify({ dir: store.dir, models: list }, null, 2)}\n`);
        return;
      }
      const rows = [['NAME', 'STATUS', 'SIZE', 'LICENCE', 'CHECKSUM', 'SHA256']];
      for (const l of list) rows.push([l.name, status(l), mb(l.bytes), l.licence, l.sha256Source ?? 'none yet', short(l.sha256)]);
      out(`model store: ${store.dir}\n${table(rows)}\n`);
    });

  models
    .command('pull')
    .description('download models, verify their sha256 and install them (resumes interrupted downloads)')
    .argument('<names...>', 'model names (see `imsearch models list`)')
    .option('--base-url <url>', 'pull from this site mirror instead of the manifest URLs (repeatable; "{file}" is replaced by the file name, else it is appended; env IMSEARCH_MODEL_BASE_URL)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--with-upstream', 'with --base-url: try the manifest URLs after the mirrors')
    .option('--force', 'download again even when a verified file is installed')
    .option('--no-progress', 'no progress bar')
    .action(async (names: string[], o: { baseUrl: string[]; withUpstream?: boolean; force?: boolean; progress: boolean }, cmd: Command) => {
      const store = await storeFor(cmd);
      const { baseUrlsFromEnv } = await import('../model-store/store.js');
      const baseUrls = o.baseUrl.length ? o.baseUrl : baseUrlsFromEnv(env);
      const failures: string[] = [];
      for (const name of names) {
        const display = await progressDisplay(name, o.progress && (options.tty ?? Boolean(process.stderr.isTTY)), err);
        try {
          const r = await store.pull(name, {
            baseUrls,
            ...(o.withUpstream ? { withUpstream: true } : {}),
            ...(o.force ? { force: true } : {}),
            onProgress: (p) => display.update(p),
            onEvent: (msg) => {
              display.pause();
              err(`${name}: ${msg}\n`);
            },
          });
          display.pause();
          out(`${describePull(r)}\n`);
        } catch (e) {
          display.pause();
          if (names.length === 1) throw e;
          failures.push((e as Error).message);
          err(`${name}: ${(e as Error).message}\n`);
        }
      }
      if (failures.length) throw new ModelStoreError('MODEL_DOWNLOAD_FAILED', `${failures.length} of ${names.length} models could not be pulled (see above).`);
    });

  models
    .command('verify')
    .description('re-hash installed model files against their published or recorded sha256')
    .argument('[names...]', 'model names (default: every known model that is installed)')
    .option('--json', 'print JSON')
    .action(async (names: string[], o: { json?: boolean }, cmd: Command) => {
      const store = await storeFor(cmd);
      const results = await store.verify(names);
      const shown = names.length ? results : results.filter((r) => r.status !== 'missing');
      if (o.json) out(`${JSON.stringify({ dir: store.dir, results: shown }, null, 2)}\n`);
      else if (!shown.length) out(`no installed models in ${store.dir}\n`);
      else for (const r of shown) out(`${(r.status === 'ok' ? 'ok' : r.status.toUpperCase()).padEnd(13)}${r.message}\n`);
      const bad = shown.filter((r) => r.status !== 'ok');
      if (bad.length) {
        const code = bad.some((r) => r.status === 'mismatch') ? 'MODEL_CORRUPT' : 'MODEL_MISSING';
        throw new ModelStoreError(code, `${bad.length} model file(s) failed verification: ${bad.map((r) => r.name).join(', ')}`);
      }
    });

  models
    .command('remove')
    .description('delete an installed model (the sha256 recorded at its first download is kept unless --forget-hash)')
    .argument('<name>', 'model name')
    .option('--forget-hash', 'also forget the recorded sha256 (the next download is trusted anew)')
    .action(async (name: string, o: { forgetHash?: boolean }, cmd: Command) => {
      const store = await storeFor(cmd);
      const r = await store.remove(name, { forgetHash: o.forgetHash === true });
      if (!r.removed.length) out(`${name}: nothing installed in ${store.dir}\n`);
      for (const f of r.removed) out(`removed ${f}\n`);
      if (r.forgotHash) out(`${name}: recorded sha256 forgotten\n`);
    });

  models
    .command('import')
    .description('copy a local ONNX file into the store, with your own manifest or for a known model; its sha256 is recorded')
    .argument('<file>', 'the .onnx file')
    .option('--manifest <json>', 'a manifest you wrote (validated and checked against the graph)')
    .option('--name <model>', 'import the file for this known model instead (a published sha256 must match)')
    .option('--force', 'replace an earlier import of the same name')
    .action(async (file: string, o: { manifest?: string; name?: string; force?: boolean }, cmd: Command) => {
      const store = await storeFor(cmd);
      let manifest: unknown;
      if (o.manifest) {
        let text: string;
        try {
          text = await fsp.readFile(o.manifest, 'utf8');
        } catch (e) {
          throw new ModelStoreError('BAD_MANIFEST', `Cannot read manifest ${o.manifest}: ${(e as Error).message}`);
        }
        const { parseManifestJson } = await import('../model-store/store.js');
        manifest = parseManifestJson(text, o.manifest);
      }
      const r = await store.importFile(file, {
        ...(manifest !== undefined ? { manifest, manifestLabel: o.manifest! } : {}),
        ...(o.name !== undefined ? { name: o.name } : {}),
        ...(o.force ? { force: true } : {}),
      });
      for (const w of r.warnings) err(`warning: ${w}\n`);
      out(`${r.name}: imported ${r.path} (${mb(r.bytes)}, sha256 ${r.sha256} recorded)${r.manifestPath ? `; manifest saved as ${r.manifestPath}` : ''}\n`);
    });

  return models;
}
