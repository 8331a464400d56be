/**
 * The one big-product kernel every fit and evaluation runs on:
 *
 *     C (m × n, float64) = A (m × k) · Bᵀ (n × k)          A, B row-major
 *
 * i.e. every output is a dot product of two contiguous rows. XᵀX, X·W, Q·Cᵀ (query × gallery
 * scores) and the subspace iterations are all this shape once the right operand is laid out
 * row-wise (see `crossProduct`, which transposes while it copies).
 *
 * Fast path: a tiny WebAssembly SIMD module (f32x4, 2 × 4 register tile, float32 products with
 * per-block float32 partial sums folded into float64 outputs every `K_BLOCK` terms), built from
 * bytes below, no toolchain. Measured on the 2-core Xeon dev box: ~8.7 GMAC/s against ~1 GMAC/s
 * for the best plain-JS tile; XᵀX of 5,784 × 2,500 takes ~2 s instead of ~16 s. A plain-JS
 * kernel with identical semantics is the fallback (no WebAssembly SIMD) and the small-size path.
 *
 * Every call gets its own linear memory, released with the instance when the call returns: a
 * long-running server does not keep a fit's 100 MB of scratch alive. Inside withRetainedScratch
 * (a fit's cross-validation) one memory serves every product, grown as needed and zeroed per
 * product, and is released when the outermost such call returns: thousands of products then do
 * not each pay the operating system's page faults for hundreds of fresh megabytes.
 */

/** Products below this many multiply-adds run in plain JS (instantiation would dominate). */
const SMALL_WORK = 1 << 20;
/** Inner-dimension block (floats): float32 partial sums span at most this many terms. */
const K_BLOCK = 512;
/** Right-operand rows per block: 64 rows × 512 floats × 4 B = 128 KB, resident in L2. */
const J_BLOCK = 64;

// ---------------------------------------------------------------------------------------------
// The WebAssembly module, assembled from opcodes.

const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
const sleb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};

const I32 = 0x7f;
const V128 = 0x7b;
const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, br_if: 0x0d, end: 0x0b, void: 0x40,
  localGet: 0x20, localSet: 0x21, localTee: 0x22, i32Const: 0x41,
  i32GeU: 0x4f, i32Add: 0x6a, i32Mul: 0x6c, i32Shl: 0x74,
  f64Load: 0x2b, f64Store: 0x39, f64Add: 0xa0, f64PromoteF32: 0xbb,
} as const;
const simd = (code: number, ...imm: number[]): number[] => [0xfd, ...uleb(code), ...imm];
const SIMD = { v128Load: 0x00, v128Const: 0x0c, f32x4ExtractLane: 0x1f, f32x4Add: 0xe4, f32x4Mul: 0xe6 } as const;

/**
 * gemm(a, lda, b, ldb, c, ldc, m, n, k): C[i][j] += Σ_{t<k} A[i][t]·B[j][t] for i < m, j < n.
 * Pointers are byte offsets, strides in elements (A, B float32; C float64). Requires m even,
 * n a multiple of 4, k a multiple of 4 (callers pad with zeros).
 */
function gemmFunctionBody(): number[] {
  const [a, lda, b, ldb, c, ldc, m, n, k] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  let next = 9;
  const i = next++, j = next++, t = next++, pa0 = next++, pa1 = next++;
  const pb = [next++, next++, next++, next++];
  const kBytes = next++, pc0 = next++, pc1 = next++;
  const i32Locals = next - 9;
  const acc: number[] = [];
  for (let r = 0; r < 8; r++) acc.push(next++);
  const va = [next++, next++];
  const vb = [next++, next++, next++, next++];
  const v128Locals = next - 9 - i32Locals;

  const code: number[] = [];
  const emit = (...parts: (number | number[])[]): void => {
    for (const p of parts) {
      if (Array.isArray(p)) code.push(...p);
      else code.push(p);
    }
  };
  const get = (x: number) => [OP.localGet, x];
  const set = (x: number) => [OP.localSet, x];
  const tee = (x: number) => [OP.localTee, x];
  const cst = (v: number) => [OP.i32Const, ...sleb(v)];

  // Strides in bytes.
  emit(get(lda), cst(2), OP.i32Shl, set(lda), get(ldb), cst(2), OP.i32Shl, set(ldb));
  emit(get(ldc), cst(3), OP.i32Shl, set(ldc), get(k), cst(2), OP.i32Shl, set(kBytes));
  emit(cst(0), set(i));
  emit(OP.block, OP.void, OP.loop, OP.void);
  emit(get(i), get(m), OP.i32GeU, OP.br_if, 1);
  emit(get(a), get(i), get(lda), OP.i32Mul, OP.i32Add, tee(pa0), get(lda), OP.i32Add, set(pa1));
  emit(cst(0), set(j));
  emit(OP.block, OP.void, OP.loop, OP.void);
  emit(get(j), get(n), OP.i32GeU, OP.br_if, 1);
  emit(get(b), get(j), get(ldb), OP.i32Mul, OP.i32Add, tee(pb[0]));
  emit(get(ldb), OP.i32Add, tee(pb[1]), get(ldb), OP.i32Add, tee(pb[2]), get(ldb), OP.i32Add, set(pb[3]));
  for (const x of acc) emit(simd(SIMD.v128Const, ...new Array<number>(16).fill(0)), set(x));
  emit(cst(0), set(t));
  emit(OP.block, OP.void, OP.loop, OP.void);
  emit(get(t), get(kBytes), OP.i32GeU, OP.br_if, 1);
  for (let r = 0; r < 2; r++) emit(get([pa0, pa1][r]), get(t), OP.i32Add, simd(SIMD.v128Load, 2, 0), set(va[r]));
  for (let q = 0; q < 4; q++) emit(get(pb[q]), get(t), OP.i32Add, simd(SIMD.v128Load, 2, 0), set(vb[q]));
  for (let r = 0; r < 2; r++) {
    for (let q = 0; q < 4; q++) {
      const x = acc[r * 4 + q];
      emit(get(x), get(va[r]), get(vb[q]), simd(SIMD.f32x4Mul), simd(SIMD.f32x4Add), set(x));
    }
  }
  emit(get(t), cst(16), OP.i32Add, set(t));
  emit(OP.br, 0, OP.end, OP.end);
  // Fold the 8 accumulators (4 lanes each, summed in float64) into C.
  emit(get(c), get(i), get(ldc), OP.i32Mul, OP.i32Add, get(j), cst(3), OP.i32Shl, OP.i32Add);
  emit(tee(pc0), get(ldc), OP.i32Add, set(pc1));
  for (let r = 0; r < 2; r++) {
    for (let q = 0; q < 4; q++) {
      const p = [pc0, pc1][r];
      const x = acc[r * 4 + q];
      emit(get(p), get(p), OP.f64Load, 3, ...uleb(q * 8));
      for (let lane = 0; lane < 4; lane++) {
        emit(get(x), simd(SIMD.f32x4ExtractLane, lane), OP.f64PromoteF32);
        if (lane) emit(OP.f64Add);
      }
      emit(OP.f64Add, OP.f64Store, 3, ...uleb(q * 8));
    }
  }
  emit(get(j), cst(4), OP.i32Add, set(j));
  emit(OP.br, 0, OP.end, OP.end);
  emit(get(i), cst(2), OP.i32Add, set(i));
  emit(OP.br, 0, OP.end, OP.end);
  emit(OP.end);

  const locals = [2, ...uleb(i32Locals), I32, ...uleb(v128Locals), V128];
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(new Array<number[]>(9).fill([I32])), 0x00]])),
    ...section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('gemm'), 0x00, 0]])),
    ...section(10, vec([gemmFunctionBody()])),
  ]);
}

type GemmFn = (a: number, lda: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number) => void;

let compiled: WebAssembly.Module | null | undefined;
let forceJs = false;
/** The memory and kernel reused by products inside withRetainedScratch (null outside it). */
let retained: { memory: WebAssembly.Memory; kernel: GemmFn } | null = null;
let retainDepth = 0;

/**
 * Run fn with one WebAssembly memory reused by every product inside it; released when the
 * outermost call returns (nested calls share it). The products' results are the same bits
 * either way: the scratch is zeroed before each product, as a fresh memory is.
 */
export function withRetainedScratch<T>(fn: () => T): T {
  retainDepth++;
  try {
    return fn();
  } finally {
    if (--retainDepth === 0) retained = null;
  }
}

function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(moduleBytes());
    } catch {
      compiled = null; // no WebAssembly SIMD: the JS kernel does everything
    }
  }
  return compiled;
}

/** Which kernel big products use ('wasm-simd' unless unavailable or disabled for a test). */
export function kernelKind(): 'wasm-simd' | 'js' {
  return !forceJs && wasmModule() ? 'wasm-simd' : 'js';
}

/** Test hook: route every product through the plain-JS kernel (true) or back to automatic. */
export function setForceJsKernel(on: boolean): void {
  forceJs = on;
}

// ---------------------------------------------------------------------------------------------
// Operands: how to lay a matrix (or a subset of its rows, centred, weighted, transposed) into
// row-major float32 with padded stride.

/** A source matrix for the product, with an optional row subset / centring / row weights. */
export interface Operand {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
  /** Use only these rows (in this order). */
  subset?: ArrayLike<number>;
  /** Subtract this vector (length cols) from every row. */
  center?: ArrayLike<number>;
  /** Multiply (centred) row r by scale[r] (indexed like the source rows, not the subset). */
  rowScale?: ArrayLike<number>;
  /** Use the transpose: the operand's rows are the source's columns (length = subset size). */
  transpose?: boolean;
}

interface Shape {
  rows: number;
  cols: number;
}

function shapeOf(op: Operand): Shape {
  const srcRows = op.subset ? op.subset.length : op.rows;
  return op.transpose ? { rows: op.cols, cols: srcRows } : { rows: srcRows, cols: op.cols };
}

function checkOperand(op: Operand, what: string): void {
  if (op.data.length < op.rows * op.cols) {
    throw new RangeError(`${what}: ${op.data.length} values for ${op.rows} × ${op.cols}`);
  }
}

/** Write op (as laid out) into dst at row stride ld (floats), zero padding untouched. */
function layOut(op: Operand, dst: Float32Array | Float64Array, ld: number): void {
  const { data, cols, subset, center, rowScale } = op;
  const srcRows = subset ? subset.length : op.rows;
  if (!op.transpose) {
    for (let r = 0; r < srcRows; r++) {
      const src = subset ? subset[r] : r;
      const s = rowScale ? rowScale[src] : 1;
      const off = src * cols;
      const o = r * ld;
      if (!center && s === 1) {
        dst.set(data.subarray(off, off + cols), o);
      } else {
        for (let c = 0; c < cols; c++) dst[o + c] = (data[off + c] - (center ? center[c] : 0)) * s;
      }
    }
    return;
  }
  // Transposed: dst[c][r] = (data[src(r)][c] - center[c]) * scale; blocked for cache.
  const B = 32;
  for (let r0 = 0; r0 < srcRows; r0 += B) {
    const r1 = Math.min(srcRows, r0 + B);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(cols, c0 + B);
      for (let r = r0; r < r1; r++) {
        const src = subset ? subset[r] : r;
        const s = rowScale ? rowScale[src] : 1;
        const off = src * cols;
        for (let c = c0; c < c1; c++) dst[c * ld + r] = (data[off + c] - (center ? center[c] : 0)) * s;
      }
    }
  }
}

const ceilTo = (v: number, q: number) => Math.ceil(v / q) * q;

// ---------------------------------------------------------------------------------------------
// The product.

/**
 * C = A · Bᵀ where A is m × k and B is n × k (after subset / transpose). Returns m × n float64
 * (in `into` when it is long enough: a view of its start).
 * `symmetric`: A and B are the same operand, so only the upper triangle is computed and mirrored.
 */
export function gemm(A: Operand, B: Operand, symmetric = false, into?: Float64Array): Float64Array {
  checkOperand(A, 'gemm left operand');
  checkOperand(B, 'gemm right operand');
  const sa = shapeOf(A);
  const sb = shapeOf(B);
  if (sa.cols !== sb.cols) throw new RangeError(`gemm: inner dimensions ${sa.cols} and ${sb.cols} differ`);
  const m = sa.rows, n = sb.rows, k = sa.cols;
  if (symmetric && m !== n) throw new RangeError('gemm: a symmetric product needs a square result');
  // `into`: a buffer the caller reuses (every entry of the result is written; zeros for k = 0).
  const out = into && into.length >= m * n ? into.subarray(0, m * n) : new Float64Array(m * n);
  if (m === 0 || n === 0 || k === 0) return out.fill(0);
  const mod = forceJs ? null : wasmModule();
  if (!mod || m * n * k < SMALL_WORK) jsGemm(A, sa, B, sb, symmetric, out);
  else wasmGemm(mod, A, sa, B, sb, symmetric, out);
  if (symmetric) {
    for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i];
  }
  return out;
}

function wasmGemm(mod: WebAssembly.Module, A: Operand, sa: Shape, B: Operand, sb: Shape, symmetric: boolean, out: Float64Array): void {
  const m = sa.rows, n = sb.rows, k = sa.cols;
  const kp = ceilTo(k, 4);
  const mp = ceilTo(m, 2);
  const np = ceilTo(n, J_BLOCK);
  // Symmetric: B is A, read up to np rows, so A gets np (zero) rows.
  const aBytes = ceilTo((symmetric ? np : mp) * kp * 4, 16);
  const bBytes = symmetric ? 0 : ceilTo(np * kp * 4, 16);
  const cBytes = mp * np * 8;
  const total = aBytes + bBytes + cBytes;
  if (total > 0x7fff0000) throw new RangeError(`gemm: ${m}×${k} by ${n}×${k} needs ${total} bytes of scratch (over 2 GB)`);
  const pages = Math.ceil(total / 65536);
  let memory: WebAssembly.Memory;
  let kernel: GemmFn;
  if (retainDepth > 0 && retained) {
    ({ memory, kernel } = retained);
    const have = memory.buffer.byteLength / 65536;
    if (pages > have) memory.grow(pages - have);
    new Uint8Array(memory.buffer, 0, total).fill(0);
  } else {
    memory = new WebAssembly.Memory({ initial: pages });
    kernel = new WebAssembly.Instance(mod, { env: { mem: memory } }).exports.gemm as GemmFn;
    if (retainDepth > 0) retained = { memory, kernel };
  }
  const aOff = 0;
  const bOff = symmetric ? 0 : aBytes;
  const cOff = aBytes + bBytes;
  layOut(A, new Float32Array(memory.buffer, aOff, mp * kp), kp);
  if (!symmetric) layOut(B, new Float32Array(memory.buffer, bOff, np * kp), kp);
  for (let k0 = 0; k0 < kp; k0 += K_BLOCK) {
    const kk = Math.min(K_BLOCK, kp - k0);
    for (let j0 = 0; j0 < np; j0 += J_BLOCK) {
      // Symmetric: rows 0 .. j0 + J_BLOCK cover the upper triangle of this column block.
      const rows = symmetric ? Math.min(mp, ceilTo(j0 + J_BLOCK, 2)) : mp;
      kernel(aOff + k0 * 4, kp, bOff + (j0 * kp + k0) * 4, kp, cOff + j0 * 8, np, rows, J_BLOCK, kk);
    }
  }
  const c = new Float64Array(memory.buffer, cOff, mp * np);
  for (let i = 0; i < m; i++) out.set(c.subarray(i * np, i * np + n), i * n);
}

function jsGemm(A: Operand, sa: Shape, B: Operand, sb: Shape, symmetric: boolean, out: Float64Array): void {
  const m = sa.rows, n = sb.rows, k = sa.cols;
  // Lay out in float64 (exact for small test products; the wasm path rounds operands to float32).
  const a = new Float64Array(m * k);
  layOut(A, a, k);
  const b = symmetric ? a : new Float64Array(n * k);
  if (!symmetric) layOut(B, b, k);
  for (let i = 0; i < m; i++) {
    const ao = i * k;
    for (let j = symmetric ? i : 0; j < n; j++) {
      const bo = j * k;
      let s0 = 0, s1 = 0;
      let t = 0;
      for (; t + 1 < k; t += 2) {
        s0 += a[ao + t] * b[bo + t];
        s1 += a[ao + t + 1] * b[bo + t + 1];
      }
      if (t < k) s0 += a[ao + t] * b[bo + t];
      out[i * n + j] = s0 + s1;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Convenience shapes.

/** Row-major matrix view used across metric/. */
export interface Mat {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

/** Rows per crossProduct chunk: keeps one chunk's scratch copy near 256 MB. */
const CHUNK_BYTES = 256 * 1024 * 1024;

/**
 * Σ_r w_r (x_r − c)(x_r − c)ᵀ over the chosen rows (cols × cols), w_r = rowScale[r]². Tall inputs
 * are summed in row chunks so the scratch memory stays bounded.
 */
export function crossProduct(
  X: Mat,
  opts: { subset?: ArrayLike<number>; center?: ArrayLike<number>; rowScale?: ArrayLike<number>; chunkRows?: number } = {},
): Float64Array {
  const rows = opts.subset ? opts.subset.length : X.rows;
  const chunk = opts.chunkRows ?? Math.max(64, Math.floor(CHUNK_BYTES / (4 * Math.max(1, X.cols))));
  const base = { subset: opts.subset, center: opts.center, rowScale: opts.rowScale };
  if (rows <= chunk) {
    const op: Operand = { ...X, ...base, transpose: true };
    return gemm(op, op, true);
  }
  const all = opts.subset ?? Int32Array.from({ length: X.rows }, (_, i) => i);
  const out = new Float64Array(X.cols * X.cols);
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const subset = Array.prototype.slice.call(all, r0, Math.min(rows, r0 + chunk)) as number[];
    const op: Operand = { ...X, ...base, subset, transpose: true };
    const part = gemm(op, op, true);
    for (let i = 0; i < out.length; i++) out[i] += part[i];
  }
  return out;
}

/** (X − c)(X − c)ᵀ over the chosen rows: the Gram matrix (rows × rows). */
export function gramMatrix(X: Mat, opts: { subset?: ArrayLike<number>; center?: ArrayLike<number> } = {}): Float64Array {
  const op: Operand = { ...X, ...opts };
  return gemm(op, op, true);
}

/** A · B for row-major A (m × k) and B (k × n): B is laid out transposed on the way in. */
export function matmul(A: Mat, B: Mat, opts: { aSubset?: ArrayLike<number>; aCenter?: ArrayLike<number> } = {}): Float64Array {
  if (A.cols !== B.rows) throw new RangeError(`matmul: ${A.rows}×${A.cols} by ${B.rows}×${B.cols}`);
  return gemm({ ...A, subset: opts.aSubset, center: opts.aCenter }, { ...B, transpose: true });
}

/** A · Bᵀ for row-major A (m × k) and B (n × k). */
export function matmulABt(A: Mat, B: Mat): Float64Array {
  return gemm({ ...A }, { ...B });
}
