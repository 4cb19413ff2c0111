import type { Clock } from '../ports/clock.port.js';
import type { DeadLetterReader, Held } from '../ports/dead-letter-reader.port.js';

/**
 * The DLQ messages a run holds invisible so it does not read them twice. Their visibility is
 * short (a crash gives them back soon) and is extended while the run lasts; at the end they are
 * all made visible again at once. Every batch is tried even when one fails.
 */
export class HeldMessages {
  private readonly held = new Map<string, Held>();
  private extendedAt: number;

  constructor(
    private readonly dlq: DeadLetterReader,
    private readonly clock: Clock,
    private readonly visibilitySeconds: number,
  ) {
    this.extendedAt = clock.now();
  }

  get size(): number {
    return this.held.size;
  }

  /** Holds a message; a newer receipt handle of the same message replaces the older one. */
  add(message: Held): void {
    this.held.set(message.id, { id: message.id, receiptHandle: message.receiptHandle });
  }

  /** Extends every held message once half the visibility has passed; returns how many could not be extended. */
  async keepAlive(): Promise<number> {
    if (this.held.size === 0 || this.clock.now() - this.extendedAt < (this.visibilitySeconds * 1000) / 2) return 0;
    this.extendedAt = this.clock.now();
    return this.inBatches((batch) => this.dlq.extend(batch, this.visibilitySeconds));
  }

  /** Makes every held message visible now; returns how many could not be (they reappear after the visibility). */
  async releaseAll(): Promise<number> {
    const failed = await this.inBatches((batch) => this.dlq.release(batch));
    this.held.clear();
    return failed;
  }

  private async inBatches(call: (batch: Held[]) => Promise<unknown[]>): Promise<number> {
    const all = [...this.held.values()];
    let failed = 0;
    for (let i = 0; i < all.length; i += 10) {
      const batch = all.slice(i, i + 10);
      try {
        failed += (await call(batch)).length;
      } catch {
        failed += batch.length;
      }
    }
    return failed;
  }
}
