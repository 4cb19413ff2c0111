import { describe, expect, it } from 'vitest';
import { MATCH_ALL, matchesFilter, parseErrorClassList, resolveDestination, stripErrorAttributes } from '../../../../src/domain/dlq/redrive-filter.js';

describe('--error-class', () => {
  it('parses a list of classes from the closed set', () => {
    const f = parseErrorClassList('corrupt_file, too_large');
    expect([...f.classes].sort()).toEqual(['corrupt_file', 'too_large']);
    expect(f.includeUnclassified).toBe(false);
  });
  it('takes `none` for messages without the attribute', () => {
    expect(parseErrorClassList('none').includeUnclassified).toBe(true);
  });
  it.each([
    ['unknown class', 'corrupt', /unknown error class "corrupt"; valid: bad_message/],
    ['empty list', ' , ', /at least one class/],
  ] as const)('rejects an %s', (_name, text, message) => {
    expect(() => parseErrorClassList(text)).toThrow(message);
  });
});

describe('matchesFilter', () => {
  const f = parseErrorClassList('ocr_timeout,index_unavailable');
  it.each([
    ['listed class', 'ocr_timeout', f, true],
    ['other class', 'corrupt_file', f, false],
    ['missing attribute, `none` not asked', null, f, false],
    ['missing attribute, `none` asked', null, parseErrorClassList('none'), true],
    ['empty attribute counts as missing', '', parseErrorClassList('none'), true],
    ['value outside the closed set never matches a class list', 'made_up', f, false],
    ['match-all takes every known class', 'corrupt_file', MATCH_ALL, true],
    ['match-all takes unclassified too', undefined, MATCH_ALL, true],
  ] as const)('%s', (_name, value, filter, expected) => {
    expect(matchesFilter(value, filter)).toBe(expected);
  });
});

describe('stripErrorAttributes', () => {
  it('drops the DLQ attributes and keeps the original ones', () => {
    const attrs = { error_class: 1, error_message: 2, stage: 3, source_queue: 4, failed_at: 5, content_type: 6, trace_id: 7, tenant: 8 };
    expect(stripErrorAttributes(attrs, ['error_class', 'error_message', 'stage', 'source_queue', 'failed_at', 'content_type'])).toEqual({ trace_id: 7, tenant: 8 });
  });
});

describe('resolveDestination', () => {
  const Q = 'http://127.0.0.1:9324/000000000000/work';
  it.each([
    ['--to wins over everything', Q, 'http://x/flag', 'http://x/config', { url: 'http://x/flag', from: 'flag' }],
    ['then the source_queue attribute', Q, undefined, 'http://x/config', { url: Q, from: 'attribute' }],
    ['then QUEUE_URL', null, undefined, 'http://x/config', { url: 'http://x/config', from: 'config' }],
    ['a source_queue that is not a URL falls back to QUEUE_URL', 'arn:aws:sqs:us-east-1:1:work', undefined, 'http://x/config', { url: 'http://x/config', from: 'config' }],
  ] as const)('%s', (_name, attr, flag, config, expected) => {
    expect(resolveDestination(attr, flag, config)).toEqual(expected);
  });
  it('says why when there is nowhere to go', () => {
    expect(resolveDestination(null)).toEqual({ url: null, reason: expect.stringContaining('no source_queue') });
  });
});
