/**
 * A token bucket, as plain data and one pure step, so the rate limit is tested with a fake clock.
 * `capacity` bounds the burst after an idle period; tokens refill continuously at `ratePerSecond`.
 */
export interface TokenBucket {
  ratePerSecond: number;
  capacity: number;
  tokens: number;
  updatedAtMs: number;
}

export function createBucket(ratePerSecond: number, nowMs: number, capacity = Math.max(1, Math.min(10, ratePerSecond))): TokenBucket {
  if (!(ratePerSecond > 0)) throw new Error('rate must be greater than 0');
  return { ratePerSecond, capacity, tokens: capacity, updatedAtMs: nowMs };
}

/**
 * Takes one token at `nowMs`. When none is there it still takes it (tokens go negative) and says
 * how long to wait, so callers that sleep `waitMs` and go on keep the long-run rate exact.
 */
export function takeToken(bucket: TokenBucket, nowMs: number): { bucket: TokenBucket; waitMs: number } {
  const elapsed = Math.max(0, nowMs - bucket.updatedAtMs) / 1000;
  const tokens = Math.min(bucket.capacity, bucket.tokens + elapsed * bucket.ratePerSecond) - 1;
  const waitMs = tokens >= 0 ? 0 : Math.ceil((-tokens / bucket.ratePerSecond) * 1000);
  return { bucket: { ...bucket, tokens, updatedAtMs: Math.max(nowMs, bucket.updatedAtMs) }, waitMs };
}
