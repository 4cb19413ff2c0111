import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildDocument, capContent, MAX_OCR_PAGES_LISTED, documentId, extensionOf, filenameOf, normaliseVersion } from '../../../src/domain/document.js';

describe('documentId: one document per key', () => {
  it('is stable for the same bucket and key', () => {
    expect(documentId('b', 'k')).toBe(documentId('b', 'k'));
    expect(documentId('b', 'k')).toMatch(/^[0-9a-f]{64}$/);
  });
  it.each([
    ['different key', ['b', 'k2']],
    ['different bucket', ['b2', 'k']],
    ['concatenation ambiguity (bucket|key)', ['bk', '']],
    ['concatenation ambiguity (NUL in the key)', ['b', 'k\u0000']],
  ] as const)('differs for %s', (_n, [b, k]) => {
    expect(documentId(b, k)).not.toBe(documentId('b', 'k'));
  });
  it("keeps the ids unversioned objects had when the version was hashed too (sha256 of bucket NUL key NUL '')", () => {
    // The id docsift wrote before versioned buckets kept one document per key, for version null.
    const before = createHash('sha256').update('b\u0000k\u0000').digest('hex');
    expect(documentId('b', 'k')).toBe(before);
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

describe('buildDocument', () => {
  const object = { bucket: 'b', key: 'dir/Report.PDF', versionId: null, etag: '"e"', lastModified: null, size: 10, sha256: 'abc', sequencer: '0A' };
  const extraction = { contentType: 'application/pdf', text: '日本語テキスト', method: 'pdf_text' as const, status: 'ok' as const };
  const opts = { extractMs: 12, indexedChars: 100, indexedAt: new Date('2026-11-23T12:00:00Z') };

  it('is the index mapping of the object facts and the extraction, in the mapping order', () => {
    const doc = buildDocument(object, extraction, opts);
    expect(Object.keys(doc)).toEqual(['bucket', 'key', 'version_id', 'etag', 'size', 'last_modified', 'filename', 'extension', 'content_type', 'content', 'content_length', 'checksum', 'extraction', 'indexed_at', 'sequencer']);
    expect(doc).toMatchObject({ filename: 'Report.PDF', extension: 'pdf', content: '日本語テキスト', content_length: 7, extraction: { method: 'pdf_text', status: 'ok', ms: 12 }, indexed_at: '2026-11-23T12:00:00.000Z' });
  });

  it.each([
    { name: 'cut at INDEXED_CHARS', text: 'abcdef', indexedChars: 4, truncated: true, content: 'abcd' },
    { name: 'never splits a surrogate pair', text: 'ab😀cd', indexedChars: 3, truncated: true, content: 'ab' },
    { name: 'the extractor stopped early', text: 'abc', indexedChars: 100, truncated: true, content: 'abc', extractorTruncated: true },
    { name: 'short text is whole', text: 'abc', indexedChars: 100, truncated: undefined, content: 'abc' },
  ])('$name', ({ text, indexedChars, truncated, content, extractorTruncated }) => {
    const doc = buildDocument(object, { ...extraction, text, ...(extractorTruncated ? { truncated: true } : {}) }, { ...opts, indexedChars });
    expect(doc.content).toBe(content);
    expect(doc.truncated).toBe(truncated);
  });

  it('keeps pages, OCR summary, language and detail only when the extractor gave them', () => {
    const ocr = { engine: 'native', languages: 'jpn+eng', pages_ocr: 1, mean_confidence: 91 };
    const doc = buildDocument(object, { ...extraction, pages: 2, ocr, language: 'ja', detail: 'page 2 OCR' }, opts);
    expect(doc).toMatchObject({ pages: 2, ocr, language: 'ja', extraction: { detail: 'page 2 OCR' } });
    expect(buildDocument(object, extraction, opts)).not.toHaveProperty('pages');
  });

  it('title, author and created_at from the metadata, and an archive\'s member list (capped), only when given', () => {
    const members = Array.from({ length: 1200 }, (_, i) => `m${i}.txt`);
    const doc = buildDocument(object, { ...extraction, metadata: { title: '年次報告書', author: 'Jane', created_at: '2023-06-01T08:00:00.000Z' }, members }, opts);
    expect(doc).toMatchObject({ title: '年次報告書', author: 'Jane', created_at: '2023-06-01T08:00:00.000Z' });
    expect(doc.members).toHaveLength(1000);
    expect(doc.members?.[999]).toBe('m999.txt');
    const plain = buildDocument(object, { ...extraction, metadata: { title: 'Only a title' }, members: [] }, opts);
    expect(plain.title).toBe('Only a title');
    for (const absent of ['author', 'created_at', 'members']) expect(plain).not.toHaveProperty(absent);
  });

  it('lists the OCR\'d pages and why under extraction.ocr_pages, at most MAX_OCR_PAGES_LISTED', () => {
    const ocrPages = Array.from({ length: MAX_OCR_PAGES_LISTED + 5 }, (_, i) => ({ page: i + 1, reason: i === 0 ? ('garbled_text' as const) : ('no_text' as const) }));
    const doc = buildDocument(object, { ...extraction, method: 'pdf_ocr', ocrPages }, opts);
    expect(doc.extraction.ocr_pages).toHaveLength(MAX_OCR_PAGES_LISTED);
    expect(doc.extraction.ocr_pages![0]).toEqual({ page: 1, reason: 'garbled_text' });
    expect(buildDocument(object, extraction, opts).extraction).not.toHaveProperty('ocr_pages');
  });
});
