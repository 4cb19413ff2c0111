import { describe, expect, it } from 'vitest';
import { DocsiftError } from '../../../src/domain/errors.js';
import type { BatchFailure, QueueDepth, QueueMessage, VisibilityChange, WorkQueue } from '../../../src/ports/queue.port.js';
import { IndexCircuit } from '../../../src/worker/index-circuit.js';
import { Worker } from '../../../src/worker/loop.js';

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

class CountingQueue implements WorkQueue {
  readonly url = 'http://fake/q';
  receives = 0;
  private next = 0;
  async receive(max: number): Promise<QueueMessage[]> {
    this.receives += 1;
    return Array.from({ length: max }, () => {
      const id = `m${this.next++}`;
      return { id, receiptHandle: id, body: id, receiveCount: 1, sentAt: null, attributes: {} };
    });
  }
  async deleteBatch(): Promise<BatchFailure[]> {
    return [];
  }
  async changeVisibilityBatch(_c: VisibilityChange[]): Promise<BatchFailure[]> {
    return [];
  }
  async depth(): Promise<QueueDepth> {
    return { visible: 0, inFlight: 0, delayed: 0 };
  }
}

describe('Worker with an index outage', () => {
  it('stops receiving while the index keeps failing, instead of cycling messages towards the redrive limit', async () => {
    const queue = new CountingQueue();
    const worker = new Worker({
      queue,
      handle: async () => ({ kind: 'failed', error: new DocsiftError('index_unavailable', 'index', '503') }),
      flushIndex: async () => {},
      settings: { batchSize: 10, waitSeconds: 0, visibilitySeconds: 30, heartbeatIntervalSeconds: 10, maxInflight: 4, processingTimeoutSeconds: 60, shutdownTimeoutSeconds: 1, retry: { baseSeconds: 10, maxSeconds: 900 }, exitWhenIdle: 0, ackDelayMs: 1 },
      circuit: new IndexCircuit({ threshold: 3, baseMs: 60_000, maxMs: 60_000 }),
    });
    const run = worker.run();
    await new Promise((r) => setTimeout(r, 400));
    await worker.stop();
    await run;
    // One receive of 4, all fail, circuit opens: no further receives during the pause.
    expect(queue.receives).toBe(1);
    expect(worker.counts.retried).toBe(4);
  });
});
