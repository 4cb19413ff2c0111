import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { MemoryGuard, type GuardState } from '../../../src/observability/memory-guard.js';
import type { BatchFailure, QueueDepth, QueueMessage, VisibilityChange, WorkQueue } from '../../../src/ports/queue.port.js';
import { Worker } from '../../../src/worker/loop.js';

const MiB = 1024 * 1024;
const logger = createLogger('silent');

function guardWith(rssMb: { value: number }, changes: GuardState[] = []) {
  return new MemoryGuard({ softLimitMb: 500, hardLimitMb: 800, hysteresisMb: 50, intervalMs: 10, rss: () => rssMb.value * MiB, logger, onChange: (s) => changes.push(s) });
}

describe('MemoryGuard', () => {
  it('pauses at the soft limit and resumes only below the hysteresis margin', () => {
    const rss = { value: 100 };
    const changes: GuardState[] = [];
    const guard = guardWith(rss, changes);
    const seen = [100, 499, 500, 470, 451, 450, 449, 520].map((mb) => {
      rss.value = mb;
      guard.check();
      return `${mb}:${guard.state}`;
    });
    expect(seen).toEqual(['100:ok', '499:ok', '500:soft', '470:soft', '451:soft', '450:soft', '449:ok', '520:soft']);
    expect(changes).toEqual(['soft', 'ok', 'soft']);
  });

  it('latches the hard limit: draining never clears', () => {
    const rss = { value: 900 };
    const guard = guardWith(rss);
    expect(guard.check()).toBe('hard');
    expect(guard.paused() && guard.draining()).toBe(true);
    rss.value = 10;
    expect(guard.check()).toBe('hard');
  });

  it('is off without limits', () => {
    const guard = new MemoryGuard({ hysteresisMb: 0, intervalMs: 10, rss: () => 1e12 });
    expect(guard.enabled).toBe(false);
    expect(guard.check()).toBe('ok');
  });
});

/** Hands out one message per receive from a list, and records when each receive happened. */
class ListQueue implements WorkQueue {
  readonly url = 'http://fake/q';
  receivesAt: number[] = [];
  deleted: string[] = [];
  constructor(public pending: QueueMessage[]) {}
  async receive(max: number, _w: number, _v: number, signal?: AbortSignal): Promise<QueueMessage[]> {
    this.receivesAt.push(Date.now());
    if (this.pending.length === 0) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, 10);
        signal?.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true });
      });
      return [];
    }
    return this.pending.splice(0, Math.min(max, 1));
  }
  async deleteBatch(ms: Array<{ id: string }>): Promise<BatchFailure[]> {
    this.deleted.push(...ms.map((m) => m.id));
    return [];
  }
  async changeVisibilityBatch(_c: VisibilityChange[]): Promise<BatchFailure[]> {
    return [];
  }
  async depth(): Promise<QueueDepth> {
    return { visible: this.pending.length, inFlight: 0, delayed: 0 };
  }
}

const msg = (id: string): QueueMessage => ({ id, receiptHandle: `rh-${id}`, body: id, receiveCount: 1, sentAt: null, attributes: {} });
const settings = { batchSize: 10, waitSeconds: 0, visibilitySeconds: 30, heartbeatIntervalSeconds: 10, maxInflight: 2, processingTimeoutSeconds: 60, shutdownTimeoutSeconds: 5, retry: { baseSeconds: 1, maxSeconds: 10 }, exitWhenIdle: 0, ackDelayMs: 1, redrivePolicyIntervalSeconds: 0 };
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MemoryGuard as the worker intake gate', () => {
  it('pauses receiving at the soft limit while in-flight work continues, then resumes', async () => {
    const rss = { value: 100 };
    const guard = guardWith(rss);
    const queue = new ListQueue(['a', 'b', 'c', 'd'].map(msg));
    let finishA!: () => void;
    const handled: string[] = [];
    const worker = new Worker({
      queue,
      handle: async (m) => {
        handled.push(m.id);
        if (m.id === 'a') {
          rss.value = 600; // this message made the process grow past the soft limit
          guard.check();
          await new Promise<void>((r) => (finishA = r));
        }
        return { kind: 'done', outcome: 'indexed', objects: 1 };
      },
      flushIndex: async () => {},
      settings: { ...settings, maxInflight: 4 },
      gate: guard,
    });
    guard.start();
    const run = worker.run();
    while (!handled.includes('a')) await tick(2);
    const receivesWhilePaused = queue.receivesAt.length;
    await tick(300);
    expect(guard.state).toBe('soft');
    expect(queue.receivesAt.length).toBeLessThanOrEqual(receivesWhilePaused + 1);
    finishA(); // in-flight work still finishes while paused
    while (queue.deleted.length === 0) await tick(2);
    expect(queue.pending.length).toBeGreaterThan(0);
    rss.value = 440; // below 500 - 50: resume
    while (queue.pending.length > 0 || worker.inflightCount > 0) await tick(5);
    expect(guard.state).toBe('ok');
    expect(queue.deleted.sort()).toEqual(['a', 'b', 'c', 'd']);
    await worker.stop();
    expect(await run).toBe('signal');
    guard.stop();
  });

  it('at the hard limit stops receiving, finishes in-flight work, flushes and ends with reason memory', async () => {
    const rss = { value: 100 };
    const guard = guardWith(rss);
    const queue = new ListQueue(['a', 'b', 'c', 'd', 'e', 'f'].map(msg));
    let flushed = 0;
    const worker = new Worker({
      queue,
      handle: async (m) => {
        if (m.id === 'b') rss.value = 900;
        await tick(30);
        return { kind: 'done', outcome: 'indexed', objects: 1 };
      },
      flushIndex: async () => { flushed += 1; },
      settings,
      gate: guard,
    });
    guard.start();
    const reason = await worker.run();
    guard.stop();
    expect(reason).toBe('memory');
    expect(guard.state).toBe('hard');
    expect(flushed).toBe(1);
    // Everything received was finished and acknowledged; the rest stayed in the queue.
    expect(queue.deleted.length).toBe(6 - queue.pending.length);
    expect(queue.pending.length).toBeGreaterThan(0);
    expect(worker.inflightCount).toBe(0);
  });
});
