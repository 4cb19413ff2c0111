import { createBucket, takeToken, type TokenBucket } from '../domain/token-bucket.js';
import type { Clock } from '../ports/clock.port.js';

/**
 * A token bucket on an injected clock. Chosen over a library (bottleneck has not been released
 * since 2019; p-throttle wraps functions and newer majors need newer Node): the redrive needs one
 * `await take()` per message, deterministic under a fake clock, and this is twenty lines.
 */
export class RateLimiter {
  private bucket: TokenBucket;

  constructor(
    ratePerSecond: number,
    private readonly clock: Clock,
    burst?: number,
  ) {
    this.bucket = createBucket(ratePerSecond, clock.now(), burst);
  }

  async take(): Promise<void> {
    const step = takeToken(this.bucket, this.clock.now());
    this.bucket = step.bucket;
    if (step.waitMs > 0) await this.clock.sleep(step.waitMs);
  }
}
