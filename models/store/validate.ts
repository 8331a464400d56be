/**
 * Manifest validation for the store: every problem is collected (not just the first), each as
 * "<field>: expected <what>, received <value>", and a model file can be checked against its
 * manifest (input name, element type and dims; the output or the tensor to expose).
 */
import { elemTypeName, exposeTensor, GraphEditError, inspectModel, type Dim, type TensorInfo } from '../graph-edit.js';
import { exposeSpecOf } from '../graph-edit.js';
import type { ModelManifest } from '../manifest.js';

export interface ManifestCheck {
  /** The manifest when there are no problems. */
  manifest: ModelManifest | null;
  problems: string[];
  /** Not fatal: unknown fields (typos?). */
  warnings: string[];
}

type Obj = Record<string, unknown>;

const TOP = ['name', 'description', 'file', 'sha256', 'sha256Source', 'bytes', 'input', 'preprocess', 'output', 'licence', 'urls', 'citation', 'source'];
const INPUT = ['name', 'dtype', 'batch', 'height', 'width'];
const PRE = ['resize', 'size', 'kernel', 'centreCrop', 'scale', 'mean', 'std'];
const OUTPUT = ['name', 'dim', 'expose'];
const EXPOSE = ['dequantize', 'tensor', 'from', 'flatten', 'keepOutputs'];
const FROM = ['op', 'port', 'index', 'domain', 'occurrence'];

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function validateManifest(json: unknown): ManifestCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const bad = (field: string, want: string, got: unknown) => problems.push(`${field}: expected ${want}, received ${show(got)}`);
  const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  const unknownKeys = (o: Obj, known: string[], where: string) => {
    for (const k of Object.keys(o)) if (!known.includes(k)) warnings.push(`${where}${k}: unknown field (ignored)`);
  };
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
  const m = json;
  unknownKeys(m, TOP, '');
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
    unknownKeys(i, INPUT, 'input.');
    str(i, 'name', 'input.');
    oneOf(i, 'dtype', 'input.', ['float32', 'uint8']);
    posInt(i, 'batch', 'input.', true);
    posInt(i, 'height', 'input.');
    posInt(i, 'width', 'input.');
  }

  if (!isObj(m.preprocess)) bad('preprocess', 'an object { resize, size, kernel, centreCrop, scale, mean, std }', m.preprocess);
  else {
    const p = m.preprocess;
    unknownKeys(p, PRE, 'preprocess.');
    oneOf(p, 'resize', 'preprocess.', ['shorter', 'exact']);
    posInt(p, 'size', 'preprocess.');
    oneOf(p, 'kernel', 'preprocess.', ['bilinear', 'bicubic', 'bilinear-antialias']);
    bool(p, 'centreCrop', 'preprocess.');
    if (typeof p.scale !== 'number' || !Number.isFinite(p.scale) || p.scale <= 0) bad('preprocess.scale', 'a positive number (1/255 is 0.00392156862745098)', p.scale);
    triple(p, 'mean', 'preprocess.', false);
    triple(p, 'std', 'preprocess.', true);
    if (isObj(m.input) && p.resize === 'shorter' && p.centreCrop === true && typeof p.size === 'number') {
      const need = Math.max(Number(m.input.height) || 0, Number(m.input.width) || 0);
      if (p.size < need) bad('preprocess.size', `at least the crop size ${need} (the shorter side is resized to it, then centre-cropped)`, p.size);
    }
  }

  if (!isObj(m.output)) bad('output', 'an object { name, dim, expose? }', m.output);
  else {
    const o = m.output;
    unknownKeys(o, OUTPUT, 'output.');
    str(o, 'name', 'output.');
    posInt(o, 'dim', 'output.');
    if (o.expose !== undefined) {
      if (!isObj(o.expose)) bad('output.expose', 'an object', o.expose);
      else {
        const e = o.expose;
        unknownKeys(e, EXPOSE, 'output.expose.');
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
            unknownKeys(f, FROM, 'output.expose.from.');
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
      let ok = false;
      try {
        ok = typeof u === 'string' && ['http:', 'https:'].includes(new URL(u).protocol);
      } catch {
        ok = false;
      }
      if (!ok) bad(`urls[${i}]`, 'an http or https URL', u);
    });
  }
  str(m, 'citation', '', true);
  str(m, 'source', '', true);

  return { manifest: problems.length ? null : (m as unknown as ModelManifest), problems, warnings };
}

function dimText(d: Dim): string {
  return d === null ? '?' : String(d);
}

function shapeText(info: TensorInfo): string {
  return info.dims ? `[${info.dims.map(dimText).join(', ')}]` : '[unknown shape]';
}

/**
 * Problems between a model file and its manifest: the input (name, element type, rank 4, 3
 * channels, height, width, a fixed batch), and the embedding output (a graph output of dim D, or
 * a tensor the graph edit can expose).
 */
export function checkModelAgainstManifest(manifest: ModelManifest, bytes: Uint8Array): string[] {
  const problems: string[] = [];
  let summary;
  try {
    summary = inspectModel(bytes);
  } catch (e) {
    return [`the file is not a readable ONNX model: ${(e as Error).message}`];
  }
  const input = summary.inputs.find((i) => i.name === manifest.input.name);
  const realInputs = summary.inputs.filter((i) => !summary.initializers.has(i.name));
  if (!input) {
    problems.push(`input.name: the model has no input "${manifest.input.name}" (inputs: ${realInputs.map((i) => `${i.name} ${shapeText(i)}`).join(', ') || 'none'})`);
  } else {
    const want = manifest.input.dtype === 'uint8' ? 2 : 1;
    if (input.elemType !== undefined && input.elemType !== want) {
      problems.push(`input.dtype: the model's input "${input.name}" is ${elemTypeName(input.elemType)}, the manifest says ${manifest.input.dtype}`);
    }
    const dims = input.dims;
    if (dims) {
      if (dims.length !== 4) problems.push(`input: the model's input "${input.name}" has rank ${dims.length} ${shapeText(input)}, expected 4 (N, 3, H, W)`);
      else {
        const [n, c, h, w] = dims;
        if (typeof c === 'number' && c !== 3) problems.push(`input: the model's input "${input.name}" has ${c} channels, expected 3`);
        if (typeof h === 'number' && h !== manifest.input.height) problems.push(`input.height: the model takes height ${h}, the manifest says ${manifest.input.height}`);
        if (typeof w === 'number' && w !== manifest.input.width) problems.push(`input.width: the model takes width ${w}, the manifest says ${manifest.input.width}`);
        if (typeof n === 'number' && n > 0 && manifest.input.batch !== n) {
          problems.push(`input.batch: the model's batch dimension is fixed at ${n}, the manifest says ${manifest.input.batch === null ? 'null (dynamic)' : manifest.input.batch}`);
        }
      }
    }
  }
  const spec = exposeSpecOf(manifest);
  if (!spec) {
    const out = summary.outputs.find((o) => o.name === manifest.output.name);
    if (!out) {
      problems.push(
        `output.name: the model has no output "${manifest.output.name}" (outputs: ${summary.outputs.map((o) => `${o.name} ${shapeText(o)}`).join(', ')}); ` +
          'for an internal tensor set output.expose',
      );
    } else {
      if (out.elemType !== undefined && out.elemType !== 1) {
        problems.push(`output: "${out.name}" is ${elemTypeName(out.elemType)}, expected float32 (set output.expose.dequantize for a quantized tensor)`);
      }
      checkDim(out, manifest, problems);
    }
  } else {
    try {
      const res = exposeTensor(bytes, spec);
      const exposed = inspectModel(res.bytes).outputs.find((o) => o.name === res.outputName);
      if (res.elemType !== undefined && res.elemType !== 1) {
        problems.push(`output.expose: tensor "${res.tensor}" is ${elemTypeName(res.elemType)}, expected float32 (set output.expose.dequantize)`);
      }
      if (exposed) checkDim(exposed, manifest, problems);
    } catch (e) {
      if (e instanceof GraphEditError) problems.push(`output.expose: ${e.message}`);
      else throw e;
    }
  }
  return problems;
}

function checkDim(out: TensorInfo, manifest: ModelManifest, problems: string[]): void {
  const rest = out.dims?.slice(1);
  if (rest && rest.length > 0 && rest.every((d) => typeof d === 'number')) {
    const size = (rest as number[]).reduce((a, b) => a * b, 1);
    if (size !== manifest.output.dim) {
      problems.push(`output.dim: "${out.name}" has ${size} values per image ${shapeText(out)}, the manifest says ${manifest.output.dim}`);
    }
  }
}
