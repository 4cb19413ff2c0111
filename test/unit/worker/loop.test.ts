import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DocsiftError } from '../../../src/domain/errors.js';
import type { MessageHandler, MessageOutcome } from '../../../src/ports/message-handler.port.js';
import { Worker } from '../../../src/worker/loop.js';
import type { WorkerDeps } from '../../../src/worker/worker-deps.js';
import type { EventOf, WorkerEvent, WorkerEventType } from '../../../src/worker/worker-events.js';
import { FakeQueue, msg, settings } from './fake-queue.js';

/** The loop on fake timers: every wait, timeout, heartbeat and backoff is asserted in virtual milliseconds. */
beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const indexed: MessageOutcome = { kind: 'done', outcome: 'indexed', objects: 1 };
const after = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Advances virtual time in small steps until `p` settles. */
async function until<T>(p: Promise<T>, maxMs = 300_000): Promise<T> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  for (let t = 0; !done && t < maxMs; t += 10) await vi.advanceTimersByTimeAsync(10);
  if (!done) throw new Error(`still pending after ${maxMs} virtual ms`);
  return p;
}

async function waitFor(condition: () => boolean, maxMs = 60_000): Promise<void> {
  for (let t = 0; !condition() && t < maxMs; t += 5) await vi.advanceTimersByTimeAsync(5);
  if (!condition()) throw new Error('condition not met');
}

function worker(queue: FakeQueue, handle: MessageHandler, over: Partial<WorkerDeps> = {}) {
  const events: WorkerEvent[] = [];
  const w = new Worker({ queue, handle, flushIndex: async () => {}, settings: settings(), onEvent: (e) => events.push(e), ...over });
  const of = <T extends WorkerEventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type);
  return { w, events, of };
}

describe('the loop, on fake timers', () => {
  it('acknowledges done messages in batches of at most 10 and stops after the idle receives', async () => {
    const queue = new FakeQueue();
    queue.pending = Array.from({ length: 25 }, (_, i) => msg(`m${i}`));
    const { w, of } = worker(queue, async () => indexed, { settings: settings({ maxInflight: 16 }) });
    expect(await until(w.run())).toBe('idle');
    expect(new Set(queue.deleted).size).toBe(25);
    expect(Math.max(...queue.deleteCalls.map((c) => c.ids.length))).toBeLessThanOrEqual(10);
    expect(w.counts.indexed).toBe(25);
    expect(of('drained')).toEqual([expect.objectContaining({ reason: 'idle', counts: expect.objectContaining({ indexed: 25 }) })]);
  });

  it('never asks for more than the free in-flight slots (backpressure)', async () => {
    const queue = new FakeQueue();
    queue.pending = Array.from({ length: 12 }, (_, i) => msg(`m${i}`));
    let concurrent = 0;
    let peak = 0;
    const handle: MessageHandler = async () => {
      peak = Math.max(peak, ++concurrent);
      await after(1000);
      concurrent -= 1;
      return indexed;
    };
    const { w } = worker(queue, handle, { settings: settings({ maxInflight: 3 }) });
    await until(w.run());
    expect(peak).toBe(3);
    expect(Math.max(...queue.receives.map((r) => r.max))).toBeLessThanOrEqual(3);
    expect(queue.deleted).toHaveLength(12);
    // Four rounds of one virtual second each: slots are refilled as soon as they free up.
    expect(w.lastSettledAt! - w.firstReceivedAt!).toBeLessThan(4100);
  });

  it('backs off on receive errors (500 ms doubling) and goes back to polling at once after a success', async () => {
    const queue = new FakeQueue();
    queue.receiveError = new DocsiftError('connection', 'receive', 'ECONNREFUSED');
    const { w, of } = worker(queue, async () => indexed, { settings: settings({ exitWhenIdle: 0 }) });
    const run = w.run();
    await vi.advanceTimersByTimeAsync(15_600);
    const gaps = queue.receives.slice(1).map((r, i) => r.at - queue.receives[i]!.at);
    expect(gaps).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(of('receive_failed').map((e) => e.retryInMs)).toEqual([500, 1000, 2000, 4000, 8000, 16_000]);
    queue.receiveError = null;
    queue.pending = [msg('back')];
    await waitFor(() => queue.deleted.includes('back'));
    await until(w.stop());
    expect(await run).toBe('signal');
  });

  it('extends visibility every HEARTBEAT_INTERVAL, and at PROCESSING_TIMEOUT aborts the handler and retries the message', async () => {
    const queue = new FakeQueue();
    queue.pending = [msg('slow')];
    const handle: MessageHandler = (_m, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'failed', error: signal.reason as DocsiftError })));
    const { w, of } = worker(queue, handle, { settings: settings({ exitWhenIdle: 0 }) });
    const run = w.run();
    await waitFor(() => w.counts.retried === 1, 70_000);
    const mine = queue.visibility.filter((v) => v.id === 'slow');
    expect(mine.filter((v) => v.visibilitySeconds === 30).map((v) => Math.floor(v.at / 1000))).toEqual([10, 20, 30, 40, 50]);
    expect(mine.at(-1)).toMatchObject({ visibilitySeconds: 10 });
    expect(mine.at(-1)!.at).toBeGreaterThanOrEqual(60_000);
    expect(of('job_failed')).toEqual([expect.objectContaining({ action: 'retry', error: expect.objectContaining({ code: 'processing_timeout' }) })]);
    await until(w.stop());
    await run;
  });

  it('takes the slot back from a handler that ignores its abort signal, 5 s after PROCESSING_TIMEOUT', async () => {
    const queue = new FakeQueue();
    queue.pending = [msg('deaf')];
    const { w } = worker(queue, () => new Promise<MessageOutcome>(() => {}), { settings: settings({ processingTimeoutSeconds: 20, exitWhenIdle: 0 }) });
    const run = w.run();
    await waitFor(() => w.counts.retried === 1, 30_000);
    expect(Date.now()).toBeGreaterThanOrEqual(25_000);
    expect(Date.now()).toBeLessThan(25_100);
    expect(w.inflightCount).toBe(0);
    await until(w.stop());
    await run;
  });

  it('stop() is idempotent, runs every step when one throws, and releases unfinished work after SHUTDOWN_TIMEOUT', async () => {
    const queue = new FakeQueue();
    queue.pending = [msg('stuck')];
    let flushed = 0;
    const handle: MessageHandler = (_m, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'failed', error: signal.reason as DocsiftError })));
    const flushIndex = async () => {
      flushed += 1;
      throw new Error('flush failed');
    };
    const { w, of } = worker(queue, handle, { flushIndex, settings: settings({ shutdownTimeoutSeconds: 3, exitWhenIdle: 0 }) });
    const run = w.run();
    await waitFor(() => w.inflightCount === 1);
    const stoppedAt = Date.now();
    const a = w.stop();
    expect(w.stop()).toBe(a);
    await until(a);
    expect(await run).toBe('signal');
    expect(flushed).toBe(1);
    const release = queue.visibility.find((v) => v.id === 'stuck' && v.visibilitySeconds === 0)!;
    expect(release.at - stoppedAt).toBeGreaterThanOrEqual(3000);
    expect(w.counts.released).toBe(1);
    expect(of('shutdown_timeout')).toEqual([{ type: 'shutdown_timeout', released: 1 }]);
    expect(of('cleanup_failed')).toEqual([{ type: 'cleanup_failed', step: 'flush_index', reason: 'flush failed' }]);
    expect(of('drained')).toEqual([expect.objectContaining({ reason: 'signal', counts: expect.objectContaining({ released: 1 }) })]);
  });

  it('gives a receive on the wire 200 ms on stop and releases, unprocessed, what it brings', async () => {
    const queue = new FakeQueue();
    queue.manual = true;
    const handled: string[] = [];
    const { w, of } = worker(queue, async (m) => (handled.push(m.id), indexed), { settings: settings({ exitWhenIdle: 0 }) });
    const run = w.run();
    await waitFor(() => queue.receives.length === 1);
    const stopped = w.stop();
    await vi.advanceTimersByTimeAsync(50);
    queue.answer([msg('late-1'), msg('late-2')]);
    await until(stopped);
    expect(await run).toBe('signal');
    expect(handled).toEqual([]);
    expect(queue.aborted).toBe(0);
    expect(queue.visibility.map(({ id, visibilitySeconds }) => ({ id, visibilitySeconds }))).toEqual([
      { id: 'late-1', visibilitySeconds: 0 },
      { id: 'late-2', visibilitySeconds: 0 },
    ]);
    expect(of('released_unstarted')).toEqual([{ type: 'released_unstarted', count: 2 }]);
  });

  it('aborts a long poll still waiting after the 200 ms grace', async () => {
    const queue = new FakeQueue();
    queue.manual = true;
    const { w } = worker(queue, async () => indexed, { settings: settings({ exitWhenIdle: 0 }) });
    const run = w.run();
    await waitFor(() => queue.receives.length === 1);
    const t0 = Date.now();
    await until(w.stop());
    expect(await run).toBe('signal');
    expect(queue.aborted).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(Date.now() - t0).toBeLessThan(300);
  });

  it('keeps beating intake every second while it waits for a slot and while it drains', async () => {
    const queue = new FakeQueue();
    queue.pending = [msg('slow')];
    const beats: number[] = [];
    let finish!: () => void;
    const handle: MessageHandler = () => new Promise((resolve) => (finish = () => resolve(indexed)));
    const { w } = worker(queue, handle, { settings: settings({ maxInflight: 1, exitWhenIdle: 0 }), beat: () => beats.push(Date.now()) });
    const run = w.run();
    await waitFor(() => w.inflightCount === 1);
    const waitingFrom = Date.now();
    await vi.advanceTimersByTimeAsync(3000);
    expect(beats.filter((t) => t > waitingFrom).length).toBeGreaterThanOrEqual(3);
    const stopped = w.stop();
    const drainingFrom = Date.now();
    await vi.advanceTimersByTimeAsync(2000);
    expect(beats.filter((t) => t > drainingFrom).length).toBeGreaterThanOrEqual(2);
    finish();
    await until(stopped);
    expect(await run).toBe('signal');
    expect(queue.deleted).toEqual(['slow']);
  });

  it('does not receive while the memory gate pauses intake, and drains with reason memory at the hard limit', async () => {
    const queue = new FakeQueue();
    const gate = { isPaused: true, isDraining: false, paused() { return this.isPaused; }, draining() { return this.isDraining; } };
    const { w, of } = worker(queue, async () => indexed, { gate, settings: settings({ exitWhenIdle: 0 }) });
    const run = w.run();
    await vi.advanceTimersByTimeAsync(5000);
    expect(queue.receives).toHaveLength(0);
    gate.isPaused = false;
    await vi.advanceTimersByTimeAsync(2000);
    expect(queue.receives.length).toBeGreaterThan(0);
    gate.isDraining = true;
    expect(await until(run)).toBe('memory');
    expect(of('memory_drain')).toHaveLength(1);
  });

  it('pauses intake while the index keeps failing (circuit: 3 failures, 5 s), then probes with one receive', async () => {
    const queue = new FakeQueue();
    queue.pending = Array.from({ length: 20 }, (_, i) => msg(`m${i}`));
    const down: MessageOutcome = { kind: 'failed', error: new DocsiftError('index_unavailable', 'index', '503') };
    const { w, of } = worker(queue, async () => down, { settings: settings({ exitWhenIdle: 0 }) });
    const run = w.run();
    await vi.advanceTimersByTimeAsync(4900);
    expect(queue.receives).toHaveLength(1);
    expect(of('index_circuit_opened')).toEqual([{ type: 'index_circuit_opened', pauseMs: 5000 }]);
    await vi.advanceTimersByTimeAsync(400);
    expect(queue.receives).toHaveLength(2);
    await until(w.stop());
    await run;
    expect(w.counts.retried).toBe(8);
  });
});

describe('the loop and the redrive policy', () => {
  const policy = (maxReceiveCount: number) => ({ kind: 'policy' as const, maxReceiveCount, deadLetterTargetArn: 'arn:aws:sqs:us-east-1:1:dlq' });

  it('reads maxReceiveCount before the first receive, dead-letters a transient failure on its last receive, and re-reads every interval', async () => {
    const queue = new FakeQueue();
    const reads: number[] = [];
    let max = 2;
    const redrivePolicy = { redrivePolicy: async () => (reads.push(Date.now()), policy(max)) };
    const sent: Array<{ errorClass: string }> = [];
    const dlq = { url: 'http://fake/dlq', send: async (_b: string, a: { errorClass: string }) => void sent.push(a), depth: async () => ({ visible: 0, inFlight: 0, delayed: 0 }) };
    queue.pending = [msg('first', 1), msg('last', 2)];
    const failing: MessageHandler = async () => ({ kind: 'failed', error: new DocsiftError('index_unavailable', 'index', '503') });
    const { w, of } = worker(queue, failing, { dlq, redrivePolicy, settings: settings({ exitWhenIdle: 0, redrivePolicyIntervalSeconds: 60 }) });
    const run = w.run();
    await waitFor(() => of('message_settled').length === 2);
    expect(reads).toEqual([0]);
    expect(queue.receives[0]!.at).toBeGreaterThanOrEqual(reads[0]!);
    expect(sent).toEqual([expect.objectContaining({ errorClass: 'index_unavailable' })]);
    expect(queue.deleted).toEqual(['last']);
    expect(of('dead_lettered')).toEqual([expect.objectContaining({ messageId: 'last', reason: 'last_receive' })]);
    expect(of('redrive_policy')).toHaveLength(1);
    // The operator raises the limit: the next read (one interval later) applies it, and logs it once.
    max = 5;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reads).toEqual([0, 60_000]);
    expect(of('redrive_policy').map((e) => e.policy)).toEqual([policy(2), policy(5)]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(of('redrive_policy')).toHaveLength(2);
    queue.pending = [msg('again', 2)];
    await waitFor(() => of('message_settled').length === 3);
    expect(of('job_failed').at(-1)).toMatchObject({ messageId: 'again', action: 'retry', maxReceiveCount: 5 });
    await until(w.stop());
    await until(run);
  });

  it('a failed read keeps the last limit and says so', async () => {
    const queue = new FakeQueue();
    let fail = false;
    const redrivePolicy = {
      redrivePolicy: async () => {
        if (fail) throw new DocsiftError('connection', 'receive', 'ECONNRESET');
        return policy(3);
      },
    };
    const { w, of } = worker(queue, async () => indexed, { redrivePolicy, settings: settings({ exitWhenIdle: 0, redrivePolicyIntervalSeconds: 10 }) });
    const run = w.run();
    await vi.advanceTimersByTimeAsync(1);
    fail = true;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(of('redrive_policy_failed')).toEqual([{ type: 'redrive_policy_failed', reason: 'ECONNRESET', kept: 3 }]);
    await until(w.stop());
    await until(run);
  });
});
