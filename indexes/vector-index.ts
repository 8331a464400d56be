import type { SearchKnob, SearchParams } from './search-params.js';

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
  /** The spec string as given (build options and default search options). */
  readonly spec: string;
  /** The canonical build part of the spec: what decides whether a saved file can be reused. */
  readonly buildKey: string;
  readonly dim: number;
  readonly metric: IndexMetric;
  /** The search knobs this index takes; `search` refuses the others. */
  readonly searchKnobs: readonly SearchKnob[];
  /** The search parameters used where a call gives none (from the spec, else the kind's defaults). */
  readonly searchDefaults: Readonly<SearchParams>;
  size(): number;
  add(ids: ArrayLike<number>, vectors: Float32Array): void;
  remove(ids: ArrayLike<number>): void;
  /**
   * k is clamped to size(); ties broken by id ascending. Runs off the event loop. `params`
   * overrides searchDefaults for this call only (concurrent searches do not see each other's);
   * an unknown knob, a bad value or a knob this index does not take is BAD_USER_INPUT.
   */
  search(queries: Float32Array, k: number, params?: SearchParams): Promise<SearchHit[][]>;
  /**
   * Writes the index to `file` and its sidecar beside it. Not atomic on its own: the collection
   * store writes into a fresh directory, fsyncs it and renames it into place whole.
   */
  save(file: string): Promise<void>;
}
