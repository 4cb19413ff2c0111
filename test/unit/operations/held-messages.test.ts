import { describe, expect, it } from 'vitest';
import { HeldMessages } from '../../../src/operations/held-messages.js';
import { FakeDlq, letter, virtualClock } from './fakes.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => letter(`m${i}`, {}));

describe('HeldMessages', () => {
  it('extends every held message, 10 per call, only once half the visibility has passed', async () => {
    const dlq = new FakeDlq(ids(23));
    const clock = virtualClock();
    const held = new HeldMessages(dlq, clock, 30);
    for (const m of dlq.messages) held.add(m);
    expect(await held.keepAlive()).toBe(0);
    await clock.sleep(14_999);
    await held.keepAlive();
    expect(dlq.calls.filter((c) => c.op === 'extend')).toEqual([]);
    await clock.sleep(1);
    await held.keepAlive();
    expect(dlq.calls.filter((c) => c.op === 'extend').map((c) => [c.ids.length, c.seconds])).toEqual([
      [10, 30],
      [10, 30],
      [3, 30],
    ]);
    await held.keepAlive(); // not due again yet
    expect(dlq.calls.filter((c) => c.op === 'extend')).toHaveLength(3);
  });

  it('keeps the newest receipt handle of a message read twice', async () => {
    const dlq = new FakeDlq([]);
    const held = new HeldMessages(dlq, virtualClock(), 30);
    held.add({ id: 'a', receiptHandle: 'old' });
    held.add({ id: 'a', receiptHandle: 'new' });
    expect(held.size).toBe(1);
    await held.releaseAll();
    expect(dlq.calls).toEqual([{ op: 'release', ids: ['a'] }]);
  });

  it('tries every release batch even when one fails, and counts the failed ones', async () => {
    const dlq = new FakeDlq(ids(25));
    dlq.failRelease = new Set([1]);
    const held = new HeldMessages(dlq, virtualClock(), 30);
    for (const m of dlq.messages) held.add(m);
    expect(await held.releaseAll()).toBe(10);
    expect(dlq.calls.map((c) => [c.op, c.ids.length])).toEqual([
      ['release', 10],
      ['release', 10],
      ['release', 5],
    ]);
    expect(held.size).toBe(0);
  });
});
