import { indexFault } from './errors.js';
import type { SearchHit } from './vector-index.js';

/** Higher score first; equal scores by id ascending. */
export function compareHits(a: SearchHit, b: SearchHit): number {
  return b.score - a.score || a.id - b.id;
}

/**
 * Ranks one query's candidates and keeps k. `complete` says the candidates are every stored
 * item or the engine returned fewer than it was asked for; otherwise a tie at position k that
 * reaches the last candidate may continue beyond what was fetched, and `null` asks the caller
 * to fetch more.
 */
export function topK(candidates: SearchHit[], k: number, complete: boolean): SearchHit[] | null {
  candidates.sort(compareHits);
  if (candidates.length > k && !complete) {
    const boundary = candidates[k - 1]!.score;
    if (candidates[candidates.length - 1]!.score === boundary) return null;
  }
  return candidates.slice(0, k);
}

/** Copies ids to a Float64Array after checking: safe non-negative integers, no duplicate in the batch. */
export function checkIds(ids: ArrayLike<number>): Float64Array {
  const out = new Float64Array(ids.length);
  const seen = new Set<number>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!Number.isSafeInteger(id) || id < 0) {
      throw indexFault('BAD_INDEX_INPUT', `Expected ids to be non-negative integers but ids[${i}] is ${id}`);
    }
    if (seen.has(id)) throw indexFault('BAD_INDEX_INPUT', `Id ${id} appears twice in one add`);
    seen.add(id);
    out[i] = id;
  }
  return out;
}

/** Checks a block of n x dim vectors (length, finite values); returns n. */
export function checkVectors(vectors: Float32Array, dim: number, what: string, n?: number): number {
  if (!(vectors instanceof Float32Array)) {
    throw indexFault('BAD_INDEX_INPUT', `Expected ${what} as a Float32Array (n x ${dim}, row-major)`);
  }
  if (vectors.length % dim !== 0) {
    throw indexFault('BAD_INDEX_INPUT', `Expected ${what} length to be a multiple of dim ${dim} but it is ${vectors.length}`);
  }
  const rows = vectors.length / dim;
  if (n !== undefined && rows !== n) {
    throw indexFault('BAD_INDEX_INPUT', `Expected ${n} ${what} (one per id) but got ${rows}`);
  }
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i]!)) {
      throw indexFault('BAD_INDEX_INPUT', `Expected finite ${what} but row ${Math.floor(i / dim)} has ${vectors[i]}`);
    }
  }
  return rows;
}

export function checkK(k: number): void {
  if (!Number.isSafeInteger(k) || k < 0) {
    throw indexFault('BAD_INDEX_INPUT', `Expected k to be a non-negative integer but received ${k}`);
  }
}

/**
 * A readers-writer lock for async work: searches and saves share the native index, while
 * applying adds and removes (or a rebuild) is exclusive. First come, first served.
 *
 * Readers may also name a mode, a setting of the shared resource that every reader of that mode
 * needs (FAISS's efSearch and nprobe are fields of the index object, not arguments of a search).
 * Readers of one mode share the resource; switching it to another mode waits until no reader at
 * all is inside, then `applyMode` runs before anyone enters, so a reader never sees a setting
 * change under it. Readers without a mode (saves) share with any mode. A writer may replace the
 * resource, so after one the mode is unknown and is applied again by the next reader.
 */
export class AsyncRwLock {
  private readers = 0;
  private writing = false;
  private mode: string | undefined;
  private readonly waiting: { write: boolean; mode: string | undefined; wake: (failure: ModeFailure) => void }[] = [];

  constructor(private readonly applyMode: (mode: string) => void = () => {}) {}

  read<T>(fn: () => Promise<T>, mode?: string): Promise<T> {
    return this.run(false, mode, fn);
  }

  write<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(true, undefined, fn);
  }

  private async run<T>(write: boolean, mode: string | undefined, fn: () => Promise<T>): Promise<T> {
    const failure =
      !this.canEnter(write, mode) || this.waiting.length > 0
        ? await new Promise<ModeFailure>((wake) => this.waiting.push({ write, mode, wake }))
        : this.enter(write, mode);
    try {
      if (failure) throw failure.error;
      return await fn();
    } finally {
      if (write) {
        this.writing = false;
        this.mode = undefined;
      } else {
        this.readers--;
      }
      this.wakeNext();
    }
  }

  private canEnter(write: boolean, mode: string | undefined): boolean {
    if (this.writing) return false;
    if (write) return this.readers === 0;
    return mode === undefined || mode === this.mode || this.readers === 0;
  }

  /** Switches the mode synchronously on entering, while the entrant is alone (canEnter saw to it). */
  private enter(write: boolean, mode: string | undefined): ModeFailure {
    if (write) {
      this.writing = true;
      return undefined;
    }
    this.readers++;
    if (mode === undefined || mode === this.mode) return undefined;
    this.mode = undefined;
    try {
      this.applyMode(mode);
    } catch (error) {
      return { error };
    }
    this.mode = mode;
    return undefined;
  }

  private wakeNext(): void {
    while (this.waiting.length > 0 && this.canEnter(this.waiting[0]!.write, this.waiting[0]!.mode)) {
      const next = this.waiting.shift()!;
      next.wake(this.enter(next.write, next.mode));
      if (next.write) break;
    }
  }
}

/** Why a reader could not switch the lock's mode (the error applyMode threw), or undefined. */
type ModeFailure = { error: unknown } | undefined;
