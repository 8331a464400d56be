/**
 * A model manifest is plain data (models/manifests/*.json, or imported into a model directory):
 * everything needed to fetch, verify, load and feed one embedder. One generic preprocessor applies
 * it (decode -> RGB -> crop step -> resize -> centre crop -> scale -> normalise), so adding a model
 * never means adding code. This module holds the contract and its one validator.
 */
import { ModelError } from '../errors.js';

/**
 * Resampling filter, with PIL / torchvision-on-PIL semantics: the filter support widens with the
 * scale factor when downscaling (antialiased), and is the plain 2-tap (bilinear) or 4-tap
 * Catmull-Rom (bicubic, a = -0.5) interpolator when upscaling, with pixel centres at +0.5.
 * 'bilinear-antialias' names torch's `antialias=True` tensor resize, which is the same filter.
 */
export type ResizeKernel = 'bilinear' | 'bicubic' | 'bilinear-antialias';

export interface ModelManifest {
  /** Registry id used on the command line, in collections and in the API, e.g. "mobilenetv2-int8". */
  name: string;
  description: string;
  /** File name inside the model store directory. */
  file: string;
  /** Expected sha256 of the file; null when no checksum is published (recorded on first download). */
  sha256: string | null;
  /**
   * Where the file's identity comes from: a checksum published by its authors, one recorded by the
   * model store on the first download (sha256 null here; later downloads must match the record),
   * or one computed when the file was imported from disk. Absent: "published" if sha256 is set.
   */
  sha256Source?: 'published' | 'first-download' | 'imported';
  bytes: number | null;
  input: {
    name: string;
    /** Element type fed to the graph: float32 normalised, or uint8 0-255 when normalisation is in-graph. */
    dtype: 'float32' | 'uint8';
    /** Fixed batch size of the export, or null when the batch dimension is dynamic. */
    batch: number | null;
    height: number;
    width: number;
  };
  preprocess: {
    /** "shorter": scale the shorter side to `size` keeping aspect; "exact": straight to height x width. */
    resize: 'shorter' | 'exact';
    size: number;
    kernel: ResizeKernel;
    /** Centre crop to input height x width after resizing (false when the resize already gives it). */
    centreCrop: boolean;
    /** Multiplier applied to 0-255 values before mean/std (1/255 usually). */
    scale: number;
    mean: [number, number, number];
    std: [number, number, number];
  };
  output: {
    /** Graph output holding the embedding. */
    name: string;
    dim: number;
    /**
     * When set, `name` is an internal tensor of the graph, exposed as an extra output at load time
     * (an ONNX graph edit), optionally dequantized with the named scale / zero-point initialisers.
     */
    expose?: {
      dequantize?: { scale: string; zeroPoint: string };
      /**
       * The internal tensor, when it differs from `name` (then `name` is the new output's name).
       * Absent: `name` itself is the internal tensor (after dequantize / flatten the graph output
       * under `name` holds the final values; the internal one is renamed).
       */
      tensor?: string;
      /**
       * Locate the tensor by graph structure instead of by name, e.g. the output of the last
       * GlobalAveragePool node: { op: 'GlobalAveragePool', port: 'output' }. `name` is then the
       * new output's name. Resolved at load time by models/graph-edit.ts.
       */
      from?: { op: string; port: 'input' | 'output'; index?: number; domain?: string; occurrence?: 'last' | 'first' };
      /** Flatten to [N, D] (e.g. a pooled [N, D, 1, 1] tensor). */
      flatten?: boolean;
      /** Keep the model's other outputs (default: drop them and the nodes only they feed). */
      keepOutputs?: boolean;
    };
  };
  licence: string;
  /** Where the weights come from, in words (publisher, conversion steps); shown in "how to get it" errors. */
  source?: string;
  /** Download locations, tried in order; empty for models that are only copied in. */
  urls: string[];
  citation?: string;
}

// ---------------------------------------------------------------------------------------------
// The one validator: every problem is collected (not just the first), each as
// "<field>: expected <what>, received <value>"; unknown fields are warnings (typos?) and are not
// carried into the manifest.

export interface ManifestCheck {
  /** The manifest (known fields only) when there are no problems. */
  manifest: ModelManifest | null;
  problems: string[];
  warnings: string[];
}

type Obj = Record<string, unknown>;

/** The known fields, nested: a key maps to null (a value) or to its object's own fields. */
type Shape = { [key: string]: Shape | null };
const FROM: Shape = { op: null, port: null, index: null, domain: null, occurrence: null };
const EXPOSE: Shape = { dequantize: { scale: null, zeroPoint: null }, tensor: null, from: FROM, flatten: null, keepOutputs: null };
const SHAPE: Shape = {
  name: null,
  description: null,
  file: null,
  sha256: null,
  sha256Source: null,
  bytes: null,
  input: { name: null, dtype: null, batch: null, height: null, width: null },
  preprocess: { resize: null, size: null, kernel: null, centreCrop: null, scale: null, mean: null, std: null },
  output: { name: null, dim: null, expose: EXPOSE },
  licence: null,
  source: null,
  urls: null,
  citation: null,
};

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The known fields of `o` (recursively), and a warning for each other one. */
function known(o: Obj, shape: Shape, where: string, warnings: string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (!Object.hasOwn(shape, k)) warnings.push(`${where}${k}: unknown field (ignored)`);
    else if (v === undefined) continue;
    else out[k] = shape[k] && isObj(v) ? known(v, shape[k], `${where}${k}.`, warnings) : v;
  }
  return out;
}

export function validateManifest(json: unknown): ManifestCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const bad = (field: string, want: string, got: unknown) => problems.push(`${field}: expected ${want}, received ${show(got)}`);
  const str = (o: Obj, k: string, where: string, optional = false) => {
    const v = o[k];
    if (optional && v === undefined) return;
    if (typeof v !== 'string' || v.trim() === '') bad(`${where}${k}`, 'a non-empty string', v);
  };
  const posInt = (o: Obj, k: string, where: string, nullable = false) => {
    const v = o[k];
    if (nullable && v === null) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) bad(`${where}${k}`, `a positive integer${nullable ? ' or null' : ''}`, v);
  };
  const oneOf = (o: Obj, k: string, where: string, allowed: readonly unknown[], optional = false) => {
    const v = o[k];
    if (optional && v === undefined) return;
    if (!allowed.includes(v)) bad(`${where}${k}`, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, v);
  };
  const bool = (o: Obj, k: string, where: string, optional = false) => {
    const v = o[k];
    if (optional && v === undefined) return;
    if (typeof v !== 'boolean') bad(`${where}${k}`, 'true or false', v);
  };
  const triple = (o: Obj, k: string, where: string, positive: boolean) => {
    const v = o[k];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))) {
      bad(`${where}${k}`, `3 ${positive ? 'positive ' : ''}numbers (R, G, B)`, v);
    }
  };

  if (!isObj(json)) {
    bad('manifest', 'a JSON object', json);
    return { manifest: null, problems, warnings };
  }
  const m = known(json, SHAPE, '', warnings);
  str(m, 'name', '');
  if (typeof m.name === 'string' && m.name && !/^[a-z0-9][a-z0-9._-]*$/.test(m.name)) {
    bad('name', 'lower-case letters, digits, ".", "_" or "-" (it is used on the command line and in file names)', m.name);
  }
  if (m.description !== undefined && typeof m.description !== 'string') bad('description', 'a string', m.description);
  str(m, 'file', '');
  if (typeof m.file === 'string' && m.file && (/[/\\]/.test(m.file) || m.file.startsWith('.'))) {
    bad('file', 'a bare file name (no directories, not starting with ".")', m.file);
  }
  if (m.sha256 !== null && (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256))) {
    bad('sha256', '64 lower-case hex digits, or null when no checksum is published', m.sha256);
  }
  oneOf(m, 'sha256Source', '', ['published', 'first-download', 'imported'], true);
  if (m.sha256Source === 'published' && m.sha256 === null) bad('sha256', 'a checksum when sha256Source is "published"', m.sha256);
  posInt(m, 'bytes', '', true);

  if (!isObj(m.input)) bad('input', 'an object { name, dtype, batch, height, width }', m.input);
  else {
    const i = m.input;
    str(i, 'name', 'input.');
    oneOf(i, 'dtype', 'input.', ['float32', 'uint8']);
    posInt(i, 'batch', 'input.', true);
    posInt(i, 'height', 'input.');
    posInt(i, 'width', 'input.');
  }

  if (!isObj(m.preprocess)) bad('preprocess', 'an object { resize, size, kernel, centreCrop, scale, mean, std }', m.preprocess);
  else {
    const p = m.preprocess;
    oneOf(p, 'resize', 'preprocess.', ['shorter', 'exact']);
    posInt(p, 'size', 'preprocess.');
    oneOf(p, 'kernel', 'preprocess.', ['bilinear', 'bicubic', 'bilinear-antialias']);
    bool(p, 'centreCrop', 'preprocess.');
    if (typeof p.scale !== 'number' || !Number.isFinite(p.scale) || p.scale <= 0) bad('preprocess.scale', 'a positive number (1/255 is 0.00392156862745098)', p.scale);
    triple(p, 'mean', 'preprocess.', false);
    triple(p, 'std', 'preprocess.', true);
    if (isObj(m.input)) checkGeometry(p, m.input, bad);
  }

  if (!isObj(m.output)) bad('output', 'an object { name, dim, expose? }', m.output);
  else {
    const o = m.output;
    str(o, 'name', 'output.');
    posInt(o, 'dim', 'output.');
    if (o.expose !== undefined) {
      if (!isObj(o.expose)) bad('output.expose', 'an object', o.expose);
      else {
        const e = o.expose;
        if (e.dequantize !== undefined) {
          if (!isObj(e.dequantize)) bad('output.expose.dequantize', 'an object { scale, zeroPoint }', e.dequantize);
          else {
            str(e.dequantize, 'scale', 'output.expose.dequantize.');
            str(e.dequantize, 'zeroPoint', 'output.expose.dequantize.');
          }
        }
        str(e, 'tensor', 'output.expose.', true);
        if (e.from !== undefined) {
          if (!isObj(e.from)) bad('output.expose.from', 'an object { op, port, index?, domain?, occurrence? }', e.from);
          else {
            const f = e.from;
            str(f, 'op', 'output.expose.from.');
            oneOf(f, 'port', 'output.expose.from.', ['input', 'output']);
            if (f.index !== undefined && (typeof f.index !== 'number' || !Number.isInteger(f.index) || f.index < 0)) {
              bad('output.expose.from.index', 'a non-negative integer', f.index);
            }
            if (f.domain !== undefined && typeof f.domain !== 'string') bad('output.expose.from.domain', 'a string', f.domain);
            oneOf(f, 'occurrence', 'output.expose.from.', ['last', 'first'], true);
          }
          if (e.tensor !== undefined) bad('output.expose', 'either "tensor" or "from", not both', { tensor: e.tensor, from: e.from });
        }
        bool(e, 'flatten', 'output.expose.', true);
        bool(e, 'keepOutputs', 'output.expose.', true);
      }
    }
  }

  str(m, 'licence', '');
  if (!Array.isArray(m.urls)) bad('urls', 'an array of http(s) URLs (may be empty)', m.urls);
  else {
    m.urls.forEach((u, i) => {
      if (!isHttpUrl(u)) bad(`urls[${i}]`, 'an http or https URL', u);
    });
  }
  str(m, 'citation', '', true);
  str(m, 'source', '', true);

  if (problems.length) return { manifest: null, problems, warnings };
  return { manifest: { description: '', ...m } as unknown as ModelManifest, problems, warnings };
}

function isHttpUrl(u: unknown): boolean {
  try {
    return typeof u === 'string' && ['http:', 'https:'].includes(new URL(u).protocol);
  } catch {
    return false;
  }
}

/**
 * Resize and crop must give every image the input's height x width: a batch needs one tensor
 * shape, and a shorter-side resize keeps the aspect ratio, so it needs the centre crop.
 */
function checkGeometry(p: Obj, input: Obj, bad: (field: string, want: string, got: unknown) => void): void {
  const height = Number(input.height) || 0;
  const width = Number(input.width) || 0;
  if (p.resize === 'exact') {
    if (p.centreCrop === true) bad('preprocess.centreCrop', 'false when resize is "exact"', p.centreCrop);
    if (typeof p.size === 'number' && p.size !== height && p.size !== width) bad('preprocess.size', `the input size (${height}) when resize is "exact"`, p.size);
  }
  if (p.resize === 'shorter') {
    if (p.centreCrop === false) bad('preprocess.centreCrop', 'true when resize is "shorter"', p.centreCrop);
    const need = Math.max(height, width);
    if (typeof p.size === 'number' && p.size < need) bad('preprocess.size', `at least the crop size ${need} (the shorter side is resized to it, then centre-cropped)`, p.size);
  }
}

/** The manifest, or a ModelError(BAD_MANIFEST) listing every problem; `source` names it in the message. */
export function parseManifest(json: unknown, source = 'manifest'): ModelManifest {
  const check = validateManifest(json);
  if (!check.manifest) throw new ModelError('BAD_MANIFEST', `Invalid manifest ${source}:\n${check.problems.map((p) => `  - ${p}`).join('\n')}`);
  return check.manifest;
}
