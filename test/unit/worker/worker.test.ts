import { describe, expect, it, vi } from 'vitest';
import { DocsiftError } from '../../../src/domain/errors.js';
import type { MessageOutcome } from '../../../src/ports/message-handler.port.js';
import type { BatchFailure, DeadLetterAttributes, QueueDepth, QueueMessage, VisibilityChange, WorkQueue } from '../../../src/ports/queue.port.js';
import { Worker } from '../../../src/worker/loop.js';
import type { WorkerSettings } from '../../../src/worker/worker-deps.js';

/** An in-memory queue that records every call, for decisions that do not need a server. */
class FakeQueue implements WorkQueue {
  readonly url = 'http://fake/q';
  pending: QueueMessage[] = [];
  receives: number[] = [];
  deleted: string[] = [];
  visibility: VisibilityChange[] = [];
  receiveError: Error | null = null;
  async receive(max: number, _wait: number, _vis: number, signal?: AbortSignal): Promise<QueueMessage[]> {
    this.receives.push(max);
    if (this.receiveError) throw this.receiveError;
    if (this.pending.length === 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
      });
      return [];
    }
    return this.pending.splice(0, max);
  }
  async deleteBatch(ms: Array<{ id: string; receiptHandle: string }>): Promise<BatchFailure[]> {
    this.deleted.push(...ms.map((m) => m.id));
    return [];
  }
  async changeVisibilityBatch(changes: VisibilityChange[]): Promise<BatchFailure[]> {
    this.visibility.push(...changes);
    return [];
  }
  async depth(): Promise<QueueDepth> {
    return { visible: this.pending.length, inFlight: 0, delayed: 0 };
  }
}

const msg = (id: string, receiveCount = 1): QueueMessage => ({ id, receiptHandle: `rh-${id}`, body: id, receiveCount, sentAt: null, attributes: {} });
const settings = (over: Partial<WorkerSettings> = {}): WorkerSettings => ({
  batchSize: 10, waitSeconds: 0, visibilitySeconds: 30, heartbeatIntervalSeconds: 10, maxInflight: 4, processingTimeoutSeconds: 60,
  shutdownTimeoutSeconds: 5, retry: { baseSeconds: 10, maxSeconds: 900 }, exitWhenIdle: 2, ackDelayMs: 1, ...over,
});

describe('Worker decisions', () => {
  it('acknowledges done messages in batches and stops when idle', async () => {
    const queue = new FakeQueue();
    queue.pending = ['a', 'b', 'c'].map((id) => msg(id));
    const worker = new Worker({ queue, handle: async () => ({ kind: 'done', outcome: 'indexed', objects: 1 }), flushIndex: async () => {}, settings: settings() });
    expect(await worker.run()).toBe('idle');
    expect(queue.deleted.sort()).toEqual(['a', 'b', 'c']);
    expect(worker.counts.indexed).toBe(3);
  });

  it('never asks for more than the free in-flight slots (backpressure)', async () => {
    const queue = new FakeQueue();
    queue.pending = Array.from({ length: 12 }, (_, i) => msg(`m${i}`));
    let concurrent = 0;
    let peak = 0;
    const worker = new Worker({
      queue,
      handle: async () => {
        concurrent++;
        peak = Math.max(peak, concurrent);
        await new Promise((r) => setTimeout(r, 15));
        concurrent--;
        return { kind: 'done', outcome: 'indexed', objects: 1 };
      },
      flushIndex: async () => {},
      settings: settings({ maxInflight: 3 }),
    });
    await worker.run();
    expect(peak).toBeLessThanOrEqual(3);
    expect(Math.max(...queue.receives)).toBeLessThanOrEqual(3);
    expect(queue.deleted).toHaveLength(12);
  });

  it('leaves a transient failure for redelivery with backoff on the receive count', async () => {
    const queue = new FakeQueue();
    queue.pending = [msg('t', 3)];
    const failed: MessageOutcome = { kind: 'failed', error: new DocsiftError('index_unavailable', 'index', 'down') };
    const worker = new Worker({ queue, handle: async () => failed, flushIndex: async () => {}, settings: settings() });
    await worker.run();
    expect(queue.deleted).toEqual([]);
    expect(queue.visibility).toEqual([{ id: 't', receiptHandle: 'rh-t', visibilitySeconds: 40 }]);
    expect(worker.counts.retried).toBe(1);
  });

  it('dead-letters a permanent failure with its attributes, then deletes it', async () => {
    const queue = new FakeQueue();
    queue.pending = [msg('p')];
    const sent: Array<{ body: string; attributes: DeadLetterAttributes }> = [];
    const order: string[] = [];
    const dlq = { url: 'http://fake/dlq', send: async (body: string, attributes: DeadLetterAttributes) => { order.push('dlq'); sent.push({ body, attributes }); }, depth: async () => ({ visible: 0, inFlight: 0, delayed: 0 }) };
    const origDelete = queue.deleteBatch.bind(queue);
    queue.deleteBatch = async (ms) => { order.push('delete'); return origDelete(ms); };
    const worker = new Worker({
      queue, dlq,
      handle: async () => ({ kind: 'failed', error: new DocsiftError('not_found', 'fetch', 'NoSuchKey'), contentType: 'application/pdf' }),
      flushIndex: async () => {}, settings: settings(),
    });
    await worker.run();
    expect(order).toEqual(['dlq', 'delete']);
    expect(sent[0]!.attributes).toMatchObject({ errorClass: 'not_found', stage: 'fetch', sourceQueue: 'http://fake/q', contentType: 'application/pdf' });
    expect(worker.counts.dead_lettered).toBe(1);
  });

  it('keeps the message when the DLQ send fails (nothing deleted before it is safe)', async () => {
    const queue = new FakeQueue();
    queue.pending = [msg('p')];
    const dlq = { url: 'x', send: async () => { throw new DocsiftError('connection', 'dlq', 'refused'); }, depth: async () => ({ visible: 0, inFlight: 0, delayed: 0 }) };
    const worker = new Worker({ queue, dlq, handle: async () => ({ kind: 'failed', error: new DocsiftError('bad_message', 'parse', 'x') }), flushIndex: async () => {}, settings: settings() });
    await worker.run();
    expect(queue.deleted).toEqual([]);
    expect(queue.visibility[0]).toMatchObject({ id: 'p', visibilitySeconds: 10 });
  });

  it('backs off on receive errors instead of spinning', async () => {
    const queue = new FakeQueue();
    queue.receiveError = new DocsiftError('connection', 'receive', 'ECONNREFUSED');
    const sleeps: number[] = [];
    const worker = new Worker({
      queue, handle: async () => ({ kind: 'done', outcome: 'indexed', objects: 1 }), flushIndex: async () => {}, settings: settings(),
      clock: { now: () => Date.now(), sleep: async (ms) => { sleeps.push(ms); if (sleeps.length >= 5) void worker.stop(); } },
    });
    await worker.run();
    expect(sleeps.slice(0, 4)).toEqual([500, 1000, 2000, 4000]);
  });

  it('extends visibility of in-flight messages on the heartbeat interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const queue = new FakeQueue();
      queue.pending = [msg('slow')];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const worker = new Worker({
        queue, handle: async () => { await gate; return { kind: 'done', outcome: 'indexed', objects: 1 }; },
        flushIndex: async () => {}, settings: settings({ heartbeatIntervalSeconds: 10 }),
      });
      const run = worker.run();
      while (worker.inflightCount === 0) await new Promise((r) => setTimeout(r, 5));
      vi.advanceTimersByTime(10_000);
      vi.advanceTimersByTime(10_000);
      await new Promise((r) => setTimeout(r, 20));
      expect(queue.visibility.filter((v) => v.id === 'slow').map((v) => v.visibilitySeconds)).toEqual([30, 30]);
      release();
      await run;
      expect(queue.deleted).toEqual(['slow']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stop() is idempotent, flushes the index and releases unfinished work after the shutdown timeout', async () => {
    const queue = new FakeQueue();
    queue.pending = [msg('stuck')];
    let flushed = 0;
    const worker = new Worker({
      queue,
      handle: (_m, signal) => new Promise<MessageOutcome>((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'failed', error: new DocsiftError('processing_timeout', 'extract', 'aborted') }))),
      flushIndex: async () => { flushed++; throw new Error('flush failed'); },
      settings: settings({ shutdownTimeoutSeconds: 0.05, exitWhenIdle: 0 }),
    });
    const run = worker.run();
    while (worker.inflightCount === 0) await new Promise((r) => setTimeout(r, 5));
    const a = worker.stop();
    const b = worker.stop();
    expect(a).toBe(b);
    await a;
    expect(await run).toBe('signal');
    expect(flushed).toBe(1);
    expect(queue.visibility).toContainEqual({ id: 'stuck', receiptHandle: 'rh-stuck', visibilitySeconds: 0 });
    expect(worker.counts.released).toBe(1);
  });
});
