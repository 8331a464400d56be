import { ImsearchError } from '../errors/error-codes.js';
import { metricInputBug } from './errors.js';

/** A gallery label: class name or integer class id; null / undefined / '' = unlabelled. */
export type Label = string | number | null | undefined;

export interface ClassIndex {
  /** Class id of each item (index into `names`), −1 when unlabelled. */
  classOf: Int32Array;
  /** Class names, sorted (numbers are stringified). */
  names: string[];
  /** Items per class. */
  counts: Int32Array;
  /** Items with a label. */
  labelled: number;
}

export function labelKey(l: Label): string | null {
  if (l === null || l === undefined) return null;
  const s = typeof l === 'number' ? (Number.isFinite(l) ? String(l) : '') : String(l);
  return s === '' ? null : s;
}

export function indexLabels(labels: readonly Label[], n: number): ClassIndex {
  if (labels.length !== n) {
    throw metricInputBug(`labels: ${labels.length} labels for ${n} vectors (one label, or null, per vector)`);
  }
  const keys = labels.map(labelKey);
  const names = [...new Set(keys.filter((k): k is string => k !== null))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const id = new Map(names.map((name, i) => [name, i]));
  const classOf = new Int32Array(n);
  const counts = new Int32Array(names.length);
  let labelled = 0;
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    if (k === null) {
      classOf[i] = -1;
      continue;
    }
    const c = id.get(k) as number;
    classOf[i] = c;
    counts[c]++;
    labelled++;
  }
  return { classOf, names, counts, labelled };
}

/**
 * Refuse label-using fits on data that cannot support them: at least two classes with two or
 * more items each (same-class pairs and different-class pairs must both exist).
 */
export function requireLabels(ci: ClassIndex, what: string): void {
  const n = ci.classOf.length;
  if (ci.labelled === 0) {
    throw new ImsearchError(
      'NOT_LABELLED',
      `${what} learns from labels, but none of the ${n} items has one: label the collection (one folder per class, or labels on upload), or use method "identity" or "pca"`,
    );
  }
  let usable = 0;
  for (const c of ci.counts) if (c >= 2) usable++;
  if (usable < 2) {
    throw new ImsearchError(
      'NOT_LABELLED',
      `${what} needs at least 2 classes with 2 or more labelled items each; got ${ci.names.length} class(es), ${usable} with ≥ 2 items (${ci.labelled} of ${n} items labelled)`,
    );
  }
}
