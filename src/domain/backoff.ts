/** How a delay grows with each attempt; `base` and `max` share one unit (ms or s). */
export interface BackoffCurve {
  /** The delay after the first attempt. */
  base: number;
  /** The ceiling. */
  max: number;
}

/**
 * The one exponential backoff: `base * 2^(attempt - 1)`, capped at `max`. Attempts count from 1;
 * anything lower counts as the first. The exponent stops growing at 30 so a long outage cannot
 * overflow to Infinity before the cap applies.
 */
export function exponentialBackoff(attempt: number, curve: BackoffCurve): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(curve.max, curve.base * 2 ** Math.min(n - 1, 30));
}

/**
 * "Equal jitter": a random point in the upper half of `delay`, so clients that failed together do
 * not retry together, yet none retries sooner than half the delay.
 */
export function withJitter(delay: number, random: () => number = Math.random): number {
  return Math.round(delay / 2 + random() * (delay / 2));
}
