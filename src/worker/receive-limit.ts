import { receiveLimitOf, type RedrivePolicyRead } from '../domain/redrive-policy.js';
import type { Clock } from '../ports/clock.port.js';
import type { WorkerEvent } from './worker-events.js';

export interface ReceiveLimitOptions {
  /** How often the policy is read again; 0: only at start-up. */
  intervalMs: number;
  clock: Clock;
  emit: (event: WorkerEvent) => void;
}

/**
 * The source queue's maxReceiveCount as last read. Read once before the first receive and again
 * every `intervalMs`, so an operator's change to the redrive policy reaches running pods. A failed
 * read keeps the last value: a brief SQS hiccup must not switch the last-receive labelling off.
 */
export class ReceiveLimit {
  private value: number | null = null;
  private last: string | null = null;

  constructor(
    private readonly read: () => Promise<RedrivePolicyRead>,
    private readonly options: ReceiveLimitOptions,
  ) {}

  /** The delivery count at which a message is on its last receive; null when unknown or unlimited. */
  current(): number | null {
    return this.value;
  }

  async refresh(): Promise<void> {
    let read: RedrivePolicyRead;
    try {
      read = await this.read();
    } catch (err) {
      this.options.emit({ type: 'redrive_policy_failed', reason: err instanceof Error ? err.message : String(err), kept: this.value });
      return;
    }
    this.value = receiveLimitOf(read);
    // Reported when it changes (and the first time), not on every read.
    const fingerprint = JSON.stringify(read);
    if (fingerprint !== this.last) this.options.emit({ type: 'redrive_policy', policy: read });
    this.last = fingerprint;
  }

  /** Re-reads every interval until `signal` aborts. Never rejects. */
  async watch(signal: AbortSignal): Promise<void> {
    if (this.options.intervalMs <= 0) return;
    while (!signal.aborted) {
      await this.options.clock.sleep(this.options.intervalMs, signal);
      if (signal.aborted) return;
      await this.refresh();
    }
  }
}
