/**
 * Errors crossing a worker-thread boundary (structured clone drops the class): the code and the
 * decoder's reason travel as fields and the error is rebuilt in the vocabulary on the other side.
 */
import { ImsearchError, isErrorCode } from '../errors/error-codes.js';

export interface WireError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
  stack?: string;
}

export function toWire(err: unknown): WireError {
  const e = err as { name?: string; message?: string; code?: unknown; details?: Record<string, unknown>; stack?: string };
  return { name: e?.name ?? 'Error', message: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : undefined, details: e?.details, stack: e?.stack };
}

export function fromWire(e: WireError, where: string): Error {
  const err = isErrorCode(e.code) ? new ImsearchError(e.code, e.message, e.details ?? {}) : new Error(e.message);
  if (e.stack) err.stack = `${e.stack}\n    (in ${where})`;
  return err;
}
