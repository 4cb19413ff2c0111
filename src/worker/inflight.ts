import { DocsiftError } from '../domain/errors.js';
import type { MessageOutcome } from '../ports/message-handler.port.js';
import type { QueueMessage } from '../ports/queue.port.js';

/** A handler that ignores its abort signal gets this long after the abort before its slot is taken back. */
const HANDLER_GRACE_MS = 5000;

export interface InFlight {
  message: QueueMessage;
  controller: AbortController;
  receivedAt: number;
  /** Settles when the message is settled (acked, retried, dead-lettered or released). */
  done: Promise<void>;
}

/**
 * The messages being processed now. The loop receives only as many as there are free slots, so
 * nothing ever waits in here: this is backpressure on ReceiveMessage, not a task queue (a queue
 * would hold received messages whose visibility clock is already running).
 */
export class InFlightSet {
  private readonly entries = new Map<string, InFlight>();
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.entries.size;
  }

  add(entry: InFlight): void {
    this.entries.set(entry.message.id, entry);
  }

  /** Frees the message's slot and wakes the loop if it waits for one. */
  remove(id: string): void {
    this.entries.delete(id);
    this.wake();
  }

  values(): InFlight[] {
    return [...this.entries.values()];
  }

  /** Resolves at the next freed slot or `wake()`. */
  waitForSlot(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when every message in flight now is settled. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.values().map((f) => f.done));
  }

  abortAll(reason: Error): void {
    for (const f of this.entries.values()) f.controller.abort(reason);
  }
}

/** A handler that ignores its abort signal still cannot hold a slot for ever. */
export function withDeadline(work: Promise<MessageOutcome>, signal: AbortSignal): Promise<MessageOutcome> {
  return new Promise((resolve, reject) => {
    let grace: NodeJS.Timeout | null = null;
    const onAbort = () => {
      grace = setTimeout(() => resolve({ kind: 'failed', error: new DocsiftError('processing_timeout', 'extract', 'processing timed out') }), HANDLER_GRACE_MS);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
      if (grace) clearTimeout(grace);
    });
  });
}
