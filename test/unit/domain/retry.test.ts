import { describe, expect, it } from 'vitest';
import { DocsiftError, ERROR_CLASS_NAMES, kindOf, toDocsiftError, truncateMessage, type ErrorClass } from '../../../src/domain/errors.js';
import { backoffSeconds, decideFailure, isLastReceive, type FailureDecision } from '../../../src/domain/retry.js';

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
  // max: the source queue's maxReceiveCount (null: unknown or no redrive policy).
  const cases: Array<{ name: string; code: ErrorClass; dlq: boolean; count: number; max: number | null; want: FailureDecision }> = [
    { name: 'permanent with DLQ → dead letter', code: 'not_found', dlq: true, count: 1, max: 5, want: { action: 'dead_letter', reason: 'permanent' } },
    { name: 'permanent without DLQ → visible now for the redrive policy', code: 'bad_message', dlq: false, count: 1, max: 5, want: { action: 'leave_for_redrive', visibilitySeconds: 0, reason: 'permanent' } },
    { name: 'transient → retry with backoff', code: 'index_unavailable', dlq: true, count: 3, max: 5, want: { action: 'retry', visibilitySeconds: 40 } },
    { name: 'throttled → longer backoff', code: 'throttled', dlq: true, count: 1, max: 5, want: { action: 'retry', visibilitySeconds: 20 } },
    { name: 'connection → longer backoff', code: 'connection', dlq: false, count: 2, max: 5, want: { action: 'retry', visibilitySeconds: 40 } },
    { name: 'timeout is transient', code: 'processing_timeout', dlq: true, count: 1, max: 5, want: { action: 'retry', visibilitySeconds: 10 } },
    { name: 'too large is permanent', code: 'too_large', dlq: true, count: 1, max: 5, want: { action: 'dead_letter', reason: 'permanent' } },
    { name: 'mapping rejection is permanent', code: 'index_rejected', dlq: true, count: 1, max: 5, want: { action: 'dead_letter', reason: 'permanent' } },
    { name: 'transient one receive before the last → still a retry', code: 'index_unavailable', dlq: true, count: 4, max: 5, want: { action: 'retry', visibilitySeconds: 80 } },
    { name: 'transient on the last receive, with DLQ → dead letter, labelled', code: 'index_unavailable', dlq: true, count: 5, max: 5, want: { action: 'dead_letter', reason: 'last_receive' } },
    { name: 'receive count past the limit (approximate) → still the last', code: 'ocr_timeout', dlq: true, count: 7, max: 5, want: { action: 'dead_letter', reason: 'last_receive' } },
    { name: 'maxReceiveCount 1: the first receive is the last', code: 'processing_timeout', dlq: true, count: 1, max: 1, want: { action: 'dead_letter', reason: 'last_receive' } },
    { name: 'throttled on the last receive → dead letter too', code: 'throttled', dlq: true, count: 2, max: 2, want: { action: 'dead_letter', reason: 'last_receive' } },
    { name: 'transient on the last receive, no DLQ → left for the redrive policy, backoff kept', code: 'internal', dlq: false, count: 5, max: 5, want: { action: 'leave_for_redrive', visibilitySeconds: 160, reason: 'last_receive' } },
    { name: 'limit unknown → retry forever (the queue decides)', code: 'index_unavailable', dlq: true, count: 50, max: null, want: { action: 'retry', visibilitySeconds: 900 } },
    { name: 'permanent on the last receive → permanent wins', code: 'corrupt_file', dlq: true, count: 5, max: 5, want: { action: 'dead_letter', reason: 'permanent' } },
  ];
  it.each(cases)('$name', ({ code, dlq, count, max, want }) => {
    expect(decideFailure(new DocsiftError(code, 'fetch', 'x'), { receiveCount: count, maxReceiveCount: max, hasDeadLetterQueue: dlq, backoff: policy })).toEqual(want);
  });
});

describe('isLastReceive', () => {
  it.each([
    [1, 5, false],
    [4, 5, false],
    [5, 5, true],
    [6, 5, true],
    [1, 1, true],
    [99, null, false],
  ] as const)('receive %i of max %s → %s', (count, max, want) => expect(isLastReceive(count, max)).toBe(want));
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
