/** Opaque page cursors of `items`: an item id, base64url-wrapped so clients do not build them. */
import { ImsearchError } from '../errors/error-codes.js';

const PREFIX = 'item:';
const ID = /^[1-9][0-9]{0,14}$/;

export function encodeCursor(id: number): string {
  return Buffer.from(`${PREFIX}${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const s = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = s.startsWith(PREFIX) ? s.slice(PREFIX.length) : '';
  if (!ID.test(id)) throw new ImsearchError('BAD_CURSOR', `${JSON.stringify(cursor)} is not a cursor this server gave out`);
  return Number(id);
}
