import { describe, expect, it } from 'vitest';
import { classifyKey, parseReport, reportName } from '../../../../src/domain/coverage/reconcile-report.js';
import { extractionProfile, reusableText } from '../../../../src/domain/coverage/reuse.js';
import type { SearchDocument } from '../../../../src/domain/document.js';

const stored: Partial<SearchDocument> = {
  checksum: 'sha',
  content: 'hello world',
  content_length: 11,
  content_type: 'text/plain',
  extraction: { method: 'ocr', status: 'ok', ms: 900, detail: 'ocr on 1 page', profile: 'p1' },
  pages: 1,
  ocr: { engine: 'native', languages: 'jpn+eng', pages_ocr: 1, mean_confidence: 91 },
  language: 'en',
};

describe('reusableText', () => {
  it('stands in for an extraction of the same bytes, keeping what extraction found', () => {
    expect(reusableText(stored, 'sha', 100, 'same_key', 'p1')).toEqual({
      contentType: 'text/plain', text: 'hello world', method: 'ocr', status: 'ok', detail: 'ocr on 1 page', pages: 1,
      ocr: stored.ocr, language: 'en', fullLength: 11, reused: 'same_key',
    });
  });
  it.each([
    ['no document', null, 'sha', 100],
    ['another checksum', stored, 'other', 100],
    ['a failed extraction', { ...stored, extraction: { method: 'ocr', status: 'failed', ms: 1, profile: 'p1' } }, 'sha', 100],
    ['a partial extraction', { ...stored, extraction: { method: 'pdf_ocr', status: 'partial', ms: 1, profile: 'p1' } }, 'sha', 100],
    ['an unsupported type (a later docsift, or OCR switched on, may read it)', { ...stored, extraction: { method: 'none', status: 'unsupported', ms: 1, profile: 'p1' } }, 'sha', 100],
    ['another extraction profile (OCR was off, fewer PDF pages, ...)', { ...stored, extraction: { ...stored.extraction!, profile: 'p0' } }, 'sha', 100],
    ['a document written before profiles', { ...stored, extraction: { method: 'ocr', status: 'ok', ms: 900 } }, 'sha', 100],
    ['content cut shorter than INDEXED_CHARS now keeps', { ...stored, content: 'hello', content_length: 11, truncated: true }, 'sha', 100],
  ] as const)('not from %s', (_name, doc, sha, chars) => {
    expect(reusableText(doc as Partial<SearchDocument> | null, sha, chars, 'same_key', 'p1')).toBeNull();
  });
  it('keeps what the reader found besides the text: title, author, created_at, members, OCR\'d pages', () => {
    const found = {
      ...stored,
      title: '年次報告書',
      author: 'Jane',
      created_at: '2023-06-01T08:00:00.000Z',
      members: ['a.txt', 'b.docx'],
      extraction: { ...stored.extraction!, ocr_pages: [{ page: 2, reason: 'garbled_text' as const }] },
    };
    expect(reusableText(found, 'sha', 100, 'same_key', 'p1')).toMatchObject({
      metadata: { title: '年次報告書', author: 'Jane', created_at: '2023-06-01T08:00:00.000Z' },
      members: ['a.txt', 'b.docx'],
      ocrPages: [{ page: 2, reason: 'garbled_text' }],
    });
    expect(reusableText(stored, 'sha', 100, 'same_key', 'p1')).not.toHaveProperty('metadata');
  });

  it('content cut at the same INDEXED_CHARS is reused, still marked truncated', () => {
    const cut = reusableText({ ...stored, content: 'hello', content_length: 11, truncated: true }, 'sha', 5, 'content_hash', 'p1');
    expect(cut).toMatchObject({ text: 'hello', fullLength: 11, truncated: true, reused: 'content_hash' });
  });
});

describe('extractionProfile', () => {
  const settings = { OCR_ENABLED: true, OCR_LANGUAGES: 'jpn+eng', MAX_PDF_PAGES: 500, IMAGE_PREPROCESSING: ['grayscale'] };
  it('is a short stable hash, whatever the order of the settings', () => {
    expect(extractionProfile(settings)).toMatch(/^[0-9a-f]{16}$/);
    expect(extractionProfile({ MAX_PDF_PAGES: 500, IMAGE_PREPROCESSING: ['grayscale'], OCR_LANGUAGES: 'jpn+eng', OCR_ENABLED: true })).toBe(extractionProfile(settings));
  });
  it.each([
    ['OCR switched on', { OCR_ENABLED: false }],
    ['another language', { OCR_LANGUAGES: 'eng' }],
    ['more PDF pages', { MAX_PDF_PAGES: 1000 }],
    ['other preprocessing', { IMAGE_PREPROCESSING: ['grayscale', 'normalise'] }],
  ])('changes with %s', (_name, change) => {
    expect(extractionProfile({ ...settings, ...change })).not.toBe(extractionProfile(settings));
  });
});

describe('classifyKey', () => {
  it.each([
    ['object and a document with its ETag', 'e1', ['e1'], 'ok'],
    ['object and documents, one with its ETag', 'e1', ['e0', 'e1'], 'ok'],
    ['object without a document', 'e1', [], 'missing'],
    ['object whose document has another ETag', 'e2', ['e1'], 'stale'],
    ['a document without an ETag', 'e1', [null], 'stale'],
    ['documents without an object', undefined, ['e1'], 'orphaned'],
  ] as const)('%s', (_name, objectEtag, docEtags, verdict) => {
    expect(classifyKey(objectEtag, [...docEtags])).toBe(verdict);
  });
});

describe('reconcile reports', () => {
  const report = { version: 1, source: 's3://docs/a/', finishedAt: '2026-11-30T10:00:00.000Z', objects: 300, documents: 300, found: { missing: 5, stale: 5, orphaned: 5 }, fixed: null };
  it('read back', () => {
    expect(parseReport(JSON.stringify(report))).toEqual(report);
    expect(reportName('s3://docs/a/')).toMatch(/^reconcile\/[0-9a-f]{16}\.json$/);
  });
  it.each([
    ['not JSON', 'x'],
    ['a negative count', JSON.stringify({ ...report, found: { missing: -1, stale: 0, orphaned: 0 } })],
    ['a bad date', JSON.stringify({ ...report, finishedAt: 'yesterday' })],
    ['fixed counts missing a kind', JSON.stringify({ ...report, fixed: { missing: 1 } })],
  ])('skips %s', (_name, text) => {
    expect(parseReport(text)).toBeNull();
  });
});
