import { describe, expect, it } from 'vitest';
import { classifyKey, parseReport, reportName } from '../../../../src/domain/coverage/reconcile-report.js';
import { reusableText } from '../../../../src/domain/coverage/reuse.js';
import type { SearchDocument } from '../../../../src/domain/document.js';

const stored: Partial<SearchDocument> = {
  checksum: 'sha',
  content: 'hello world',
  content_length: 11,
  content_type: 'text/plain',
  extraction: { method: 'ocr', status: 'ok', ms: 900, detail: 'ocr on 1 page' },
  pages: 1,
  ocr: { engine: 'native', languages: 'jpn+eng', pages_ocr: 1, mean_confidence: 91 },
  language: 'en',
};

describe('reusableText', () => {
  it('stands in for an extraction of the same bytes, keeping what extraction found', () => {
    expect(reusableText(stored, 'sha', 100, 'same_key')).toEqual({
      contentType: 'text/plain', text: 'hello world', method: 'ocr', status: 'ok', detail: 'ocr on 1 page', pages: 1,
      ocr: stored.ocr, language: 'en', fullLength: 11, reused: 'same_key',
    });
  });
  it.each([
    ['no document', null, 'sha', 100],
    ['another checksum', stored, 'other', 100],
    ['a failed extraction', { ...stored, extraction: { method: 'ocr', status: 'failed', ms: 1 } }, 'sha', 100],
    ['a partial extraction', { ...stored, extraction: { method: 'pdf_ocr', status: 'partial', ms: 1 } }, 'sha', 100],
    ['content cut shorter than INDEXED_CHARS now keeps', { ...stored, content: 'hello', content_length: 11, truncated: true }, 'sha', 100],
  ] as const)('not from %s', (_name, doc, sha, chars) => {
    expect(reusableText(doc as Partial<SearchDocument> | null, sha, chars, 'same_key')).toBeNull();
  });
  it('content cut at the same INDEXED_CHARS is reused, still marked truncated', () => {
    const cut = reusableText({ ...stored, content: 'hello', content_length: 11, truncated: true }, 'sha', 5, 'content_hash');
    expect(cut).toMatchObject({ text: 'hello', fullLength: 11, truncated: true, reused: 'content_hash' });
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
