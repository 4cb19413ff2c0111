import { describe, expect, it } from 'vitest';
import { compareKeys, formatS3Uri, normaliseEtag, parseS3Uri } from '../../../../src/domain/coverage/s3-uri.js';

describe('parseS3Uri', () => {
  it.each([
    ['s3://docs', { bucket: 'docs', prefix: '' }],
    ['s3://docs/', { bucket: 'docs', prefix: '' }],
    ['s3://docs/archive/', { bucket: 'docs', prefix: 'archive/' }],
    ['s3://docs/archive', { bucket: 'docs', prefix: 'archive' }],
    ['s3://docs/日本語 +x/', { bucket: 'docs', prefix: '日本語 +x/' }],
  ])('%s', (uri, expected) => {
    expect(parseS3Uri(uri)).toEqual(expected);
  });
  it.each([['docs/archive'], ['https://docs.s3.amazonaws.com/x'], ['s3:///x'], ['s3://bad bucket/x']])('refuses %s', (uri) => {
    expect(() => parseS3Uri(uri)).toThrow();
  });
  it('formats back', () => {
    expect(formatS3Uri({ bucket: 'docs', prefix: 'archive/' })).toBe('s3://docs/archive/');
  });
});

describe('compareKeys: UTF-8 byte order, as S3 lists and OpenSearch sorts', () => {
  it('agrees with comparing the UTF-8 bytes, where UTF-16 order does not', () => {
    const keys = ['a', 'a/b', 'a b', 'a+b', 'ab', 'Z', '日本', '\uE000', '😀', '\uFFFD', 'ｱ'];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(byBytes);
    // The case that needs it: U+1F600 is above U+E000 in UTF-8, below it in UTF-16 code units.
    expect(compareKeys('😀', '\uE000')).toBe(1);
    expect('😀' < '\uE000').toBe(true);
  });
  it('equal keys compare 0; a prefix sorts first', () => {
    expect(compareKeys('abc', 'abc')).toBe(0);
    expect(compareKeys('ab', 'abc')).toBe(-1);
  });
});

describe('normaliseEtag', () => {
  it.each([
    ['"9b2cf535f27731c974343645a3985328"', '9b2cf535f27731c974343645a3985328'],
    ['9B2CF535F27731C974343645A3985328', '9b2cf535f27731c974343645a3985328'],
    ['"d41d8cd98f00b204e9800998ecf8427e-2"', 'd41d8cd98f00b204e9800998ecf8427e-2'],
    ['W/"abc"', 'abc'],
    ['""', null],
    [null, null],
  ])('%s', (etag, expected) => {
    expect(normaliseEtag(etag)).toBe(expected);
  });
});
