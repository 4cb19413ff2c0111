import { Periodic } from '../platform/periodic.js';
import type { QueueDepth } from '../ports/queue.port.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface DepthSource {
  depth(): Promise<QueueDepth>;
}

export interface QueueDepthOptions {
  queue: DepthSource;
  dlq?: DepthSource | undefined;
  /** 0 disables the timer (readiness can still poll on demand). */
  intervalMs: number;
  metrics?: Metrics;
  logger?: Logger;
  /** One GetQueueAttributes may take this long before it counts as a failure. @defaultValue 5000 */
  timeoutMs?: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`GetQueueAttributes took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Reads the approximate depth of the queue (and the DLQ) with GetQueueAttributes every
 * QUEUE_DEPTH_INTERVAL into docsift_queue_messages{queue,state}. The last successful read also
 * tells /readyz the queue is reachable.
 */
export class QueueDepthPoller {
  private readonly periodic: Periodic;
  private inflight: Promise<boolean> | undefined;
  lastSuccessAt: number | null = null;
  lastError: string | null = null;

  constructor(private readonly options: QueueDepthOptions) {
    this.periodic = new Periodic(options.intervalMs, () => void this.poll());
  }

  start(): void {
    this.periodic.start();
  }

  stop(): void {
    this.periodic.stop();
  }

  /** One read of both queues; concurrent callers share it. Resolves true when the main queue answered. */
  poll(): Promise<boolean> {
    this.inflight ??= this.read().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async read(): Promise<boolean> {
    const { queue, dlq, metrics, logger } = this.options;
    const timeoutMs = this.options.timeoutMs ?? 5000;
    const [main, dead] = await Promise.allSettled([withTimeout(queue.depth(), timeoutMs), dlq ? withTimeout(dlq.depth(), timeoutMs) : Promise.resolve(undefined)]);
    const set = (name: 'main' | 'dlq', d: QueueDepth) => {
      metrics?.queueMessages.set({ queue: name, state: 'visible' }, d.visible);
      metrics?.queueMessages.set({ queue: name, state: 'in_flight' }, d.inFlight);
      metrics?.queueMessages.set({ queue: name, state: 'delayed' }, d.delayed);
    };
    if (main.status === 'fulfilled') set('main', main.value);
    if (dead.status === 'fulfilled' && dead.value) set('dlq', dead.value);
    const failure = [main, dead].find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failure) {
      this.lastError = failure.reason instanceof Error ? failure.reason.message : String(failure.reason);
      logger?.warn({ event: 'queue_depth', ok: false, reason: this.lastError.slice(0, 200) }, 'could not read queue depth');
    } else {
      logger?.debug({ event: 'queue_depth', ok: true, ...(main.status === 'fulfilled' ? main.value : {}) }, 'queue depth');
    }
    if (main.status === 'fulfilled') {
      this.lastSuccessAt = Date.now();
      if (!failure) this.lastError = null;
      return true;
    }
    return false;
  }
}
