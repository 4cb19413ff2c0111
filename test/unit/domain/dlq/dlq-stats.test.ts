import { describe, expect, it } from 'vitest';
import { aggregateDeadLetters, UNLABELLED, type DeadLetterFacts } from '../../../../src/domain/dlq/dlq-stats.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const fact = (id: string, over: Partial<DeadLetterFacts> = {}): DeadLetterFacts => ({
  id,
  errorClass: 'corrupt_file',
  stage: 'extract',
  contentType: 'application/pdf',
  failedAt: '2026-11-23T10:00:00Z',
  sentAt: null,
  receiveCount: 1,
  ...over,
});

describe('aggregateDeadLetters', () => {
  const stats = aggregateDeadLetters(
    [
      fact('a'),
      fact('b'),
      fact('c', { errorClass: 'too_large', stage: 'fetch', contentType: null, failedAt: '2026-11-20T12:00:00Z', receiveCount: 4 }),
      fact('d', { errorClass: null, stage: null, contentType: null, failedAt: null, sentAt: NOW - 60_000 }),
      fact('e', { errorClass: 'made_up' }),
      fact('a'), // the same message read twice
    ],
    NOW,
  );

  it('counts each message once', () => {
    expect(stats.sampled).toBe(5);
  });

  it('counts by error class, most frequent first, with the kind from the closed set; no error_class is `none`, the token --error-class selects it by', () => {
    expect(stats.byErrorClass).toEqual([
      { value: 'corrupt_file', count: 2, share: 0.4, kind: 'permanent' },
      { value: 'made_up', count: 1, share: 0.2, kind: 'unknown' },
      { value: UNLABELLED, count: 1, share: 0.2, kind: 'unlabelled' },
      { value: 'too_large', count: 1, share: 0.2, kind: 'permanent' },
    ]);
  });

  it.each([
    ['stage', () => stats.byStage, [['extract', 3], ['(none)', 1], ['fetch', 1]]],
    ['content type', () => stats.byContentType, [['application/pdf', 3], ['(none)', 2]]],
  ] as const)('counts by %s', (_name, get, expected) => {
    expect(get().map((r) => [r.value, r.count])).toEqual(expected);
  });

  it('spans the ages from failed_at, falling back to SentTimestamp', () => {
    expect(stats.oldest).toBe('2026-11-20T12:00:00.000Z');
    expect(stats.oldestAgeSeconds).toBe(3 * 86_400);
    expect(stats.newest).toBe(new Date(NOW - 60_000).toISOString());
    expect(stats.newestAgeSeconds).toBe(60);
  });

  it('reports the highest receive count', () => {
    expect(stats.maxReceiveCount).toBe(4);
  });

  it('an empty sample has no ages', () => {
    expect(aggregateDeadLetters([], NOW)).toMatchObject({ sampled: 0, byErrorClass: [], oldest: null, newest: null, oldestAgeSeconds: null });
  });
});
