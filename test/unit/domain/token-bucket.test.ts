import { describe, expect, it } from 'vitest';
import { createBucket, takeToken, type TokenBucket } from '../../../src/domain/token-bucket.js';

function run(rate: number, takes: number[], burst?: number): number[] {
  let bucket: TokenBucket = createBucket(rate, 0, burst);
  return takes.map((now) => {
    const step = takeToken(bucket, now);
    bucket = step.bucket;
    return step.waitMs;
  });
}

describe('token bucket', () => {
  it.each([
    ['a burst up to the capacity needs no wait', 10, [0, 0, 0], 3, [0, 0, 0]],
    ['past the burst each token waits 1/rate more', 10, [0, 0, 0, 0, 0], 2, [0, 0, 100, 200, 300]],
    ['after an idle second the bucket is full again', 2, [0, 0, 1000, 1000], 2, [0, 0, 0, 0]],
    ['refill is continuous, not per second', 4, [0, 250, 500], 1, [0, 0, 0]],
    ['a slow rate waits whole seconds', 0.5, [0, 0], 1, [0, 2000]],
  ] as const)('%s', (_name, rate, takes, burst, waits) => {
    expect(run(rate, [...takes], burst)).toEqual(waits);
  });

  it('keeps the long-run rate when callers sleep the wait', () => {
    let bucket = createBucket(50, 0, 1);
    let now = 0;
    for (let i = 0; i < 500; i++) {
      const step = takeToken(bucket, now);
      bucket = step.bucket;
      now += step.waitMs;
    }
    expect(now).toBeGreaterThanOrEqual(9_960); // 499 tokens after the first at 50/s
    expect(now).toBeLessThanOrEqual(10_000);
  });

  it('refuses a rate of 0', () => {
    expect(() => createBucket(0, 0)).toThrow(/greater than 0/);
  });
});
