import { IndexError } from './errors.js';
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
      throw new IndexError('BAD_INDEX_INPUT', `Expected ids to be non-negative integers but ids[${i}] is ${id}`);
    }
    if (seen.has(id)) throw new IndexError('BAD_INDEX_INPUT', `Id ${id} appears twice in one add`);
    seen.add(id);
    out[i] = id;
  }
  return out;
}

/** Checks a block of n x dim vectors (length, finite values); returns n. */
export function checkVectors(vectors: Float32Array, dim: number, what: string, n?: number): number {
  if (!(vectors instanceof Float32Array)) {
    throw new IndexError('BAD_INDEX_INPUT', `Expected ${what} as a Float32Array (n x ${dim}, row-major)`);
  }
  if (vectors.length % dim !== 0) {
    throw new IndexError('BAD_INDEX_INPUT', `Expected ${what} length to be a multiple of dim ${dim} but it is ${vectors.length}`);
  }
  const rows = vectors.length / dim;
  if (n !== undefined && rows !== n) {
    throw new IndexError('BAD_INDEX_INPUT', `Expected ${n} ${what} (one per id) but got ${rows}`);
  }
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i]!)) {
      throw new IndexError('BAD_INDEX_INPUT', `Expected finite ${what} but row ${Math.floor(i / dim)} has ${vectors[i]}`);
    }
  }
  return rows;
}

export function checkK(k: number): void {
  if (!Number.isSafeInteger(k) || k < 0) {
    throw new IndexError('BAD_INDEX_INPUT', `Expected k to be a non-negative integer but received ${k}`);
  }
}

/**
 * A readers-writer lock for async work: searches and saves share the native index, while
 * applying adds and removes (or a rebuild) is exclusive. First come, first served.
 */
export class AsyncRwLock {
  private readers = 0;
  private writing = false;
  private readonly waiting: { write: boolean; wake: () => void }[] = [];

  read<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(false, fn);
  }

  write<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(true, fn);
  }

  private async run<T>(write: boolean, fn: () => Promise<T>): Promise<T> {
    if (!this.canEnter(write) || this.waiting.length > 0) {
      await new Promise<void>((wake) => this.waiting.push({ write, wake }));
    } else {
      this.enter(write);
    }
    try {
      return await fn();
    } finally {
      if (write) this.writing = false;
      else this.readers--;
      this.wakeNext();
    }
  }

  private canEnter(write: boolean): boolean {
    return write ? !this.writing && this.readers === 0 : !this.writing;
  }

  private enter(write: boolean): void {
    if (write) this.writing = true;
    else this.readers++;
  }

  private wakeNext(): void {
    while (this.waiting.length > 0 && this.canEnter(this.waiting[0]!.write)) {
      const next = this.waiting.shift()!;
      this.enter(next.write);
      next.wake();
      if (next.write) break;
    }
  }
}
