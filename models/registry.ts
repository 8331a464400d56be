/**
 * The model registry: manifests are plain JSON in models/manifests/, checked on load; model files
 * live in a model store directory chosen by the caller (a flag, or IMSEARCH_MODEL_DIR) and are
 * verified against the manifest's sha256 before a session is created from the verified bytes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from './errors.js';
import type { ModelManifest } from './manifest.js';
import { expectedSha256 } from './store/store.js';

export const MODEL_DIR_ENV = 'IMSEARCH_MODEL_DIR';

/**
 * models/manifests of the repository. Compiled code lives in <outDir>/models/, two levels below the
 * repository root, so `../../models/manifests/` resolves from any dist*; running the sources
 * directly (a TS loader) finds `./manifests/` next to this file.
 */
export function defaultManifestsDir(): string {
  const candidates = [new URL('../../models/manifests/', import.meta.url), new URL('./manifests/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (fs.existsSync(dir)) return dir;
  }
  return fileURLToPath(candidates[0]);
}

const cache = new Map<string, ModelManifest[]>();

/** All manifests in `dir` (default: the repository's models/manifests), sorted by name. */
export function listManifests(dir: string = defaultManifestsDir()): ModelManifest[] {
  const hit = cache.get(dir);
  if (hit) return hit;
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch (err) {
    throw new ModelError('bad-manifest', `Cannot read the model manifest directory ${dir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const manifests = names.map((f) => {
    const file = path.join(dir, f);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ModelError('bad-manifest', `Model manifest ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    const m = parseManifest(json, file);
    if (`${m.name}.json` !== f) throw new ModelError('bad-manifest', `Model manifest ${file} names "${m.name}": the file must be ${m.name}.json`);
    return m;
  });
  manifests.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  cache.set(dir, manifests);
  return manifests;
}

/** The manifest called `name`; a ModelError('unknown-model') listing the known names otherwise. */
export function getManifest(name: string, dir?: string): ModelManifest {
  const all = listManifests(dir);
  const m = all.find((x) => x.name === name);
  if (!m) {
    throw new ModelError('unknown-model', `Unknown model "${name}". Known models: ${all.map((x) => x.name).join(', ') || '(none)'}.`);
  }
  return m;
}

/** The model store directory: the explicit value (a flag) first, then IMSEARCH_MODEL_DIR. */
export function resolveModelDir(explicit?: string | null, env: NodeJS.ProcessEnv = process.env): string {
  const dir = explicit ?? env[MODEL_DIR_ENV];
  if (!dir) {
    throw new ModelError('no-model-dir', `No model directory: pass one (--model-dir) or set ${MODEL_DIR_ENV} to the folder holding the .onnx files.`);
  }
  return path.resolve(dir);
}

export function modelFilePath(manifest: ModelManifest, modelDir: string): string {
  return path.join(modelDir, manifest.file);
}

/** One sentence on how to obtain a model's file, for error messages (the model store's CLI). */
export function howToGet(manifest: ModelManifest, modelDir: string): string {
  const source = manifest.source ? ` (source: ${manifest.source})` : '';
  const importIt = `imsearch models import <file.onnx> --name ${manifest.name} --model-dir ${modelDir}`;
  return manifest.urls.length
    ? `To get it: imsearch models pull ${manifest.name} --model-dir ${modelDir} (downloads from ${manifest.urls.join(' or ')} and verifies it), or ${importIt}${source}.`
    : `To get it: ${importIt}, with ${manifest.file} from the offline model folder it ships in${source}.`;
}

export interface VerifiedModelFile {
  path: string;
  /** sha256 of the bytes actually read (equal to the manifest's when it publishes one). */
  sha256: string;
  bytes: number;
  /** The verified bytes: create the session from these, not from the path, so what runs is what was checked. */
  data: Uint8Array;
}

/**
 * Reads the model file from the store directory and checks it against the manifest's sha256, or,
 * when none is published, the one the model store recorded at the first download / import (no
 * record: refused). Missing file, mismatches and unverifiable files are ModelErrors naming the
 * model, the path, expected vs actual, and how to get the file.
 */
export async function verifyModelFile(manifest: ModelManifest, modelDir: string): Promise<VerifiedModelFile> {
  const file = modelFilePath(manifest, modelDir);
  let data: Buffer;
  try {
    data = await fsp.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (err as Error).message})`;
    throw new ModelError('model-missing', `Model "${manifest.name}": file ${file} ${what}. ${howToGet(manifest, modelDir)}`, {
      cause: err,
    });
  }
  const sha256 = createHash('sha256').update(data).digest('hex');
  const expected = manifest.sha256 ?? (await expectedSha256(modelDir, manifest))?.sha256 ?? null;
  if (expected === null) {
    throw new ModelError(
      'model-unverified',
      `Model "${manifest.name}": file ${file} has sha256 ${sha256}, but no checksum is published for it and the model store ` +
        `recorded none (the file was not pulled or imported through it), so it cannot be trusted. ${howToGet(manifest, modelDir)}`,
    );
  }
  const sizeBad = manifest.bytes !== null && manifest.bytes !== data.length;
  const hashBad = expected !== sha256;
  if (sizeBad || hashBad) {
    throw new ModelError(
      'model-corrupt',
      `Model "${manifest.name}": file ${file} does not match its manifest: ` +
        `expected sha256 ${expected} (${manifest.bytes ?? '?'} bytes), ` +
        `actual sha256 ${sha256} (${data.length} bytes). The file is damaged or a different version: ` +
        `delete it and get it again. ${howToGet(manifest, modelDir)}`,
    );
  }
  return { path: file, sha256, bytes: data.length, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

// ---------------------------------------------------------------------------------------------
// Manifest validation: plain data in, a typed manifest or one clear error out.

type Json = Record<string, unknown>;

export function parseManifest(json: unknown, source = 'manifest'): ModelManifest {
  const fail = (field: string, want: string, got: unknown): never => {
    throw new ModelError('bad-manifest', `Model manifest ${source}: expected ${want} for "${field}" but received ${JSON.stringify(got)}`);
  };
  const obj = (v: unknown, field: string): Json =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : fail(field, 'an object', v);
  const str = (v: unknown, field: string): string => (typeof v === 'string' && v.length > 0 ? v : fail(field, 'a non-empty string', v));
  const posInt = (v: unknown, field: string): number =>
    typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fail(field, 'a positive integer', v);
  const posNum = (v: unknown, field: string): number =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fail(field, 'a positive number', v);
  const triple = (v: unknown, field: string, positive: boolean): [number, number, number] =>
    Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))
      ? [v[0], v[1], v[2]]
      : fail(field, `an array of 3 ${positive ? 'positive ' : ''}numbers`, v);
  const oneOf = <T extends string>(v: unknown, field: string, allowed: readonly T[]): T =>
    allowed.includes(v as T) ? (v as T) : fail(field, `one of ${allowed.join(' | ')}`, v);

  const m = obj(json, '(root)');
  const name = str(m.name, 'name');
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) fail('name', 'lower-case letters, digits, ".", "_" or "-"', name);
  const file = str(m.file, 'file');
  if (file !== path.basename(file)) fail('file', 'a bare file name (no directories)', file);
  const sha256 = m.sha256 === null ? null : str(m.sha256, 'sha256');
  if (sha256 !== null && !/^[0-9a-f]{64}$/.test(sha256)) fail('sha256', '64 lower-case hex digits or null', sha256);
  const bytes = m.bytes === null ? null : posInt(m.bytes, 'bytes');

  const input = obj(m.input, 'input');
  const pre = obj(m.preprocess, 'preprocess');
  const output = obj(m.output, 'output');
  const manifest: ModelManifest = {
    name,
    description: typeof m.description === 'string' ? m.description : '',
    file,
    sha256,
    bytes,
    input: {
      name: str(input.name, 'input.name'),
      dtype: oneOf(input.dtype, 'input.dtype', ['float32', 'uint8'] as const),
      batch: input.batch === null ? null : posInt(input.batch, 'input.batch'),
      height: posInt(input.height, 'input.height'),
      width: posInt(input.width, 'input.width'),
    },
    preprocess: {
      resize: oneOf(pre.resize, 'preprocess.resize', ['shorter', 'exact'] as const),
      size: posInt(pre.size, 'preprocess.size'),
      kernel: oneOf(pre.kernel, 'preprocess.kernel', ['bilinear', 'bicubic', 'bilinear-antialias'] as const),
      centreCrop: typeof pre.centreCrop === 'boolean' ? pre.centreCrop : fail('preprocess.centreCrop', 'a boolean', pre.centreCrop),
      scale: posNum(pre.scale, 'preprocess.scale'),
      mean: triple(pre.mean, 'preprocess.mean', false),
      std: triple(pre.std, 'preprocess.std', true),
    },
    output: {
      name: str(output.name, 'output.name'),
      dim: posInt(output.dim, 'output.dim'),
    },
    licence: str(m.licence, 'licence'),
    urls: Array.isArray(m.urls) ? m.urls.map((u, i) => str(u, `urls[${i}]`)) : fail('urls', 'an array of strings', m.urls),
  };
  if (output.expose !== undefined) {
    const e = obj(output.expose, 'output.expose');
    const expose: NonNullable<ModelManifest['output']['expose']> = {};
    if (e.dequantize !== undefined) {
      const dq = obj(e.dequantize, 'output.expose.dequantize');
      expose.dequantize = { scale: str(dq.scale, 'output.expose.dequantize.scale'), zeroPoint: str(dq.zeroPoint, 'output.expose.dequantize.zeroPoint') };
    }
    if (e.tensor !== undefined) expose.tensor = str(e.tensor, 'output.expose.tensor');
    if (e.from !== undefined) {
      const f = obj(e.from, 'output.expose.from');
      expose.from = { op: str(f.op, 'output.expose.from.op'), port: oneOf(f.port, 'output.expose.from.port', ['input', 'output'] as const) };
      if (f.index !== undefined) {
        expose.from.index = typeof f.index === 'number' && Number.isInteger(f.index) && f.index >= 0 ? f.index : fail('output.expose.from.index', 'a non-negative integer', f.index);
      }
      if (f.domain !== undefined) expose.from.domain = typeof f.domain === 'string' ? f.domain : fail('output.expose.from.domain', 'a string', f.domain);
      if (f.occurrence !== undefined) expose.from.occurrence = oneOf(f.occurrence, 'output.expose.from.occurrence', ['first', 'last'] as const);
    }
    if (expose.tensor !== undefined && expose.from !== undefined) fail('output.expose', 'at most one of "tensor" and "from"', e);
    const bool = (v: unknown, field: string): boolean => (typeof v === 'boolean' ? v : fail(field, 'a boolean', v));
    if (e.flatten !== undefined) expose.flatten = bool(e.flatten, 'output.expose.flatten');
    if (e.keepOutputs !== undefined) expose.keepOutputs = bool(e.keepOutputs, 'output.expose.keepOutputs');
    manifest.output.expose = expose;
  }
  if (m.sha256Source !== undefined) manifest.sha256Source = oneOf(m.sha256Source, 'sha256Source', ['published', 'first-download', 'imported'] as const);
  if (m.source !== undefined) manifest.source = str(m.source, 'source');
  if (m.citation !== undefined) manifest.citation = str(m.citation, 'citation');

  const { resize, size, centreCrop } = manifest.preprocess;
  const { height, width } = manifest.input;
  if (resize === 'exact' && centreCrop) fail('preprocess.centreCrop', 'false when resize is "exact"', centreCrop);
  if (resize === 'exact' && size !== height && size !== width) fail('preprocess.size', `the input size (${height}) when resize is "exact"`, size);
  // A batch needs one tensor shape: a shorter-side resize keeps the aspect ratio, so it needs the crop.
  if (resize === 'shorter' && !centreCrop) fail('preprocess.centreCrop', 'true when resize is "shorter"', centreCrop);
  if (resize === 'shorter' && centreCrop && size < Math.max(height, width)) {
    fail('preprocess.size', `at least the crop size ${Math.max(height, width)}`, size);
  }
  return manifest;
}
