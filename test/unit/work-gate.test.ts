import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImsearchError } from '../../errors/error-codes.js';
import { WorkGate } from '../../service/work-gate.js';

/** A promise with its resolver outside, to hold work open until the test lets it finish. */
function held() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { done, release };
}

test('runs at most `concurrent` at once, queues up to `queued` in arrival order, refuses the rest with BUSY', async () => {
  const gate = new WorkGate(2, 2);
  const order: number[] = [];
  const holds = Array.from({ length: 4 }, () => held());
  const runs = holds.map((h, i) =>
    gate.run(async () => {
      order.push(i);
      await h.done;
      return i;
    }),
  );
  await Promise.resolve();
  assert.deepEqual(gate.load, { running: 2, waiting: 2 });
  await assert.rejects(gate.run(async () => 99), (e: ImsearchError) => e.code === 'BUSY' && e.details.waiting === 2);
  holds[1].release();
  holds[0].release();
  holds[2].release();
  holds[3].release();
  assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3]);
  assert.deepEqual(order, [0, 1, 2, 3]);
  assert.deepEqual(gate.load, { running: 0, waiting: 0 });
});

test('a failing run frees its slot', async () => {
  const gate = new WorkGate(1, 0);
  await assert.rejects(gate.run(async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await gate.run(async () => 1), 1);
});
