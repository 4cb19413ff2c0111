import { describe, expect, it } from 'vitest';
import { exponentialBackoff, withJitter } from '../../../src/domain/backoff.js';

describe('exponentialBackoff', () => {
  it.each([
    { name: 'first attempt is the base', attempt: 1, curve: { base: 500, max: 30_000 }, want: 500 },
    { name: 'doubles per attempt', attempt: 4, curve: { base: 500, max: 30_000 }, want: 4000 },
    { name: 'capped at max', attempt: 7, curve: { base: 500, max: 30_000 }, want: 30_000 },
    { name: 'zero and negative attempts count as the first', attempt: 0, curve: { base: 10, max: 900 }, want: 10 },
    { name: 'fractional attempts round down', attempt: 2.9, curve: { base: 10, max: 900 }, want: 20 },
    { name: 'a huge attempt neither overflows nor passes the cap', attempt: 1e9, curve: { base: 1, max: 2 ** 40 }, want: 2 ** 30 },
    { name: 'a zero base stays zero', attempt: 5, curve: { base: 0, max: 900 }, want: 0 },
  ])('$name', ({ attempt, curve, want }) => expect(exponentialBackoff(attempt, curve)).toBe(want));
});

describe('withJitter', () => {
  it.each([
    { random: 0, want: 500 },
    { random: 0.5, want: 750 },
    { random: 0.999999, want: 1000 },
  ])('random $random of a 1000 delay gives $want', ({ random, want }) => expect(withJitter(1000, () => random)).toBe(want));
});
