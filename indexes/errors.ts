import { ImsearchError } from '../errors/error-codes.js';

/**
 * The index layer throws ImsearchError only. Spec and training failures have product codes of
 * their own (BAD_INDEX_SPEC, TOO_FEW_TO_TRAIN); bad search parameters are the caller's argument
 * (BAD_USER_INPUT); everything else is INDEX_ERROR, with `details.kind` telling which part failed:
 */
export type IndexFaultKind =
  /** Vectors, ids, queries or k do not fit the index (wrong length, non-finite, duplicate id...). */
  | 'BAD_INDEX_INPUT'
  /** An index file or its sidecar is missing, unreadable or inconsistent. */
  | 'BAD_INDEX_FILE'
  /** A native addon (faiss-node, the Annoy addon) is not built or does not load. */
  | 'NATIVE_UNAVAILABLE';

export function indexFault(kind: IndexFaultKind, message: string, options?: { cause?: unknown }): ImsearchError {
  return new ImsearchError('INDEX_ERROR', message, { kind }, options);
}

export function badSpec(spec: string, why: string, options?: { cause?: unknown }): ImsearchError {
  return new ImsearchError('BAD_INDEX_SPEC', `Bad index spec ${JSON.stringify(spec)}: ${why}`, {}, options);
}
