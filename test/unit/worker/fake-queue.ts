import type { BatchFailure, QueueDepth, QueueMessage, VisibilityChange, WorkQueue } from '../../../src/ports/queue.port.js';
import type { WorkerSettings } from '../../../src/worker/worker-deps.js';

export const msg = (id: string, receiveCount = 1): QueueMessage => ({ id, receiptHandle: `rh-${id}`, body: id, receiveCount, sentAt: null, attributes: {} });

export const settings = (over: Partial<WorkerSettings> = {}): WorkerSettings => ({
  batchSize: 10,
  waitSeconds: 1,
  visibilitySeconds: 30,
  heartbeatIntervalSeconds: 10,
  maxInflight: 4,
  processingTimeoutSeconds: 60,
  shutdownTimeoutSeconds: 5,
  retry: { baseSeconds: 10, maxSeconds: 900 },
  exitWhenIdle: 2,
  ackDelayMs: 20,
  redrivePolicyIntervalSeconds: 300,
  ...over,
});

/**
 * An in-memory queue on whatever clock runs (fake timers in the loop tests): a receive with nothing
 * pending long-polls `waitSeconds` unless aborted; every call is recorded with its time.
 */
export class FakeQueue implements WorkQueue {
  readonly url = 'http://fake/q';
  pending: QueueMessage[] = [];
  receives: Array<{ at: number; max: number }> = [];
  deleteCalls: Array<{ at: number; ids: string[] }> = [];
  visibility: Array<VisibilityChange & { at: number }> = [];
  aborted = 0;
  /** Thrown by the next receives while set. */
  receiveError: Error | null = null;
  /** When set, a receive waits for `answer()` instead of polling. */
  manual = false;
  private answerNext: ((ms: QueueMessage[]) => void) | null = null;

  get deleted(): string[] {
    return this.deleteCalls.flatMap((c) => c.ids);
  }

  async receive(max: number, waitSeconds: number, _vis: number, signal?: AbortSignal): Promise<QueueMessage[]> {
    this.receives.push({ at: Date.now(), max });
    if (this.receiveError) throw this.receiveError;
    if (this.manual) return this.waitForAnswer(signal);
    if (this.pending.length > 0) return this.pending.splice(0, max);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, waitSeconds * 1000);
      signal?.addEventListener('abort', () => { clearTimeout(t); this.aborted += 1; resolve(); }, { once: true });
    });
    return [];
  }

  /** Answers a receive that waits (manual mode). */
  answer(messages: QueueMessage[]): void {
    this.answerNext?.(messages);
    this.answerNext = null;
  }

  async deleteBatch(ms: Array<{ id: string; receiptHandle: string }>): Promise<BatchFailure[]> {
    this.deleteCalls.push({ at: Date.now(), ids: ms.map((m) => m.id) });
    return [];
  }

  async changeVisibilityBatch(changes: VisibilityChange[]): Promise<BatchFailure[]> {
    this.visibility.push(...changes.map((c) => ({ ...c, at: Date.now() })));
    return [];
  }

  async depth(): Promise<QueueDepth> {
    return { visible: this.pending.length, inFlight: 0, delayed: 0 };
  }

  private waitForAnswer(signal?: AbortSignal): Promise<QueueMessage[]> {
    return new Promise((resolve, reject) => {
      this.answerNext = resolve;
      signal?.addEventListener('abort', () => { this.aborted += 1; reject(new Error('aborted')); }, { once: true });
    });
  }
}
