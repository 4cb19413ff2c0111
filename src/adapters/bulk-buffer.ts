/**
 * Collects index operations into bulk requests and settles each caller's promise with its own
 * item's outcome, so the worker can acknowledge a message exactly when its document is durable.
 *
 * Why not the OpenSearch client's `helpers.bulk`: it consumes a datasource stream and reports only
 * dropped documents, with no per-document success signal to acknowledge a message on, and it
 * retries whole-request failures without a bound we control.
 */
export interface PendingItem<T> {
  op: T;
  bytes: number;
  attempts: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface BulkLimits {
  maxOps: number;
  maxBytes: number;
  flushMs: number;
}

export class BulkBuffer<T> {
  private items: PendingItem<T>[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** Requests queued or under way in the chain. */
  private active = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly limits: BulkLimits,
    private readonly send: (batch: PendingItem<T>[]) => Promise<void>,
  ) {}

  get pending(): number {
    return this.items.length;
  }

  add(op: T, bytes: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error('bulk buffer is closed'));
    return new Promise<void>((resolve, reject) => {
      this.requeue({ op, bytes, attempts: 0, resolve, reject });
    });
  }

  /** Puts an item (new or being retried) into the next request. */
  requeue(item: PendingItem<T>): void {
    this.items.push(item);
    this.bytes += item.bytes;
    if (this.items.length >= this.limits.maxOps || this.bytes >= this.limits.maxBytes) {
      void this.flush();
      return;
    }
    // Group commit: with no request under way, send at the end of this event-loop turn (writes made
    // in the same turn still share a request); while one is under way, what gathers meanwhile goes
    // out the moment it completes. flushMs stays the upper bound. Waiting the full flushMs when
    // nothing was being sent only added latency: with 16 messages in flight it capped the text-only
    // rate (npm run bench, idle machine: index stage 58 -> 12 ms, 5,300 -> 6,300 messages/minute).
    if (this.active === 0 && !this.immediate) {
      this.immediate = setImmediate(() => {
        this.immediate = null;
        void this.flush();
      });
    }
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.limits.flushMs);
      this.timer.unref?.();
    }
  }

  /** Sends what is buffered now; requests go out one after another, in order. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.immediate) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
    if (this.items.length === 0) return this.chain;
    const batch = this.items;
    this.items = [];
    this.bytes = 0;
    this.active += 1;
    this.chain = this.chain.then(async () => {
      try {
        await this.send(batch);
      } catch (err) {
        // send() settles items itself; anything escaping is a bug, but never leave a caller hanging.
        for (const item of batch) item.reject(err instanceof Error ? err : new Error(String(err)));
      } finally {
        this.active -= 1;
        // The group that gathered while this request was under way (retried items included).
        if (this.active === 0 && this.items.length > 0 && !this.closed) void this.flush();
      }
    });
    return this.chain;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
