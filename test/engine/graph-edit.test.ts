import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { ImsearchError } from '../../errors/error-codes.js';
import { CACHE_DIR_ENV } from '../../models/manifest/sha256-cache.js';
import { exposeTensor, inspectModel, prepareModelBytes, resolveTensor } from '../../models/onnx/graph-edit.js';
import type { ModelManifest } from '../../models/manifest/manifest.js';
import { concatBytes, encodeVarint, readFields } from '../../models/onnx/protowire.js';
import { sharedModelsDir } from '../helpers/paths.js';

const { onnx } = onnxProto;

function model(file: string): Uint8Array {
  return fs.readFileSync(path.join(sharedModelsDir, file));
}

/** Deterministic pseudo-random values in [-2, 2) (LCG), the same on every run. */
function pseudoRandom(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 4 - 2;
  }
  return a;
}

const batch = new ort.Tensor('float32', pseudoRandom(2 * 3 * 224 * 224, 12345), [2, 3, 224, 224]);

/** Reference runs sum int8 exactly, as ModelSession does by default (models/onnx/session.ts Int8Sums). */
async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<{ names: readonly string[]; out: ort.InferenceSession.OnnxValueMapType }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, logSeverityLevel: 3, extra: { session: { x64quantprecision: '1' } } });
  try {
    return { names: session.outputNames, out: await session.run(feeds) };
  } finally {
    await session.release();
  }
}

function assertSameFloats(a: ort.Tensor, b: ort.Tensor): void {
  assert.equal(a.type, 'float32');
  assert.equal(b.type, 'float32');
  assert.deepEqual(a.dims, b.dims);
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  let differing = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) differing++;
  assert.equal(differing, 0, `${differing} of ${x.length} values differ`);
}

const mobilenetManifest: ModelManifest = {
  name: 'mobilenetv2-12-int8',
  description: 'test',
  file: 'mobilenetv2-12-int8.onnx',
  sha256: 'cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f',
  bytes: 3655033,
  input: { name: 'input', dtype: 'float32', batch: null, height: 224, width: 224 },
  preprocess: { resize: 'shorter', size: 256, kernel: 'bilinear', centreCrop: true, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  output: { name: '472_quantized', dim: 1280, expose: { dequantize: { scale: '464_scale', zeroPoint: '464_zero_point' } } },
  licence: 'Apache-2.0',
  urls: [],
};

test('the scale and zero point of the pooled tensor are initialisers of the zoo graph', () => {
  const s = inspectModel(model('mobilenetv2-12-int8.onnx'));
  assert.equal(s.initializers.get('464_scale'), 1); // float
  assert.equal(s.initializers.get('464_zero_point'), 2); // uint8
  const reshape = s.nodes.find((n) => n.output.includes('472_quantized'));
  assert.equal(reshape?.opType, 'Reshape');
  assert.equal(reshape?.input[0], '464_quantized');
  const pool = s.nodes.find((n) => n.output.includes('464_quantized'));
  assert.equal(pool?.opType, 'QLinearGlobalAveragePool');
  assert.deepEqual(pool?.input.slice(3), ['464_scale', '464_zero_point']);
});

test('PROOF: 472_quantized of the unchanged zoo file, dequantized, equals the -emb model embedding exactly', async () => {
  const original = model('mobilenetv2-12-int8.onnx');
  const before = Buffer.from(original);
  const prepared = prepareModelBytes(mobilenetManifest, original);
  assert.deepEqual(Buffer.from(original), before, 'the file bytes are not modified');

  const edited = await run(prepared, { input: batch });
  assert.deepEqual(edited.names, ['472_quantized'], 'only the embedding output remains');
  const reference = await run(model('mobilenetv2-12-int8-emb.onnx'), { input: batch });
  const got = edited.out['472_quantized']!;
  assert.deepEqual(got.dims, [2, 1280]);
  assertSameFloats(got, reference.out['embedding']!);
  // Not a degenerate tensor: the two images differ and many features are non-zero.
  const d = got.data as Float32Array;
  assert.ok(d.filter((v) => v !== 0).length > 500);
  assert.notDeepEqual(d.subarray(0, 1280), d.subarray(1280));
});

test('a separate output name and keepOutputs keep the logits identical to the original model', async () => {
  const original = model('mobilenetv2-12-int8.onnx');
  const res = exposeTensor(original, {
    tensor: '472_quantized',
    dequantize: { scale: '464_scale', zeroPoint: '464_zero_point' },
    outputName: 'embedding',
    keepOutputs: true,
  });
  assert.equal(res.prunedNodes, 0);
  assert.deepEqual(res.outputs, ['output', 'embedding']);
  const edited = await run(res.bytes, { input: batch });
  const plain = await run(original, { input: batch });
  assertSameFloats(edited.out['output']!, plain.out['output']!);
  const reference = await run(model('mobilenetv2-12-int8-emb.onnx'), { input: batch });
  assertSameFloats(edited.out['embedding']!, reference.out['embedding']!);
});

test('exposing a quantized tensor without dequantizing gives its uint8 values', async () => {
  const res = exposeTensor(model('mobilenetv2-12-int8.onnx'), { tensor: '464_quantized' });
  assert.equal(res.elemType, 2);
  const { out } = await run(res.bytes, { input: batch });
  assert.equal(out['464_quantized']!.type, 'uint8');
  assert.deepEqual(out['464_quantized']!.dims, [2, 1280, 1, 1]);
});

test('"output of the last GlobalAveragePool", flattened, reproduces mobilenet_v1 -emb exactly', async () => {
  const v1 = model('mobilenet_v1_0.25_224.onnx');
  assert.equal(resolveTensor(v1, { op: 'GlobalAveragePool', port: 'output' }), 'global_average_pooling2d_1');
  const manifest: ModelManifest = {
    ...mobilenetManifest,
    name: 'mobilenet_v1_0.25_224',
    file: 'mobilenet_v1_0.25_224.onnx',
    output: { name: 'embedding', dim: 256, expose: { from: { op: 'GlobalAveragePool', port: 'output' }, flatten: true } },
  };
  const edited = await run(prepareModelBytes(manifest, v1), { input: batch });
  assert.deepEqual(edited.names, ['embedding']);
  const reference = await run(model('mobilenet_v1_0.25_224-emb.onnx'), { input: batch });
  assertSameFloats(edited.out['embedding']!, reference.out['embedding']!);
});

test('"input of the last Gemm" resolves on the QAT MobileNetV4 graph; the pooled output matches its -emb model', async () => {
  const qat = model('mobilenet_w1_0_mnv4s_pretrained_drp0_2_qat_int8.onnx');
  const summary = inspectModel(qat);
  const gemmInput = resolveTensor(summary, { op: 'Gemm', port: 'input' });
  assert.equal(gemmInput, '/DequantizeLinear_21_output_0');
  assert.equal(resolveTensor(summary, { op: 'GlobalAveragePool', port: 'output' }), '/pool/GlobalAveragePool_output_0');

  // The original takes uint8 pixels and normalises in-graph; the -emb model takes the normalised tensor.
  const n = 1 * 3 * 224 * 224;
  const u8 = new Uint8Array(n);
  const f32 = new Float32Array(n);
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  let s = 7;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    u8[i] = s >>> 24;
    const c = Math.floor(i / (224 * 224));
    f32[i] = (u8[i]! / 255 - mean[c]!) / std[c]!;
  }
  const res = exposeTensor(qat, { from: { op: 'GlobalAveragePool', port: 'output' }, flatten: true, outputName: 'embedding' });
  const edited = await run(res.bytes, { input_u8: new ort.Tensor('uint8', u8, [1, 3, 224, 224]) });
  const reference = await run(model('mnv4s_qat_int8-emb.onnx'), { input: new ort.Tensor('float32', f32, [1, 3, 224, 224]) });
  const a = edited.out['embedding']!.data as Float32Array;
  const b = reference.out['embedding']!.data as Float32Array;
  assert.equal(a.length, 960);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  assert.ok(dot / Math.sqrt(na * nb) > 0.999, `cosine ${dot / Math.sqrt(na * nb)}`);
});

test('clear errors: unknown tensor, unknown op type, missing scale', () => {
  const original = model('mobilenetv2-12-int8.onnx');
  assert.throws(() => exposeTensor(original, { tensor: 'no_such_tensor' }), (e: unknown) => e instanceof ImsearchError && e.code === 'MODEL_MISMATCH' && /"no_such_tensor" is not produced/.test(e.message));
  assert.throws(() => resolveTensor(original, { op: 'Gemm', port: 'input' }), /no Gemm node \(op types present: .*QLinearConv/);
  assert.throws(
    () => prepareModelBytes({ ...mobilenetManifest, output: { ...mobilenetManifest.output, expose: { dequantize: { scale: '472_scale', zeroPoint: '464_zero_point' } } } }, original),
    /model mobilenetv2-12-int8 \(mobilenetv2-12-int8.onnx\): cannot expose its embedding tensor: dequantize: scale tensor "472_scale" is not in the graph/,
  );
  assert.throws(() => exposeTensor(new Uint8Array([1, 2, 3]), { tensor: 'x' }), /not an ONNX model/);
});

test('without output.expose the bytes are handed back unchanged', () => {
  const bytes = model('mobilenetv2-12-int8-emb.onnx');
  const manifest: ModelManifest = { ...mobilenetManifest, output: { name: 'embedding', dim: 1280 } };
  assert.equal(prepareModelBytes(manifest, bytes), bytes);
});

/**
 * A small synthetic model: X -> Relu -> h -> QuantizeLinear -> hq; an If node whose branches read
 * `hq` from the outer scope; outputs `out` (from If). Exposing `hq` dequantized under its own name
 * renames the internal tensor everywhere, subgraphs included. Fields unknown to onnx-proto's
 * ONNX 1.10 schema (model field 99, node field 50) must survive the edit byte for byte.
 */
function syntheticModel(): Uint8Array {
  const f = onnx.TensorProto.DataType.FLOAT;
  const u8 = onnx.TensorProto.DataType.UINT8;
  const vi = (name: string, t: number, dims?: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: t, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) } },
  });
  const branch = (op: string, name: string) => ({
    name,
    node: [{ opType: op, input: ['hq'], output: [`${name}_out`] }],
    output: [vi(`${name}_out`, u8)],
  });
  const graph = {
    name: 'g',
    input: [vi('X', f, ['N', 4]), vi('cond', onnx.TensorProto.DataType.BOOL, [])],
    output: [vi('out', u8)],
    initializer: [
      { name: 's', dataType: f, dims: [], floatData: [0.05] },
      { name: 'zp', dataType: u8, dims: [], int32Data: [10] },
    ],
    node: [
      { opType: 'Relu', input: ['X'], output: ['h'], name: 'relu' },
      { opType: 'QuantizeLinear', input: ['h', 's', 'zp'], output: ['hq'], name: 'q' },
      {
        opType: 'If',
        input: ['cond'],
        output: ['out'],
        name: 'if',
        attribute: [
          { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('Identity', 'then') },
          { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('Identity', 'else') },
        ],
      },
    ],
  };
  const bytes = onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], producerName: 'test', graph }).finish();
  // Append an unknown field (99, varint 7) to the model, and an unknown field (50, bytes) to the Relu node.
  const fields = readFields(bytes);
  const parts: Uint8Array[] = [];
  for (const fld of fields) {
    if (fld.no !== 7) {
      parts.push(bytes.subarray(fld.start, fld.end));
      continue;
    }
    const gparts: Uint8Array[] = [];
    let first = true;
    for (const gf of readFields(bytes, fld.valueStart, fld.valueEnd)) {
      if (gf.no === 1 && first) {
        first = false;
        const node = concatBytes([bytes.subarray(gf.valueStart, gf.valueEnd), encodeVarint(50 * 8 + 2), encodeVarint(3), Uint8Array.from([0x61, 0x62, 0x63])]);
        gparts.push(encodeVarint(1 * 8 + 2), encodeVarint(node.length), node);
      } else gparts.push(bytes.subarray(gf.start, gf.end));
    }
    const g = concatBytes(gparts);
    parts.push(encodeVarint(7 * 8 + 2), encodeVarint(g.length), g);
  }
  parts.push(encodeVarint(99 * 8), encodeVarint(7));
  return concatBytes(parts);
}

test('renaming reaches subgraphs, and fields unknown to the schema survive the edit', async () => {
  const bytes = syntheticModel();
  const res = exposeTensor(bytes, { tensor: 'hq', dequantize: { scale: 's', zeroPoint: 'zp' }, keepOutputs: true });
  assert.deepEqual(res.outputs, ['out', 'hq']);
  const x = new ort.Tensor('float32', Float32Array.from([-1, 0, 0.5, 1, 2, 3, 4, 5]), [2, 4]);
  const cond = new ort.Tensor('bool', [true], []);
  const { out } = await run(res.bytes, { X: x, cond });
  assert.deepEqual(Array.from(out['out']!.data as Uint8Array), [10, 10, 20, 30, 50, 70, 90, 110]);
  assert.equal(out['hq']!.type, 'float32');
  assert.deepEqual(Array.from(out['hq']!.data as Float32Array).map((v) => Math.round(v * 100) / 100), [0, 0, 0.5, 1, 2, 3, 4, 5]);

  const top = readFields(res.bytes);
  assert.ok(top.some((f) => f.no === 99), 'unknown model field kept');
  const graphField = top.find((f) => f.no === 7)!;
  const firstNode = readFields(res.bytes, graphField.valueStart, graphField.valueEnd).find((f) => f.no === 1)!;
  const nodeFields = readFields(res.bytes, firstNode.valueStart, firstNode.valueEnd);
  const unknown = nodeFields.find((f) => f.no === 50)!;
  assert.equal(Buffer.from(res.bytes.subarray(unknown.valueStart, unknown.valueEnd)).toString(), 'abc');
});

test('the inference layer (ModelSession) loads the zoo file through prepareModelBytes and embeds like the -emb model', async (t) => {
  const { ModelSession } = await import('../../models/onnx/session.js');
  // A cache of its own: a graph saved by an earlier run would skip the edit under test.
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'imsearch-graph-edit-'));
  const previous = process.env[CACHE_DIR_ENV];
  process.env[CACHE_DIR_ENV] = cache;
  t.after(() => {
    if (previous === undefined) delete process.env[CACHE_DIR_ENV];
    else process.env[CACHE_DIR_ENV] = previous;
    fs.rmSync(cache, { recursive: true, force: true });
  });
  const original = model('mobilenetv2-12-int8.onnx');
  const data = batch.data as Float32Array;
  const session = await ModelSession.create(mobilenetManifest, { read: async () => original, sha256: mobilenetManifest.sha256!, path: 'mobilenetv2-12-int8.onnx' }, { threads: 1 });
  try {
    assert.equal(session.graphSource, 'model');
    const got = await session.run(data, 2);
    const reference = await run(model('mobilenetv2-12-int8-emb.onnx'), { input: batch });
    assert.deepEqual(Array.from(got), Array.from(reference.out['embedding']!.data as Float32Array));
  } finally {
    await session.release();
  }
  // A structural rule (as the ResNet50 v2 manifest uses) through the same path.
  const v1: ModelManifest = {
    ...mobilenetManifest,
    name: 'mobilenet_v1_0.25_224',
    file: 'mobilenet_v1_0.25_224.onnx',
    sha256: null,
    output: { name: 'embedding', dim: 256, expose: { from: { op: 'GlobalAveragePool', port: 'output' }, flatten: true } },
  };
  const v1Bytes = model('mobilenet_v1_0.25_224.onnx');
  const s2 = await ModelSession.create(v1, { read: async () => v1Bytes, sha256: createHash('sha256').update(v1Bytes).digest('hex'), path: 'mobilenet_v1_0.25_224.onnx' }, { threads: 1 });
  try {
    assert.equal(s2.graphSource, 'model');
    const got = await s2.run(data, 2);
    const reference = await run(model('mobilenet_v1_0.25_224-emb.onnx'), { input: batch });
    assert.deepEqual(Array.from(got), Array.from(reference.out['embedding']!.data as Float32Array));
  } finally {
    await s2.release();
  }
});

test('pruning drops initialisers that IR<4 models also list as graph inputs, so they need no feed', async () => {
  const f = onnx.TensorProto.DataType.FLOAT;
  const vi = (name: string, dims: (number | string)[]) => ({ name, type: { tensorType: { elemType: f, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } });
  const eye = (n: number, k: number) => Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? k : 0));
  const bytes = onnx.ModelProto.encode({
    irVersion: 3,
    opsetImport: [{ domain: '', version: 7 }],
    graph: {
      name: 'ir3',
      input: [vi('X', ['N', 2]), vi('W1', [2, 2]), vi('W2', [2, 2])],
      initializer: [
        { name: 'W1', dataType: f, dims: [2, 2], floatData: eye(2, 2) },
        { name: 'W2', dataType: f, dims: [2, 2], floatData: eye(2, 3) },
      ],
      node: [
        { opType: 'MatMul', input: ['X', 'W1'], output: ['h'] },
        { opType: 'MatMul', input: ['h', 'W2'], output: ['y'] },
      ],
      output: [vi('y', ['N', 2])],
    },
  }).finish();
  const res = exposeTensor(bytes, { from: { op: 'MatMul', port: 'output', occurrence: 'first' }, outputName: 'embedding' });
  assert.equal(res.tensor, 'h');
  assert.equal(res.prunedNodes, 1);
  const s = inspectModel(res.bytes);
  assert.deepEqual(s.inputs.map((i) => i.name), ['X', 'W1']);
  assert.deepEqual([...s.initializers.keys()], ['W1']);
  const { names, out } = await run(res.bytes, { X: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]) });
  assert.deepEqual(names, ['embedding']);
  assert.deepEqual(Array.from(out['embedding']!.data as Float32Array), [2, 4, 6, 8]);
});
