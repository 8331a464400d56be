/**
 * One error vocabulary for metric fitting and loading. Callers map `code` to their own
 * (API error codes, CLI exit messages); messages say what was wrong and what to do.
 */
export type MetricErrorCode =
  /** Vectors and dimension disagree, NaN/Infinity in the data, empty input. */
  | 'BAD_INPUT'
  /** A label-using method was asked to fit on data without (enough) labels. */
  | 'UNLABELLED'
  /** Labels exist, but too few classes / items per class for the requested method. */
  | 'TOO_FEW_CLASSES'
  /** A parameter is out of range or of the wrong kind. */
  | 'BAD_PARAMS'
  /** A serialised artifact is corrupt, of another format, or of an unsupported version. */
  | 'BAD_ARTIFACT';

export class MetricError extends Error {
  readonly code: MetricErrorCode;
  constructor(code: MetricErrorCode, message: string) {
    super(message);
    this.name = 'MetricError';
    this.code = code;
  }
}
