import { describe, expect, it } from 'vitest';
import { decodeMimeWords, keywordMap } from '../../../../src/domain/coverage/s3-metadata.js';

describe('decodeMimeWords: S3 returns non-ASCII metadata RFC 2047-encoded', () => {
  it.each([
    ['plain ASCII stays', 'sales', 'sales'],
    ['UTF-8 base64', '=?UTF-8?B?5Za25qWt?=', '営業'],
    ['UTF-8 quoted-printable with _ for space', '=?utf-8?Q?caf=C3=A9_au_lait?=', 'café au lait'],
    ['two words joined, the space between them dropped', '=?UTF-8?B?5Za2?= =?UTF-8?B?5qWt?=', '営業'],
    ['text around a word is kept', 'dept: =?UTF-8?B?5Za25qWt?= (JP)', 'dept: 営業 (JP)'],
    ['another charset is left as it is', '=?ISO-2022-JP?B?GyRCMUQ2SBsoQg==?=', '=?ISO-2022-JP?B?GyRCMUQ2SBsoQg==?='],
    ['bytes that are not UTF-8 are left as they are', '=?UTF-8?B?/w==?=', '=?UTF-8?B?/w==?='],
  ])('%s', (_name, value, expected) => {
    expect(decodeMimeWords(value)).toBe(expected);
  });
});

describe('keywordMap', () => {
  it('decodes, lowercases, replaces dots in names and sorts', () => {
    expect(keywordMap({ Dept: '=?UTF-8?B?5Za25qWt?=', 'a.b': 'x', zone: 'jp' }, { decode: true, lowercase: true })).toEqual({ a_b: 'x', dept: '営業', zone: 'jp' });
    expect(Object.keys(keywordMap({ b: '1', a: '2' }))).toEqual(['a', 'b']);
  });
  it('keeps tag names as they are (tags are case-sensitive)', () => {
    expect(keywordMap([['Project', 'x']])).toEqual({ Project: 'x' });
  });
  it('bounds what comes from outside: 50 entries, 128-character names, 1,024-character values, no empty names', () => {
    const many = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v']));
    expect(Object.keys(keywordMap(many))).toHaveLength(50);
    const long = keywordMap({ ['n'.repeat(500)]: 'v'.repeat(5000), ' ': 'blank' });
    expect(Object.keys(long)).toEqual(['n'.repeat(128)]);
    expect(Object.values(long)[0]).toHaveLength(1024);
  });
});
