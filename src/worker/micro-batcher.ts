import { exponentialBackoff, type BackoffCurve } from '../domain/backoff.js';
import type { Clock } from '../ports/clock.port.js';
import type { BatchFailure } from '../ports/queue.port.js';

interface Entry<T> {
  item: T;
  resolve: (failure: BatchFailure | null) => void;
}

/**
 * Groups single-message calls (delete, change visibility) into SQS batch calls of up to 10,
 * sent when full or after `delayMs`. Each caller learns its own message's result: partial batch
 * failures are per message, never per batch. A whole-call failure is retried with backoff a few
 * times, then reported to each caller as that message's failure.
 */
export class MicroBatcher<T extends { id: string }> {
  private entries: Entry<T>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly run: (items: T[]) => Promise<BatchFailure[]>,
    private readonly options: { max: number; delayMs: number; attempts: number; backoff: BackoffCurve; clock: Clock },
  ) {}

  add(item: T): Promise<BatchFailure | null> {
    return new Promise((resolve) => {
      this.entries.push({ item, resolve });
      if (this.entries.length >= this.options.max) this.flush();
      else if (!this.timer) {
        this.timer = setTimeout(() => this.flush(), this.options.delayMs);
      }
    });
  }

  /** Sends everything queued now; resolves when every call started so far has settled. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.entries.length > 0) {
      const batch = this.entries.splice(0, this.options.max);
      const p = this.send(batch).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
  }

  private async send(batch: Entry<T>[]): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      try {
        const failures = await this.run(batch.map((e) => e.item));
        const byId = new Map(failures.map((f) => [f.id, f]));
        for (const e of batch) e.resolve(byId.get(e.item.id) ?? null);
        return;
      } catch (err) {
        lastError = err;
        if (attempt < this.options.attempts) await this.options.clock.sleep(exponentialBackoff(attempt, this.options.backoff));
      }
    }
    const e = lastError as { code?: string; message?: string };
    for (const entry of batch) {
      entry.resolve({ id: entry.item.id, code: e?.code ?? 'Error', message: e?.message ?? String(lastError), senderFault: false });
    }
  }
}
