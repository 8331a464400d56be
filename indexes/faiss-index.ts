import fsp from 'node:fs/promises';
import { AsyncRwLock, checkIds, checkK, checkVectors, topK } from './common.js';
import { ImsearchError } from '../errors/error-codes.js';
import { badSpec, indexFault } from './errors.js';
import { type FaissSidecar, writeSidecar } from './files.js';
import { FAISS_METRIC, type NativeFaissIndex, loadFaiss } from './native.js';
import { type SearchKnob, type SearchParams, resolveSearchParams } from './search-params.js';
import { type BuildSpec, type ParsedSpec, defaultNlist, defaultPqM } from './spec.js';
import type { IndexMetric, SearchHit, VectorIndex } from './vector-index.js';

export type FaissSpec = ParsedSpec & { build: Exclude<BuildSpec, { kind: 'annoy' }> };

interface AddOp {
  kind: 'add';
  ids: Float64Array;
  vectors: Float32Array;
  /** Ids removed again before this op reached FAISS: dropped when it is applied. */
  cancelled: Set<number>;
}
interface RemoveOp {
  kind: 'remove';
  /** Consecutive remove calls share one op (FAISS rebuilds an IDMap2's reverse map per call)... */
  ids: number[];
  /** ...until it starts being applied. */
  started: boolean;
}
type Op = AddOp | RemoveOp;

/** FAISS's k-means keeps at most this many training points per centroid. */
const MAX_POINTS_PER_CENTROID = 256;
/** Tombstones (removed but still stored) beyond this fraction of the stored vectors trigger a rebuild. */
const TOMBSTONE_REBUILD_FRACTION = 0.1;

/** How a build spec maps onto FAISS: factory string, fixed parameters, training needs. */
interface FaissPlan {
  factory(trainRows: number): string;
  /** ParameterSpace settings fixed for the index's life (HNSW's efConstruction: set before adding). */
  params: string | undefined;
  /** Smallest first build that can train, when known; 0 when no training is needed. */
  minTrain: number;
  /** Training rows worth passing (FAISS subsamples beyond this anyway). */
  trainCap(trainRows: number): number;
}

function planFor(parsed: FaissSpec['build'], dim: number): FaissPlan {
  switch (parsed.kind) {
    case 'flat':
      return { factory: () => 'IDMap2,Flat', params: undefined, minTrain: 0, trainCap: () => 0 };
    case 'hnsw':
      return {
        factory: () => `IDMap2,HNSW${parsed.M},Flat`,
        params: `efConstruction=${parsed.efConstruction}`,
        minTrain: 0,
        trainCap: () => 0,
      };
    case 'ivfpq': {
      const m = parsed.m ?? defaultPqM(dim);
      const codebook = 2 ** parsed.nbits;
      const nlistFor = (n: number) => parsed.nlist ?? defaultNlist(n);
      // IVF lists hold caller ids natively (IDMap over IVF breaks on removal); "np": no polysemous training.
      return {
        factory: (n) => `IVF${nlistFor(n)},PQ${m}x${parsed.nbits}np`,
        params: undefined,
        minTrain: Math.max(codebook, parsed.nlist ?? 1),
        trainCap: (n) => Math.max(nlistFor(n), codebook) * MAX_POINTS_PER_CENTROID,
      };
    }
    case 'faiss': {
      const nativeIds = /(^|,)\s*IVF/i.test(parsed.factory);
      return {
        factory: () => (nativeIds ? parsed.factory : `IDMap2,${parsed.factory}`),
        params: parsed.params,
        minTrain: 0,
        trainCap: () => 1 << 20,
      };
    }
  }
}

/** Search parameters as a ParameterSpace string, in the index's knob order (one string per setting). */
function parameterString(knobs: readonly SearchKnob[], params: SearchParams): string {
  return knobs.map((knob) => `${knob}=${params[knob]}`).join(',');
}

function nativeMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  // FAISS prefixes "Error in <signature> at <file>:<line>: "; keep the reason.
  const m = /^Error in .* at [^ ]+:\d+: (?:Error: )?(.*)$/s.exec(message);
  return (m ? m[1]! : message).trim();
}

export class FaissVectorIndex implements VectorIndex {
  readonly metric: IndexMetric;
  readonly buildKey: string;
  readonly searchKnobs: readonly SearchKnob[];
  readonly searchDefaults: Readonly<SearchParams>;
  private readonly plan: FaissPlan;
  private native: NativeFaissIndex | null;
  /** Ids callers see: stored, plus pending adds, minus removals. */
  private readonly live = new Set<number>();
  private readonly pending: Op[] = [];
  private readonly pendingAdd = new Map<number, AddOp>();
  private readonly tombstones = new Set<number>();
  /** Whether FAISS can delete from this index (HNSW cannot): learned at the first removal. */
  private canRemove: boolean | undefined;
  /** efSearch and nprobe are fields of the FAISS index: searches that need other values take turns. */
  private readonly lock = new AsyncRwLock((params) => this.applySearchParameters(params));
  private currentFactory = '';

  private constructor(
    readonly spec: string,
    parsed: FaissSpec,
    readonly dim: number,
    native: NativeFaissIndex | null,
  ) {
    this.metric = parsed.build.metric;
    this.buildKey = parsed.buildKey;
    this.searchKnobs = parsed.searchKnobs;
    this.searchDefaults = parsed.search;
    this.plan = planFor(parsed.build, dim);
    this.native = native;
  }

  static create(spec: string, parsed: FaissSpec, dim: number): FaissVectorIndex {
    const index = new FaissVectorIndex(spec, parsed, dim, null);
    // Build the FAISS index now when its shape is known, so a bad factory string or parameter fails here.
    const shapeLater = parsed.build.kind === 'ivfpq' && parsed.build.nlist === undefined;
    const probe = index.newNative(shapeLater ? 1 : 0);
    if (!shapeLater) index.native = probe;
    return index;
  }

  /** `spec` is the one to open the file with: its build part is the file's, its search options the defaults. */
  static async load(file: string, meta: FaissSidecar, spec: string, parsed: FaissSpec): Promise<FaissVectorIndex> {
    let native: NativeFaissIndex | null = null;
    if (meta.hasNative) {
      try {
        native = await loadFaiss().Index.readAsync(file);
      } catch (e) {
        throw indexFault('BAD_INDEX_FILE', `Cannot read the FAISS index ${file}: ${nativeMessage(e)}`, { cause: e });
      }
      if (native.getDimension() !== meta.dim || native.metricType() !== FAISS_METRIC[meta.metric]) {
        throw indexFault('BAD_INDEX_FILE', `The FAISS index ${file} does not match its sidecar (dim ${meta.dim}, metric ${meta.metric})`);
      }
    }
    const index = new FaissVectorIndex(spec, parsed, meta.dim, native);
    for (const id of meta.tombstones) index.tombstones.add(id);
    if (native) {
      index.applyFixedParameters(native);
      for (const id of native.ids()) {
        const n = Number(id);
        if (!index.tombstones.has(n)) index.live.add(n);
      }
    }
    return index;
  }

  /** The FAISS factory string and fixed parameters in use (for reports). */
  details(): { factory: string | null; params: string | undefined; stored: number; tombstones: number } {
    return {
      factory: this.native ? this.currentFactory : null,
      params: this.plan.params,
      stored: this.native?.ntotal() ?? 0,
      tombstones: this.tombstones.size,
    };
  }

  /** A new FAISS index for the plan, with its fixed parameters and the default search parameters. */
  private newNative(trainRows: number): NativeFaissIndex {
    const factory = this.plan.factory(trainRows);
    let native: NativeFaissIndex;
    try {
      native = loadFaiss().Index.fromFactory(this.dim, factory, FAISS_METRIC[this.metric]);
      this.applyFixedParameters(native);
    } catch (e) {
      if (e instanceof ImsearchError) throw e;
      throw badSpec(this.spec, `FAISS rejects "${factory}": ${nativeMessage(e)}`, { cause: e });
    }
    this.currentFactory = factory;
    return native;
  }

  /** Fixed parameters, plus the default search ones so a bad spec value fails when the index is made. */
  private applyFixedParameters(native: NativeFaissIndex): void {
    const params = [this.plan.params, parameterString(this.searchKnobs, this.searchDefaults)].filter(Boolean).join(',');
    if (params) native.setParameters(params);
  }

  /** The lock's mode switch: no search runs on the FAISS index meanwhile. */
  private applySearchParameters(params: string): void {
    if (!this.native) return;
    try {
      this.native.setParameters(params);
    } catch (e) {
      throw new ImsearchError('BAD_USER_INPUT', `Bad search parameters: FAISS rejects "${params}" for ${JSON.stringify(this.spec)}: ${nativeMessage(e)}`, {}, {
        cause: e,
      });
    }
  }

  size(): number {
    return this.live.size;
  }

  add(ids: ArrayLike<number>, vectors: Float32Array): void {
    const idArray = checkIds(ids);
    checkVectors(vectors, this.dim, 'vectors', idArray.length);
    for (const id of idArray) {
      if (this.live.has(id)) {
        throw indexFault('BAD_INDEX_INPUT', `Id ${id} is already in the index: remove it before adding it again`);
      }
    }
    if (idArray.length === 0) return;
    const op: AddOp = { kind: 'add', ids: idArray, vectors: vectors.slice(), cancelled: new Set() };
    for (const id of idArray) {
      this.live.add(id);
      this.pendingAdd.set(id, op);
    }
    this.pending.push(op);
  }

  remove(ids: ArrayLike<number>): void {
    const stored: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!this.live.delete(id)) continue; // unknown or already removed: nothing to do
      const op = this.pendingAdd.get(id);
      if (op) {
        op.cancelled.add(id);
        this.pendingAdd.delete(id);
      } else {
        stored.push(id);
      }
    }
    if (stored.length === 0) return;
    const last = this.pending.at(-1);
    if (last?.kind === 'remove' && !last.started) for (const id of stored) last.ids.push(id);
    else this.pending.push({ kind: 'remove', ids: stored, started: false });
  }

  async search(queries: Float32Array, k: number, params?: SearchParams): Promise<SearchHit[][]> {
    checkK(k);
    const nq = checkVectors(queries, this.dim, 'queries');
    const effective = resolveSearchParams(this.spec, this.searchKnobs, this.searchDefaults, params);
    await this.settle();
    const mode = parameterString(this.searchKnobs, effective);
    return this.lock.read(() => this.searchNow(queries, nq, k), mode || undefined);
  }

  async save(file: string): Promise<void> {
    await this.settle();
    await this.lock.read(async () => {
      const native = this.native;
      if (native) {
        try {
          await native.writeAsync(file);
        } catch (e) {
          throw indexFault('BAD_INDEX_FILE', `Cannot write the index ${file}: ${nativeMessage(e)}`, { cause: e });
        }
      } else {
        await fsp.rm(file, { force: true });
      }
      await writeSidecar(file, {
        engine: 'faiss',
        spec: this.spec,
        dim: this.dim,
        metric: this.metric,
        count: (native?.ntotal() ?? 0) - this.tombstones.size,
        hasNative: native !== null,
        tombstones: [...this.tombstones],
      });
    });
  }

  /** Applies pending adds and removes to FAISS (exclusive: no search runs meanwhile). */
  private async settle(): Promise<void> {
    while (this.pending.length > 0) {
      await this.lock.write(() => this.flush());
    }
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const op = this.pending[0]!;
      if (op.kind === 'add') await this.applyAdd(op);
      else await this.applyRemove(op);
      this.pending.shift();
    }
  }

  private async applyAdd(op: AddOp): Promise<void> {
    // From here on a removal of these ids goes to the engine, queued after this op.
    for (const id of op.ids) if (this.pendingAdd.get(id) === op) this.pendingAdd.delete(id);
    let { ids, vectors } = op;
    if (op.cancelled.size > 0) {
      const keep: number[] = [];
      ids.forEach((id, row) => op.cancelled.has(id) || keep.push(row));
      ids = Float64Array.from(keep, (row) => op.ids[row]!);
      vectors = new Float32Array(keep.length * this.dim);
      keep.forEach((row, i) => vectors.set(op.vectors.subarray(row * this.dim, (row + 1) * this.dim), i * this.dim));
    }
    if (ids.length > 0) {
      if (!this.native || !this.native.isTrained()) await this.train();
      if (ids.some((id) => this.tombstones.has(id))) await this.rebuild(); // an id comes back: drop its old vector first
      await this.native!.addWithIdsAsync(vectors, ids);
    }
  }

  /** First build of a trained kind (IVF-PQ): train on the pending vectors, sampled evenly. */
  private async train(): Promise<void> {
    const blocks = this.pending.filter((op): op is AddOp => op.kind === 'add');
    const rows = blocks.reduce((n, op) => n + op.ids.length - op.cancelled.size, 0);
    if (rows < this.plan.minTrain) {
      throw new ImsearchError(
        'TOO_FEW_TO_TRAIN',
        `Index spec ${JSON.stringify(this.spec)} trains on its first build and needs at least ${this.plan.minTrain} vectors; ` +
          `it has ${rows}. Add more vectors before searching, or use "flat" (exact) or "hnsw" for small collections.`,
      );
    }
    if (!this.native) this.native = this.newNative(rows);
    if (this.native.isTrained()) return;
    const sample = this.sample(blocks, rows, Math.min(rows, this.plan.trainCap(rows)));
    try {
      await this.native.trainAsync(sample);
    } catch (e) {
      const reason = nativeMessage(e);
      const message = `Training ${JSON.stringify(this.spec)} on ${sample.length / this.dim} vectors failed: ${reason}`;
      throw /training points|at least as large/i.test(reason)
        ? new ImsearchError('TOO_FEW_TO_TRAIN', message, {}, { cause: e })
        : indexFault('BAD_INDEX_INPUT', message, { cause: e });
    }
  }

  /** `want` rows spread evenly over the pending blocks (not just the first ones: input may be sorted by class). */
  private sample(blocks: AddOp[], rows: number, want: number): Float32Array {
    const d = this.dim;
    const out = new Float32Array(want * d);
    const step = rows / want;
    let next = 0;
    let taken = 0;
    let seen = 0;
    for (const op of blocks) {
      for (let r = 0; r < op.ids.length && taken < want; r++) {
        if (op.cancelled.has(op.ids[r]!)) continue;
        if (seen >= Math.floor(next)) {
          out.set(op.vectors.subarray(r * d, (r + 1) * d), taken * d);
          taken++;
          next += step;
        }
        seen++;
      }
    }
    return out.subarray(0, taken * d);
  }

  private async applyRemove(op: RemoveOp): Promise<void> {
    op.started = true;
    if (!this.native) return;
    if (this.canRemove !== false) {
      try {
        await this.native.removeIdsAsync(Float64Array.from(op.ids));
        this.canRemove = true;
        return;
      } catch (e) {
        if (!/not implemented/i.test(nativeMessage(e))) throw e;
        this.canRemove = false;
      }
    }
    for (const id of op.ids) this.tombstones.add(id);
    if (this.tombstones.size > TOMBSTONE_REBUILD_FRACTION * this.native.ntotal()) await this.rebuild();
  }

  /** Rebuilds an index that cannot delete from the vectors it stores, without the tombstones. */
  private async rebuild(): Promise<void> {
    const old = this.native!;
    const keep = Float64Array.from(
      [...old.ids()].map(Number).filter((id) => !this.tombstones.has(id)),
    );
    const vectors = await old.reconstructBatchAsync(keep);
    const fresh = this.newNative(keep.length);
    if (!fresh.isTrained()) await fresh.trainAsync(vectors);
    if (keep.length > 0) await fresh.addWithIdsAsync(vectors, keep);
    this.native = fresh;
    this.tombstones.clear();
  }

  private async searchNow(queries: Float32Array, nq: number, k: number): Promise<SearchHit[][]> {
    const results: SearchHit[][] = Array.from({ length: nq }, () => []);
    const native = this.native;
    if (!native || nq === 0) return results;
    const stored = native.ntotal();
    const kk = Math.min(k, stored - this.tombstones.size);
    if (kk <= 0) return results;
    const d = this.dim;
    const sign = this.metric === 'ip' ? 1 : -1;
    // One more than k to see a tie at the boundary; some slack for removed-but-stored ids.
    let fetch = Math.min(stored, kk + 1 + Math.min(this.tombstones.size, kk + 16));
    let todo = Array.from({ length: nq }, (_, i) => i);
    while (todo.length > 0) {
      let batch = queries;
      if (todo.length !== nq) {
        batch = new Float32Array(todo.length * d);
        todo.forEach((q, i) => batch.set(queries.subarray(q * d, (q + 1) * d), i * d));
      }
      const r = await native.searchAsync(batch, fetch);
      const again: number[] = [];
      todo.forEach((q, i) => {
        const hits: SearchHit[] = [];
        let returned = 0;
        for (let c = 0; c < r.k; c++) {
          const label = r.labels[i * r.k + c]!;
          if (label < 0n) continue;
          returned++;
          const id = Number(label);
          if (this.tombstones.has(id)) continue;
          hits.push({ id, score: sign * r.distances[i * r.k + c]! });
        }
        const complete = r.k >= stored || returned < r.k;
        const ranked = hits.length > kk || complete ? topK(hits, kk, complete) : null;
        if (ranked) results[q] = ranked;
        else again.push(q);
      });
      todo = again;
      fetch = Math.min(stored, fetch * 2);
    }
    return results;
  }
}
