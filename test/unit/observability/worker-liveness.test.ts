import { describe, expect, it } from 'vitest';
import type { BatchFailure, QueueDepth, QueueMessage, VisibilityChange, WorkQueue } from '../../../src/ports/queue.port.js';
import { Worker } from '../../../src/worker/loop.js';
import type { WorkerSettings } from '../../../src/worker/worker-deps.js';

const msg = (id: string): QueueMessage => ({ id, receiptHandle: `rh-${id}`, body: id, receiveCount: 1, sentAt: null, attributes: {} });
const settings = (over: Partial<WorkerSettings> = {}): WorkerSettings => ({
  batchSize: 10, waitSeconds: 20, visibilitySeconds: 30, heartbeatIntervalSeconds: 10, maxInflight: 1, processingTimeoutSeconds: 60,
  shutdownTimeoutSeconds: 5, retry: { baseSeconds: 10, maxSeconds: 900 }, exitWhenIdle: 0, ackDelayMs: 1, ...over,
});
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A queue whose receive is answered by the test: `answer(messages)` or the abort signal ends it. */
class ControlledQueue implements WorkQueue {
  readonly url = 'http://fake/q';
  receiving = 0;
  aborted = 0;
  visibility: VisibilityChange[] = [];
  deleted: string[] = [];
  private pending: ((ms: QueueMessage[]) => void) | null = null;
  async receive(_max: number, _w: number, _v: number, signal?: AbortSignal): Promise<QueueMessage[]> {
    this.receiving += 1;
    return new Promise((resolve, reject) => {
      this.pending = resolve;
      signal?.addEventListener('abort', () => {
        this.aborted += 1;
        reject(new Error('aborted'));
      }, { once: true });
    });
  }
  answer(ms: QueueMessage[]): void {
    this.pending?.(ms);
  }
  async deleteBatch(ms: Array<{ id: string }>): Promise<BatchFailure[]> {
    this.deleted.push(...ms.map((m) => m.id));
    return [];
  }
  async changeVisibilityBatch(c: VisibilityChange[]): Promise<BatchFailure[]> {
    this.visibility.push(...c);
    return [];
  }
  async depth(): Promise<QueueDepth> {
    return { visible: 0, inFlight: 0, delayed: 0 };
  }
}

describe('worker stop and liveness', () => {
  it('gives a receive on the wire a grace period and releases what it brings, unprocessed (visibility 0)', async () => {
    const queue = new ControlledQueue();
    const handled: string[] = [];
    const worker = new Worker({ queue, handle: async (m) => { handled.push(m.id); return { kind: 'done', outcome: 'indexed', objects: 1 }; }, flushIndex: async () => {}, settings: settings() });
    const run = worker.run();
    while (queue.receiving === 0) await tick(1);
    const stopped = worker.stop();
    await tick(50);
    queue.answer([msg('late-1'), msg('late-2')]); // the server had picked these before the stop
    await stopped;
    expect(await run).toBe('signal');
    expect(handled).toEqual([]);
    expect(queue.aborted).toBe(0);
    expect(queue.visibility).toEqual([
      { id: 'late-1', receiptHandle: 'rh-late-1', visibilitySeconds: 0 },
      { id: 'late-2', receiptHandle: 'rh-late-2', visibilitySeconds: 0 },
    ]);
  });

  it('aborts a long poll that is still waiting after the grace period', async () => {
    const queue = new ControlledQueue();
    const worker = new Worker({ queue, handle: async () => ({ kind: 'done', outcome: 'indexed', objects: 1 }), flushIndex: async () => {}, settings: settings() });
    const run = worker.run();
    while (queue.receiving === 0) await tick(1);
    const t0 = performance.now();
    await worker.stop();
    expect(await run).toBe('signal');
    expect(queue.aborted).toBe(1);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('keeps beating intake while it waits for a free slot and while it drains', async () => {
    const queue = new ControlledQueue();
    const beats: number[] = [];
    let finish!: () => void;
    const worker = new Worker({
      queue,
      handle: () => new Promise((resolve) => (finish = () => resolve({ kind: 'done', outcome: 'indexed', objects: 1 }))),
      flushIndex: async () => {},
      settings: settings({ maxInflight: 1 }),
      beat: () => beats.push(performance.now()),
    });
    const run = worker.run();
    while (queue.receiving === 0) await tick(1);
    queue.answer([msg('slow')]);
    await tick(2300); // the only slot is busy: the loop waits, and must still look alive
    const waitingBeats = beats.filter((t) => t > beats[0]! + 500).length;
    expect(waitingBeats).toBeGreaterThanOrEqual(2);
    const stopped = worker.stop();
    const before = beats.length;
    await tick(1200); // draining the slow message
    expect(beats.length).toBeGreaterThan(before);
    finish();
    await stopped;
    expect(await run).toBe('signal');
    expect(queue.deleted).toEqual(['slow']);
  });
});
