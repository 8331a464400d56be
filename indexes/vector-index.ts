/** One ranked neighbour. Higher score = more similar for every index kind (L2 reports -distance²). */
export interface SearchHit {
  id: number;
  score: number;
}

export type IndexMetric = 'ip' | 'l2';

/**
 * A vector index over caller-chosen integer ids (stable, never renumbered by removals).
 * Vectors are row-major Float32Array blocks of n x dim.
 */
export interface VectorIndex {
  readonly spec: string;
  readonly dim: number;
  readonly metric: IndexMetric;
  size(): number;
  add(ids: ArrayLike<number>, vectors: Float32Array): void;
  remove(ids: ArrayLike<number>): void;
  /** k is clamped to size(); ties broken by id ascending. Runs off the event loop. */
  search(queries: Float32Array, k: number): Promise<SearchHit[][]>;
  save(file: string): Promise<void>;
}
