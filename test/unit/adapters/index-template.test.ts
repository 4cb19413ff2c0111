import { describe, expect, it } from 'vitest';
import { buildDocument } from '../../../src/domain/document.js';
import { indexTemplate } from '../../../src/adapters/opensearch/index-template.js';

describe('index template', () => {
  it('maps every field a document can carry (the mapping is not dynamic: an unmapped field would not be searchable)', () => {
    const object = { bucket: 'b', key: 'a/b.zip', versionId: 'v1', etag: '"e"', lastModified: '2026-01-01T00:00:00.000Z', size: 1, sha256: 'x', sequencer: '01' };
    const full = buildDocument(
      object,
      {
        contentType: 'application/zip',
        text: 'report.docx\n\n── report.docx ──\nbody',
        method: 'archive',
        status: 'ok',
        detail: 'd',
        pages: 1,
        ocr: { engine: 'native', languages: 'eng', pages_ocr: 1, mean_confidence: 90 },
        language: 'en',
        truncated: true,
        metadata: { title: 'T', author: 'A', created_at: '2026-01-01T00:00:00.000Z' },
        members: ['report.docx'],
      },
      { extractMs: 1, indexedChars: 100, indexedAt: new Date() },
    );
    const mapped = indexTemplate('docsift').template.mappings.properties as Record<string, unknown>;
    const unmapped = Object.keys({ ...full, thumbnail_key: 'k' }).filter((field) => !(field in mapped));
    expect(unmapped).toEqual([]);
    expect(mapped).toMatchObject({ title: { fields: { cjk: { analyzer: 'cjk' } } }, author: { type: 'text' }, created_at: { type: 'date' }, members: { type: 'keyword' } });
  });
});
