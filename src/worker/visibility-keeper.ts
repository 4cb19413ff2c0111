import type { QueueMessage, VisibilityChange } from '../ports/queue.port.js';

interface Tracked {
  message: QueueMessage;
  startedAt: number;
}

/**
 * Keeps in-flight messages invisible while they are worked on: every `intervalMs` it extends the
 * visibility of each tracked message by `visibilitySeconds`, in batches, until the message has been
 * in flight for `processingTimeoutMs` (then it is left to expire, so a stuck message is retried).
 */
export class VisibilityKeeper {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly extend: (change: VisibilityChange) => Promise<unknown>,
    private readonly options: { intervalMs: number; visibilitySeconds: number; processingTimeoutMs: number; now?: () => number },
  ) {}

  get size(): number {
    return this.tracked.size;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  track(message: QueueMessage): void {
    this.tracked.set(message.id, { message, startedAt: this.now() });
  }

  untrack(id: string): void {
    this.tracked.delete(id);
  }

  /** One round of extensions; exposed for tests with fake timers. */
  tick(): void {
    const now = this.now();
    for (const [id, t] of this.tracked) {
      if (now - t.startedAt >= this.options.processingTimeoutMs) {
        this.tracked.delete(id);
        continue;
      }
      void this.extend({ id, receiptHandle: t.message.receiptHandle, visibilitySeconds: this.options.visibilitySeconds });
    }
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
