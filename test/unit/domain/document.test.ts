import { describe, expect, it } from 'vitest';
import { capContent, documentId, extensionOf, filenameOf, normaliseVersion } from '../../../src/domain/document.js';

describe('documentId', () => {
  it('is stable for the same bucket, key and version', () => {
    expect(documentId('b', 'k', 'v1')).toBe(documentId('b', 'k', 'v1'));
    expect(documentId('b', 'k', 'v1')).toMatch(/^[0-9a-f]{64}$/);
  });
  it.each([
    ['different version', ['b', 'k', 'v2']],
    ['different key', ['b', 'k2', 'v1']],
    ['different bucket', ['b2', 'k', 'v1']],
    ['concatenation ambiguity', ['bk', '', 'v1']],
  ] as const)('differs for %s', (_n, [b, k, v]) => {
    expect(documentId(b, k, v)).not.toBe(documentId('b', 'k', 'v1'));
  });
  it('treats absent, empty and "null" versions as the same unversioned object', () => {
    const id = documentId('b', 'k', null);
    expect(documentId('b', 'k', undefined)).toBe(id);
    expect(documentId('b', 'k', 'null')).toBe(id);
    expect(documentId('b', 'k', '')).toBe(id);
  });
});

describe('names', () => {
  it.each([
    ['a/b/report.PDF', 'report.PDF', 'pdf'],
    ['noext', 'noext', ''],
    ['.hidden', '.hidden', ''],
    ['dir.with.dots/file', 'file', ''],
    ['weird.ext with space', 'weird.ext with space', ''],
    ['日本語/文書.txt', '文書.txt', 'txt'],
  ])('%s', (key, name, ext) => {
    expect(filenameOf(key)).toBe(name);
    expect(extensionOf(key)).toBe(ext);
  });
  it('normalises versions', () => {
    expect(normaliseVersion('null')).toBeNull();
    expect(normaliseVersion('abc')).toBe('abc');
  });
});

describe('capContent', () => {
  it('keeps short text', () => expect(capContent('abc', 5)).toEqual({ content: 'abc', truncated: false }));
  it('cuts long text and says so', () => expect(capContent('abcdef', 4)).toEqual({ content: 'abcd', truncated: true }));
  it('never splits a surrogate pair', () => {
    const text = `ab${'😀'}cd`;
    const { content, truncated } = capContent(text, 3);
    expect(truncated).toBe(true);
    expect(content).toBe('ab');
  });
});
