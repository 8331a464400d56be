import assert from 'node:assert/strict';
import { ImsearchError } from '../../sdk/index.js';

/** Awaits `p` and asserts it failed with a typed SDK error carrying `code` (and matching `message`). */
export async function rejectsWithCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<ImsearchError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ImsearchError, `expected an ImsearchError, got ${String(err)}`);
    assert.equal(err.code, code, `${err.code}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${code}, but the request succeeded`);
}
