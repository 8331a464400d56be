/**
 * Exposing a named internal tensor of an ONNX model as a graph output, at load time.
 *
 * The model file stays as published (its sha256 is its identity); before handing the bytes to
 * `InferenceSession.create(bytes)` the inference layer calls `prepareModelBytes(manifest, bytes)`,
 * which adds a graph output for the embedding tensor named (or structurally located) by the
 * manifest, optionally dequantized (DequantizeLinear with the named scale / zero-point tensors)
 * and flattened to [N, D], and by default drops the other outputs and the nodes only they needed.
 *
 * The edit works on the protobuf wire format: onnx-proto (ONNX 1.10 schema) decodes the small
 * parts (nodes, value infos, initializer names) for analysis, and the model is re-emitted field by
 * field, so weights are copied as bytes and fields newer than the schema survive untouched.
 */
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { ImsearchError } from '../../errors/error-codes.js';
import type { ModelManifest } from '../manifest/manifest.js';
import {
  concatBytes,
  fieldString,
  lenField,
  readFields,
  stringBytes,
  varintValue,
  type WireField,
} from './protowire.js';

const { onnx } = onnxProto;

/** ONNX TensorProto.DataType values used here. */
export const ElemType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

const ELEM_TYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

export function elemTypeName(t: number | undefined): string {
  return t === undefined ? 'unknown' : (ELEM_TYPE_NAMES[t] ?? `onnx-type-${t}`);
}

// Field numbers of onnx.proto messages (stable across ONNX versions).
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13, quantAnnotation: 14 };
const NODE = { input: 1, output: 2, attribute: 5 };
const ATTR = { g: 6, graphs: 11 };
const VALUE_INFO_NAME = 1;
const TENSOR_NAME = 8;
const TENSOR_DATA_TYPE = 2;
const TENSOR_ANNOTATION_NAME = 1;

/** A graph that cannot be edited as asked does not match the manifest that asks it. */
function editError(message: string, options?: { cause?: unknown }): ImsearchError {
  return new ImsearchError('MODEL_MISMATCH', message, {}, options);
}

/** A dimension as in the model: a number, a symbolic name, or null when unknown. */
export type Dim = number | string | null;

export interface TensorInfo {
  name: string;
  elemType?: number;
  dims?: Dim[];
}

/** What is in a model, read without decoding its weights. */
export interface ModelSummary {
  irVersion: number;
  opsets: Map<string, number>;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  valueInfo: Map<string, TensorInfo>;
  /** Initializer name -> element type. */
  initializers: Map<string, number>;
  nodes: Onnx.NodeProto[];
}

interface ParsedModel {
  bytes: Uint8Array;
  modelFields: WireField[];
  graphField: WireField;
  graphFields: WireField[];
  summary: ModelSummary;
}

function toNum(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function valueInfoToTensorInfo(vi: Onnx.IValueInfoProto): TensorInfo {
  const info: TensorInfo = { name: vi.name ?? '' };
  const tt = vi.type?.tensorType;
  if (tt) {
    if (tt.elemType) info.elemType = tt.elemType;
    if (tt.shape) {
      info.dims = (tt.shape.dim ?? []).map((d) =>
        d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? toNum(d.dimValue) : null,
      );
    }
  }
  return info;
}

function parseModel(bytes: Uint8Array): ParsedModel {
  let modelFields: WireField[];
  try {
    modelFields = readFields(bytes);
  } catch (e) {
    throw editError(`not an ONNX model (protobuf parse failed: ${(e as Error).message})`);
  }
  const graphs = modelFields.filter((f) => f.no === MODEL_GRAPH && f.wireType === 2);
  if (graphs.length !== 1) throw editError(`not an ONNX model: expected one graph, found ${graphs.length}`);
  const graphField = graphs[0]!;
  const graphFields = readFields(bytes, graphField.valueStart, graphField.valueEnd);

  const summary: ModelSummary = {
    irVersion: 0,
    opsets: new Map(),
    inputs: [],
    outputs: [],
    valueInfo: new Map(),
    initializers: new Map(),
    nodes: [],
  };
  for (const f of modelFields) {
    if (f.no === 1 && f.wireType === 0) summary.irVersion = varintValue(bytes, f);
    if (f.no === 8 && f.wireType === 2) {
      const op = onnx.OperatorSetIdProto.decode(bytes.subarray(f.valueStart, f.valueEnd));
      summary.opsets.set(op.domain ?? '', toNum(op.version));
    }
  }
  for (const f of graphFields) {
    if (f.wireType !== 2) continue;
    const sub = bytes.subarray(f.valueStart, f.valueEnd);
    switch (f.no) {
      case GRAPH.node:
        summary.nodes.push(onnx.NodeProto.decode(sub));
        break;
      case GRAPH.input:
        summary.inputs.push(valueInfoToTensorInfo(onnx.ValueInfoProto.decode(sub)));
        break;
      case GRAPH.output:
        summary.outputs.push(valueInfoToTensorInfo(onnx.ValueInfoProto.decode(sub)));
        break;
      case GRAPH.valueInfo: {
        const vi = valueInfoToTensorInfo(onnx.ValueInfoProto.decode(sub));
        summary.valueInfo.set(vi.name, vi);
        break;
      }
      case GRAPH.initializer: {
        // Only the name and data type: the weights are never decoded.
        let name = '';
        let dataType = 0;
        for (const tf of readFields(bytes, f.valueStart, f.valueEnd)) {
          if (tf.no === TENSOR_NAME && tf.wireType === 2) name = fieldString(bytes, tf);
          else if (tf.no === TENSOR_DATA_TYPE && tf.wireType === 0) dataType = varintValue(bytes, tf);
        }
        summary.initializers.set(name, dataType);
        break;
      }
    }
  }
  return { bytes, modelFields, graphField, graphFields, summary };
}

/** Inputs, outputs, opsets and node count of a model (for validation and listings). */
export function inspectModel(bytes: Uint8Array): ModelSummary {
  return parseModel(bytes).summary;
}

// ---------------------------------------------------------------------------------------------
// Locating a tensor by graph structure

/** "the output (or input) `index` of the last (or first) node of op type `op`". */
export interface TensorRule {
  op: string;
  port: 'input' | 'output';
  /** Position among the node's inputs or outputs; default 0. */
  index?: number;
  /** Operator domain; default: any. */
  domain?: string;
  /** Which matching node in graph order; default "last". */
  occurrence?: 'last' | 'first';
}

export function describeRule(rule: TensorRule): string {
  return `${rule.port} ${rule.index ?? 0} of the ${rule.occurrence ?? 'last'} ${rule.op} node`;
}

/** Resolve a structural rule to a tensor name, on model bytes or an inspected summary. */
export function resolveTensor(model: Uint8Array | ModelSummary, rule: TensorRule): string {
  const summary = model instanceof Uint8Array ? inspectModel(model) : model;
  const matches = summary.nodes.filter(
    (n) => n.opType === rule.op && (rule.domain === undefined || (n.domain ?? '') === rule.domain),
  );
  if (matches.length === 0) {
    const present = [...new Set(summary.nodes.map((n) => n.opType))].sort().join(', ');
    throw editError(`cannot find the ${describeRule(rule)}: the graph has no ${rule.op} node (op types present: ${present})`);
  }
  const node = rule.occurrence === 'first' ? matches[0]! : matches[matches.length - 1]!;
  const list = rule.port === 'input' ? node.input : node.output;
  const name = list[rule.index ?? 0];
  if (!name) {
    throw editError(`cannot find the ${describeRule(rule)}: node "${node.name}" has ${list.length} ${rule.port}s`);
  }
  return name;
}

// ---------------------------------------------------------------------------------------------
// Element type inference (enough to give an exposed output its type without shape inference)

/** Per op: index of the input whose type the (first) output takes. */
const OUTPUT_TYPE_FROM_INPUT: Record<string, number> = {
  QLinearConv: 7,
  QLinearMatMul: 7,
  QLinearAdd: 7,
  QLinearMul: 7,
  QLinearGlobalAveragePool: 4,
  QLinearAveragePool: 4,
  QLinearLeakyRelu: 4,
  QLinearSigmoid: 4,
  QuantizeLinear: 2,
  DequantizeLinear: 1,
  CastLike: 1,
};
const BOOL_OPS = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);
const INT64_OPS = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']);

function attr(node: Onnx.INodeProto, name: string): Onnx.IAttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

function constantType(node: Onnx.INodeProto): number | undefined {
  for (const a of node.attribute ?? []) {
    switch (a.name) {
      case 'value':
        return a.t?.dataType ?? undefined;
      case 'value_float':
      case 'value_floats':
        return ElemType.FLOAT;
      case 'value_int':
      case 'value_ints':
        return ElemType.INT64;
    }
  }
  return undefined;
}

/** Element types of every tensor whose type can be known or propagated cheaply. */
export function inferElemTypes(summary: ModelSummary): Map<string, number> {
  const types = new Map<string, number>();
  for (const [name, t] of summary.initializers) if (t) types.set(name, t);
  for (const vi of [...summary.inputs, ...summary.outputs, ...summary.valueInfo.values()]) {
    if (vi.elemType) types.set(vi.name, vi.elemType);
  }
  for (const node of summary.nodes) {
    const out0 = node.output[0];
    if (!out0 || types.has(out0)) continue;
    const op = node.opType ?? '';
    let t: number | undefined;
    if (op === 'Cast') t = toNum(attr(node, 'to')?.i);
    else if (op === 'Constant') t = constantType(node);
    else if (op === 'ConstantOfShape') t = attr(node, 'value')?.t?.dataType ?? ElemType.FLOAT;
    else if (BOOL_OPS.has(op)) t = ElemType.BOOL;
    else if (INT64_OPS.has(op)) t = ElemType.INT64;
    else if (op === 'QuantizeLinear') t = types.get(node.input[2] ?? '') ?? ElemType.UINT8;
    else if (op === 'DequantizeLinear') t = types.get(node.input[1] ?? '') ?? ElemType.FLOAT;
    else if (op === 'DynamicQuantizeLinear') t = ElemType.UINT8;
    else if (op in OUTPUT_TYPE_FROM_INPUT) t = types.get(node.input[OUTPUT_TYPE_FROM_INPUT[op]!] ?? '');
    if (t === undefined && node.input[0]) t = types.get(node.input[0]);
    if (t) types.set(out0, t);
  }
  return types;
}

// ---------------------------------------------------------------------------------------------
// The edit

export interface ExposeSpec {
  /** Internal tensor to expose (exactly one of tensor / from). */
  tensor?: string;
  /** Locate the tensor by graph structure instead of by name. */
  from?: TensorRule;
  /** Dequantize with these scale / zero-point tensors (initialisers or Constant outputs). */
  dequantize?: { scale: string; zeroPoint: string };
  /** Flatten to [N, D] (Flatten, axis 1), e.g. for a pooled [N, D, 1, 1] tensor. */
  flatten?: boolean;
  /**
   * Name of the resulting graph output. Default: the tensor's own name. When it equals the
   * tensor's name and a dequantize / flatten step follows, the internal tensor is renamed so that
   * the graph output under this name holds the final (float) values.
   */
  outputName?: string;
  /** Keep the model's other outputs (default false: drop them and the nodes only they needed). */
  keepOutputs?: boolean;
}

export interface ExposeResult {
  bytes: Uint8Array;
  /** The internal tensor that was exposed (as resolved). */
  tensor: string;
  /** The graph output holding the result. */
  outputName: string;
  /** Element type of that output when known (ONNX DataType). */
  elemType?: number;
  /** Graph outputs of the edited model, in order. */
  outputs: string[];
  /** Nodes removed because no kept output needed them. */
  prunedNodes: number;
}

function collectNames(summary: ModelSummary): Set<string> {
  const names = new Set<string>();
  for (const n of summary.initializers.keys()) names.add(n);
  for (const vi of summary.inputs) names.add(vi.name);
  const visit = (nodes: Onnx.INodeProto[]) => {
    for (const node of nodes) {
      for (const n of node.input ?? []) if (n) names.add(n);
      for (const n of node.output ?? []) if (n) names.add(n);
      for (const a of node.attribute ?? []) {
        if (a.g) visit(a.g.node ?? []);
        for (const g of a.graphs ?? []) visit(g.node ?? []);
      }
    }
  };
  visit(summary.nodes);
  return names;
}

function producedNames(summary: ModelSummary): Set<string> {
  const s = new Set<string>();
  for (const n of summary.nodes) for (const o of n.output) if (o) s.add(o);
  for (const n of summary.initializers.keys()) s.add(n);
  for (const vi of summary.inputs) s.add(vi.name);
  return s;
}

/** Names a node reads, including outer-scope names read inside its subgraphs. */
function nodeReads(node: Onnx.INodeProto): string[] {
  const reads = [...(node.input ?? [])].filter(Boolean);
  for (const a of node.attribute ?? []) {
    const subs = [...(a.g ? [a.g] : []), ...(a.graphs ?? [])];
    for (const g of subs) for (const n of g.node ?? []) reads.push(...nodeReads(n));
  }
  return reads;
}

type Rename = { from: Uint8Array; to: Uint8Array } | null;

function bytesEqual(buf: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  if (end - start !== other.length) return false;
  for (let i = 0; i < other.length; i++) if (buf[start + i] !== other[i]) return false;
  return true;
}

/** Rewrite the string field(s) `nos` of a message when equal to rename.from. */
function renameStrings(buf: Uint8Array, start: number, end: number, nos: number[], rename: Rename, nested?: (f: WireField) => Uint8Array[] | null): Uint8Array[] {
  if (!rename) return [buf.subarray(start, end)];
  const out: Uint8Array[] = [];
  for (const f of readFields(buf, start, end)) {
    if (f.wireType === 2 && nos.includes(f.no) && bytesEqual(buf, f.valueStart, f.valueEnd, rename.from)) {
      out.push(...lenField(f.no, rename.to));
      continue;
    }
    const replaced = nested?.(f);
    out.push(...(replaced ?? [buf.subarray(f.start, f.end)]));
  }
  return out;
}

function renameInNode(buf: Uint8Array, f: WireField, rename: Rename): Uint8Array[] {
  return renameStrings(buf, f.valueStart, f.valueEnd, [NODE.input, NODE.output], rename, (nf) => {
    if (nf.no !== NODE.attribute || nf.wireType !== 2) return null;
    const attrParts = renameStrings(buf, nf.valueStart, nf.valueEnd, [], rename, (af) => {
      if ((af.no !== ATTR.g && af.no !== ATTR.graphs) || af.wireType !== 2) return null;
      return lenField(af.no, rewriteSubgraph(buf, af, rename));
    });
    return lenField(nf.no, attrParts);
  });
}

function rewriteSubgraph(buf: Uint8Array, g: WireField, rename: Rename): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of readFields(buf, g.valueStart, g.valueEnd)) out.push(...rewriteGraphField(buf, f, rename));
  return out;
}

/** One field of a graph with the rename applied (node, value infos, initializer names). */
function rewriteGraphField(buf: Uint8Array, f: WireField, rename: Rename): Uint8Array[] {
  if (!rename || f.wireType !== 2) return [buf.subarray(f.start, f.end)];
  switch (f.no) {
    case GRAPH.node:
      return lenField(f.no, renameInNode(buf, f, rename));
    case GRAPH.input:
    case GRAPH.output:
    case GRAPH.valueInfo:
      return lenField(f.no, renameStrings(buf, f.valueStart, f.valueEnd, [VALUE_INFO_NAME], rename));
    case GRAPH.initializer:
      return lenField(f.no, renameStrings(buf, f.valueStart, f.valueEnd, [TENSOR_NAME], rename));
    case GRAPH.quantAnnotation:
      return lenField(f.no, renameStrings(buf, f.valueStart, f.valueEnd, [TENSOR_ANNOTATION_NAME], rename));
    default:
      return [buf.subarray(f.start, f.end)];
  }
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/** Add a graph output for an internal tensor (see ExposeSpec). */
export function exposeTensor(modelBytes: Uint8Array, spec: ExposeSpec): ExposeResult {
  const parsed = parseModel(modelBytes);
  const { summary, bytes } = parsed;
  if ((spec.tensor === undefined) === (spec.from === undefined)) {
    throw editError('expose: give exactly one of `tensor` (a name) or `from` (a structural rule)');
  }
  const tensor = spec.tensor ?? resolveTensor(summary, spec.from!);
  const produced = producedNames(summary);
  if (!produced.has(tensor)) {
    throw editError(`tensor "${tensor}" is not produced by any node, initializer or input of the graph`);
  }
  const outputName = spec.outputName ?? tensor;
  const taken = collectNames(summary);
  for (const o of summary.outputs) taken.add(o.name);
  const types = inferElemTypes(summary);

  const dq = spec.dequantize;
  if (dq) {
    for (const [role, n] of [['scale', dq.scale], ['zero point', dq.zeroPoint]] as const) {
      if (!produced.has(n)) throw editError(`dequantize: ${role} tensor "${n}" is not in the graph`);
    }
    const opset = summary.opsets.get('') ?? summary.opsets.get('ai.onnx') ?? 0;
    if (opset < 10) throw editError(`dequantize needs ONNX opset >= 10 (the model imports opset ${opset})`);
  }

  const needsChain = Boolean(dq || spec.flatten || outputName !== tensor);
  let rename: Rename = null;
  let source = tensor;
  if (needsChain && outputName === tensor) {
    source = uniqueName(`${tensor}__src`, taken);
    rename = { from: stringBytes(tensor), to: stringBytes(source) };
  } else if (needsChain && taken.has(outputName)) {
    throw editError(`output name "${outputName}" is already used by a tensor of the graph`);
  }
  taken.add(outputName);

  // The new nodes: [DequantizeLinear] -> [Flatten] | Identity, ending in outputName.
  const newNodes: Onnx.INodeProto[] = [];
  let cur = source;
  if (dq) {
    const next = spec.flatten ? uniqueName(`${outputName}__dequantized`, taken) : outputName;
    newNodes.push({ opType: 'DequantizeLinear', name: uniqueName(`${outputName}__DequantizeLinear`, taken), input: [cur, dq.scale, dq.zeroPoint], output: [next] });
    cur = next;
  }
  if (spec.flatten) {
    newNodes.push({
      opType: 'Flatten',
      name: uniqueName(`${outputName}__Flatten`, taken),
      input: [cur],
      output: [outputName],
      attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
    });
    cur = outputName;
  }
  if (needsChain && cur !== outputName) {
    newNodes.push({ opType: 'Identity', name: uniqueName(`${outputName}__Identity`, taken), input: [cur], output: [outputName] });
  }

  // Type and shape of the new output.
  const elemType = dq ? (types.get(dq.scale) ?? ElemType.FLOAT) : types.get(tensor);
  const known = [...summary.inputs, ...summary.outputs].find((vi) => vi.name === tensor) ?? summary.valueInfo.get(tensor);
  let dims = known?.dims;
  if (dims && spec.flatten) {
    const rest = dims.slice(1);
    dims = rest.every((d) => typeof d === 'number') ? [dims[0] ?? null, (rest as number[]).reduce((a, b) => a * b, 1)] : undefined;
  }
  const alreadyOutput = !needsChain && summary.outputs.some((o) => o.name === tensor);
  const newOutput: Onnx.IValueInfoProto = { name: outputName };
  if (elemType) {
    newOutput.type = {
      tensorType: {
        elemType,
        ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) } } : {}),
      },
    };
  }

  // Which outputs remain, and (when dropping) which nodes / initializers are still needed.
  const renamed = (n: string) => (rename && n === tensor ? source : n);
  const keep = spec.keepOutputs === true;
  const finalOutputs = keep ? summary.outputs.map((o) => renamed(o.name)) : [];
  if (!finalOutputs.includes(outputName)) finalOutputs.push(outputName);

  const keptNodes = new Set<number>();
  const needed = new Set<string>(finalOutputs);
  if (!keep) {
    for (let i = newNodes.length - 1; i >= 0; i--) for (const n of newNodes[i]!.input ?? []) needed.add(n);
    for (let i = summary.nodes.length - 1; i >= 0; i--) {
      const node = summary.nodes[i]!;
      if (node.output.some((o) => needed.has(renamed(o)))) {
        keptNodes.add(i);
        for (const n of nodeReads(node)) needed.add(renamed(n));
      }
    }
  }
  const initializerNames = new Set(summary.initializers.keys());

  // Re-emit the graph field by field.
  const graphOut: Uint8Array[] = [];
  let nodeIndex = 0;
  for (const f of parsed.graphFields) {
    if (f.wireType === 2 && f.no === GRAPH.node) {
      const i = nodeIndex++;
      if (!keep && !keptNodes.has(i)) continue;
    } else if (f.wireType === 2 && f.no === GRAPH.output) {
      if (!keep) continue;
    } else if (!keep && f.wireType === 2 && (f.no === GRAPH.initializer || f.no === GRAPH.input)) {
      const name = nameOf(bytes, f, f.no === GRAPH.initializer ? TENSOR_NAME : VALUE_INFO_NAME);
      const isInitializer = f.no === GRAPH.initializer || initializerNames.has(name);
      if (isInitializer && !needed.has(renamed(name))) continue;
    }
    graphOut.push(...rewriteGraphField(bytes, f, rename));
  }
  for (const node of newNodes) graphOut.push(...lenField(GRAPH.node, onnx.NodeProto.encode(node).finish()));
  if (!alreadyOutput || !keep) {
    graphOut.push(...lenField(GRAPH.output, onnx.ValueInfoProto.encode(newOutput).finish()));
  }

  const modelOut: Uint8Array[] = [];
  for (const f of parsed.modelFields) {
    if (f === parsed.graphField) modelOut.push(...lenField(MODEL_GRAPH, graphOut));
    else modelOut.push(bytes.subarray(f.start, f.end));
  }
  return {
    bytes: concatBytes(modelOut),
    tensor,
    outputName,
    ...(elemType ? { elemType } : {}),
    outputs: finalOutputs,
    prunedNodes: keep ? 0 : summary.nodes.length - keptNodes.size,
  };
}

function nameOf(buf: Uint8Array, f: WireField, nameField: number): string {
  for (const sf of readFields(buf, f.valueStart, f.valueEnd)) {
    if (sf.no === nameField && sf.wireType === 2) return fieldString(buf, sf);
  }
  return '';
}

// ---------------------------------------------------------------------------------------------
// The call the inference layer makes

/** The ExposeSpec a manifest asks for, or null when its output is already a graph output. */
export function exposeSpecOf(manifest: ModelManifest): ExposeSpec | null {
  const e = manifest.output.expose;
  if (!e) return null;
  return {
    ...(e.from ? { from: e.from } : { tensor: e.tensor ?? manifest.output.name }),
    ...(e.dequantize ? { dequantize: e.dequantize } : {}),
    ...(e.flatten ? { flatten: true } : {}),
    outputName: manifest.output.name,
    keepOutputs: e.keepOutputs ?? false,
  };
}

/**
 * The bytes to hand to `InferenceSession.create(bytes)` for this manifest's model file. Without
 * `output.expose` the file's bytes are returned unchanged; with it, the edited model has a graph
 * output named `manifest.output.name` holding the embedding (float32 when dequantized).
 */
export function prepareModelBytes(manifest: ModelManifest, fileBytes: Uint8Array): Uint8Array {
  const spec = exposeSpecOf(manifest);
  if (!spec) return fileBytes;
  try {
    return exposeTensor(fileBytes, spec).bytes;
  } catch (e) {
    if (e instanceof ImsearchError) {
      throw editError(`model ${manifest.name} (${manifest.file}): cannot expose its embedding tensor: ${e.message}`, { cause: e });
    }
    throw e;
  }
}
