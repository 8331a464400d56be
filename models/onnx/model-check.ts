/**
 * A model file against its manifest, before it is accepted into a model directory: the problems
 * are listed (not thrown one by one) so an import reports everything that disagrees at once.
 */
import { ImsearchError } from '../../errors/error-codes.js';
import type { ModelManifest } from '../manifest/manifest.js';
import { elemTypeName, exposeSpecOf, exposeTensor, inspectModel, type Dim, type TensorInfo } from './graph-edit.js';

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
      if (e instanceof ImsearchError) problems.push(`output.expose: ${e.message}`);
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
