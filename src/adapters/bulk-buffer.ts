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
    if (this.items.length >= this.limits.maxOps || this.bytes >= this.limits.maxBytes) void this.flush();
    else if (!this.timer) {
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
    if (this.items.length === 0) return this.chain;
    const batch = this.items;
    this.items = [];
    this.bytes = 0;
    this.chain = this.chain.then(async () => {
      try {
        await this.send(batch);
      } catch (err) {
        // send() settles items itself; anything escaping is a bug, but never leave a caller hanging.
        for (const item of batch) item.reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    return this.chain;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
