/**
 * A fit must not depend on the order its rows are handed over in: the split shuffles each class's
 * members in row order, the scatter and class sums add rows in row order, and shortlist ties go
 * to the lower row. Given stable ids (a collection's item ids, or any distinct keys), the rows are
 * put in ascending id order before anything is computed, so every one of those follows the ids.
 */
import { ImsearchError } from '../errors/error-codes.js';

export type RowIds = readonly number[] | readonly string[];

/** The row permutation that sorts `ids` ascending (numbers by value, strings by code units). */
export function ascendingIdOrder(ids: RowIds, n: number): Int32Array {
  if (ids.length !== n) throw new ImsearchError('BAD_USER_INPUT', `ids: ${ids.length} ids for ${n} vectors (one per vector)`);
  const numeric = typeof ids[0] === 'number';
  for (const id of ids) {
    if (numeric ? !(typeof id === 'number' && Number.isFinite(id)) : typeof id !== 'string') {
      throw new ImsearchError('BAD_USER_INPUT', 'ids: all finite numbers or all strings');
    }
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  for (let i = 1; i < n; i++) {
    if (ids[order[i]] === ids[order[i - 1]]) throw new ImsearchError('BAD_USER_INPUT', `ids: ${JSON.stringify(ids[order[i]])} is given twice`);
  }
  return order;
}

/**
 * Rows of an n × dim matrix in the given order: X itself when the order is already the identity
 * (a collection hands its rows over in id order; the fit only reads them, and a copy of a large
 * gallery and of each of its views would double the fit's memory).
 */
export function permuteRows(X: Float32Array, dim: number, order: Int32Array): Float32Array {
  if (order.every((src, dst) => src === dst)) return X;
  const out = new Float32Array(X.length);
  order.forEach((src, dst) => out.set(X.subarray(src * dim, (src + 1) * dim), dst * dim));
  return out;
}
