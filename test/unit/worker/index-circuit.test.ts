import { describe, expect, it } from 'vitest';
import { IndexCircuit } from '../../../src/worker/index-circuit.js';

describe('IndexCircuit', () => {
  it('opens after the threshold, doubles its pause per opening, and closes on success', () => {
    let now = 0;
    const c = new IndexCircuit({ threshold: 3, baseMs: 5000, maxMs: 12_000, now: () => now });
    expect([c.recordFailure(), c.recordFailure()]).toEqual([0, 0]);
    expect(c.isOpen()).toBe(false);
    expect(c.recordFailure()).toBe(5000);
    expect(c.isOpen()).toBe(true);
    expect(c.recordFailure()).toBe(0); // already open: failures of in-flight work do not extend it
    now = 5000;
    expect(c.isOpen()).toBe(false);
    c.recordFailure();
    c.recordFailure();
    expect(c.recordFailure()).toBe(10_000);
    now = 15_000;
    [0, 0].forEach(() => c.recordFailure());
    expect(c.recordFailure()).toBe(12_000); // capped
    now = 27_000;
    c.recordSuccess();
    [0, 0].forEach(() => c.recordFailure());
    expect(c.recordFailure()).toBe(5000); // back to the base after a success
  });
});
