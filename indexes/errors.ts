/** One error vocabulary for the index layer; callers map `code` unchanged. */
export type IndexErrorCode =
  /** The spec string does not parse, names an unknown kind or option, or a bad value. */
  | 'BAD_INDEX_SPEC'
  /** Vectors, ids, queries or k do not fit the index (wrong length, non-finite, duplicate id...). */
  | 'BAD_INDEX_INPUT'
  /** A trained index (IVF-PQ) got too few vectors at its first build. */
  | 'TOO_FEW_TO_TRAIN'
  /** An index file or its sidecar is missing, unreadable or inconsistent. */
  | 'BAD_INDEX_FILE'
  /** A native addon (faiss-node, the Annoy addon) is not built or does not load. */
  | 'NATIVE_UNAVAILABLE';

export class IndexError extends Error {
  constructor(
    readonly code: IndexErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IndexError';
  }
}
