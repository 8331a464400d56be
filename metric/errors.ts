/**
 * metric/ throws the product's one error type, ImsearchError (errors/error-codes.ts):
 *   BAD_USER_INPUT     a parameter out of range or of the wrong form (method, pcaDim, holdout, …);
 *   NOT_LABELLED       a label-using fit on data without labels, or without 2 classes of ≥ 2 items
 *                      (also: no usable class structure at a dimension, which CV skips);
 *   COLLECTION_BROKEN  a stored metric artifact that does not parse or is of another version;
 *   INTERNAL_SERVER_ERROR, through metricInputBug: see there.
 */
import { ImsearchError } from '../errors/error-codes.js';

/**
 * Malformed arrays handed over by our own code (wrong dimension, NaN, mismatched lengths): no
 * client can cause or fix them, so they are internal errors (the API masks and logs them); the
 * `reason` detail still tells them apart from other internal failures.
 */
export function metricInputBug(message: string): ImsearchError {
  return new ImsearchError('INTERNAL_SERVER_ERROR', message, { reason: 'metric-input' });
}
