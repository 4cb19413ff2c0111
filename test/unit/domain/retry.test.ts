import { describe, expect, it } from 'vitest';
import { DocsiftError, ERROR_CLASS_NAMES, kindOf, toDocsiftError, truncateMessage } from '../../../src/domain/errors.js';
import { backoffSeconds, decideFailure } from '../../../src/domain/retry.js';

const policy = { baseSeconds: 10, maxSeconds: 900 };

describe('backoffSeconds', () => {
  it.each([
    ['first receive', 1, 0, 10],
    ['second receive doubles', 2, 0, 20],
    ['fifth receive', 5, 0, 160],
    ['capped at max', 12, 0, 900],
    ['throttling starts one step higher', 1, 1, 20],
    ['nonsense count treated as first', 0, 0, 10],
  ])('%s', (_n, count, boost, want) => expect(backoffSeconds(count, policy, boost)).toBe(want));
  it('never exceeds the SQS 12 h limit', () => expect(backoffSeconds(40, { baseSeconds: 10, maxSeconds: 99_999 })).toBe(43_200));
});

describe('decideFailure', () => {
  const cases = [
    { name: 'permanent with DLQ → dead letter', code: 'not_found', dlq: true, count: 1, want: { action: 'dead_letter' } },
    { name: 'permanent without DLQ → visible now for the redrive policy', code: 'bad_message', dlq: false, count: 1, want: { action: 'leave_for_redrive', visibilitySeconds: 0 } },
    { name: 'transient → retry with backoff', code: 'index_unavailable', dlq: true, count: 3, want: { action: 'retry', visibilitySeconds: 40 } },
    { name: 'throttled → longer backoff', code: 'throttled', dlq: true, count: 1, want: { action: 'retry', visibilitySeconds: 20 } },
    { name: 'connection → longer backoff', code: 'connection', dlq: false, count: 2, want: { action: 'retry', visibilitySeconds: 40 } },
    { name: 'timeout is transient', code: 'processing_timeout', dlq: true, count: 1, want: { action: 'retry', visibilitySeconds: 10 } },
    { name: 'too large is permanent', code: 'too_large', dlq: true, count: 1, want: { action: 'dead_letter' } },
    { name: 'mapping rejection is permanent', code: 'index_rejected', dlq: true, count: 1, want: { action: 'dead_letter' } },
  ] as const;
  it.each(cases)('$name', ({ code, dlq, count, want }) => {
    expect(decideFailure(new DocsiftError(code, 'fetch', 'x'), count, dlq, policy)).toEqual(want);
  });
});

describe('error classes', () => {
  it('every class has a kind', () => {
    for (const c of ERROR_CLASS_NAMES) expect(['transient', 'permanent', 'throttled', 'connection']).toContain(kindOf(c));
  });
  it('unknown errors become internal and transient', () => {
    const e = toDocsiftError(new Error('boom'), 'extract');
    expect(e.code).toBe('internal');
    expect(e.kind).toBe('transient');
    expect(e.stage).toBe('extract');
  });
  it('truncates and flattens messages', () => {
    expect(truncateMessage('a\nb', 10)).toBe('a b');
    expect(truncateMessage('x'.repeat(20), 10)).toHaveLength(10);
  });
});
