import { exponentialBackoff } from '../domain/backoff.js';
import type { Clock } from '../ports/clock.port.js';
import type { MessageSender } from '../ports/message-sender.port.js';
import type { RateLimiter } from './rate-limiter.js';

export interface JobTarget {
  bucket: string;
  key: string;
}

export interface SendResult {
  /** Leading jobs known to be on the queue: everything before the first one that could not be sent. */
  sentInOrder: number;
  /** All jobs sent, including any after a failure (they will be sent again on resume). */
  sent: number;
  error: string | null;
}

const ATTEMPTS = 5;

/**
 * Sends `{bucket, key}` job messages (the worker's direct job format) with SendMessageBatch, ten at
 * a time, at the limiter's rate. Entries SQS refuses are retried with backoff; what still fails is
 * reported, so the caller never checkpoints past a job that is not on the queue.
 */
export class JobEnqueuer {
  constructor(
    private readonly sender: MessageSender,
    private readonly queueUrl: string,
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
  ) {}

  /**
   * `beforeSend` runs once the rate allows the first request and before it is made: the backfill
   * records its in-flight batch there, so the record covers the send and not the wait before it.
   */
  async send(jobs: JobTarget[], beforeSend?: () => Promise<void>): Promise<SendResult> {
    const done = new Set<number>();
    let error: string | null = null;
    for (let i = 0; i < jobs.length; i += 10) {
      const indexes = jobs.slice(i, i + 10).map((_, j) => i + j);
      for (const _ of indexes) await this.limiter.take();
      if (i === 0) await beforeSend?.();
      error = await this.sendWithRetries(jobs, indexes, done);
      if (error) break;
    }
    let sentInOrder = 0;
    while (sentInOrder < jobs.length && done.has(sentInOrder)) sentInOrder += 1;
    return { sentInOrder, sent: done.size, error };
  }

  private async sendWithRetries(jobs: JobTarget[], indexes: number[], done: Set<number>): Promise<string | null> {
    let pending = indexes;
    let last = '';
    for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 1) await this.clock.sleep(exponentialBackoff(attempt - 1, { base: 200, max: 5000 }));
      const entries = pending.map((n) => ({ id: `j${n}`, body: JSON.stringify({ bucket: jobs[n]!.bucket, key: jobs[n]!.key }), attributes: {} }));
      let failed: Set<string>;
      try {
        const failures = await this.sender.sendBatch(this.queueUrl, entries);
        failed = new Set(failures.map((f) => f.id));
        if (failures[0]) last = `${failures[0].code}: ${failures[0].message}`;
        // A sender fault (a malformed entry) will not succeed on retry.
        if (failures.some((f) => f.senderFault)) return `SQS refused a job: ${last}`;
      } catch (err) {
        failed = new Set(entries.map((e) => e.id));
        last = (err as Error).message;
      }
      for (const n of pending) if (!failed.has(`j${n}`)) done.add(n);
      pending = pending.filter((n) => failed.has(`j${n}`));
    }
    return pending.length > 0 ? `could not send ${pending.length} job(s) after ${ATTEMPTS} attempts: ${last}`.slice(0, 300) : null;
  }
}
