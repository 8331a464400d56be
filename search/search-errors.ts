/** One error vocabulary for the search layer; the API maps `code` to extensions.code unchanged. */
export type SearchErrorCode =
  | 'BAD_K'
  | 'UNKNOWN_MODEL'
  | 'UNKNOWN_COLLECTION'
  | 'UNKNOWN_ITEM'
  | 'BAD_IMAGE'
  | 'NOT_LABELLED'
  | 'MODEL_MISMATCH'
  | 'BAD_PRECISION'
  | 'NOT_CALIBRATED';

export class SearchError extends Error {
  constructor(
    readonly code: SearchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SearchError';
  }
}
