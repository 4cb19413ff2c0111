/**
 * Many shared holders or one exclusive holder at a time, exclusive waiters first: a suspect
 * message waits for the messages already running to finish, and no new one starts until it is
 * done. Written here rather than taken from a library because it needs exactly this preference
 * and an abort for waiters (a waiting message still honours PROCESSING_TIMEOUT).
 */
export class ExclusiveLock {
  private shared = 0;
  private exclusive = false;
  private readonly queue: Array<{ exclusive: boolean; grant: () => void }> = [];

  async run<T>(exclusive: boolean, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    await this.acquire(exclusive, signal);
    try {
      return await work();
    } finally {
      if (exclusive) this.exclusive = false;
      else this.shared -= 1;
      this.drain();
    }
  }

  private canGrant(exclusive: boolean): boolean {
    if (this.exclusive) return false;
    return exclusive ? this.shared === 0 : !this.queue.some((w) => w.exclusive);
  }

  private acquire(exclusive: boolean, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (this.queue.length === 0 && this.canGrant(exclusive)) {
      this.take(exclusive);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        exclusive,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.take(exclusive);
          resolve();
        },
      };
      const onAbort = () => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        this.drain();
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.exclusive = true;
    else this.shared += 1;
  }

  /** Grants waiters in order: an exclusive one alone, or the shared ones before the next exclusive. */
  private drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (this.exclusive || (head.exclusive && this.shared > 0)) return;
      this.queue.shift();
      head.grant();
      if (head.exclusive) return;
    }
  }
}
