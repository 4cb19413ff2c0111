import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DocsiftError } from '../../../src/domain/errors.js';
import type { SearchDocument } from '../../../src/domain/document.js';
import { upsertObject } from '../../../src/pipeline/process-object.js';
import type { IndexLookup } from '../../../src/ports/index-lookup.port.js';
import { event, world } from './fakes.js';

const tempDir = mkdtempSync(join(tmpdir(), 'docsift-meta-'));

const indexedDoc = (over: Partial<SearchDocument> = {}): SearchDocument => ({
  bucket: 'docs', key: 'in/report.txt', version_id: 'v-head', etag: '"head-etag"', size: 5, last_modified: null, filename: 'report.txt', extension: 'txt',
  content_type: 'application/pdf', content: 'OCR text of the scan', content_length: 20, checksum: 'sha-of-body',
  extraction: { method: 'pdf_ocr', status: 'ok', ms: 4200, profile: 'prof-1' }, indexed_at: '2026-11-01T00:00:00.000Z', pages: 2, thumbnail_key: 'thumbnails/old.jpg', ...over,
});

function lookup(byId: SearchDocument | null, byChecksum: SearchDocument | null, fail?: Error) {
  const calls: string[] = [];
  const l: IndexLookup = {
    facts: async () => new Map(),
    get: async (id) => {
      calls.push(`get ${id.slice(0, 8)}`);
      if (fail) throw fail;
      return byId;
    },
    findByChecksum: async (sha, profile) => {
      calls.push(`checksum ${sha} ${profile}`);
      return byChecksum;
    },
    async *scan() {},
  };
  return { l, calls };
}

describe('S3 metadata into the document', () => {
  it('user metadata from the HEAD already made, decoded; tags from one GetObjectTagging when enabled', async () => {
    const w = world({ head: { metadata: { dept: 'sales', owner: '=?UTF-8?B?5bGx55Sw?=' } }, tags: { project: 'x', Stage: 'final' } }, tempDir);
    await upsertObject(event(), { ...w.ctx, s3Tags: true });
    expect(w.calls).toEqual(['head in/report.txt', 'tags in/report.txt@v-head', 'download in/report.txt@v-head', 'extract', 'index index']);
    const op = w.writes[0]!;
    expect(op.type === 'index' && op.document.s3_metadata).toEqual({ dept: 'sales', owner: '山田' });
    expect(op.type === 'index' && op.document.s3_tags).toEqual({ Stage: 'final', project: 'x' });
  });

  it('tags off (the default): no GetObjectTagging and no s3_tags; metadata is an empty map when there is none', async () => {
    const w = world({}, tempDir);
    await upsertObject(event(), w.ctx);
    expect(w.calls).not.toContain('tags in/report.txt@v-head');
    const doc = w.writes[0]!.type === 'index' ? (w.writes[0] as { document: SearchDocument }).document : null;
    expect(doc?.s3_metadata).toEqual({});
    expect(doc).not.toHaveProperty('s3_tags');
  });

  it('tags that cannot be read fail the object with the classified error (no half document)', async () => {
    const w = world({ tags: new DocsiftError('access_denied', 'fetch', 'AccessDenied: s3:GetObjectTagging') }, tempDir);
    await expect(upsertObject(event(), { ...w.ctx, s3Tags: true })).rejects.toMatchObject({ code: 'access_denied' });
    expect(w.writes).toEqual([]);
  });
});

describe('extraction reuse', () => {
  it('the same checksum under the same key: the indexed text is used, nothing is extracted', async () => {
    const { l, calls } = lookup(indexedDoc(), null);
    const saved: string[] = [];
    const w = world({}, tempDir);
    await upsertObject(event(), { ...w.ctx, reuse: l, onReuse: (s) => saved.push(s), extractionProfile: 'prof-1' });
    expect(w.calls).toEqual(['head in/report.txt', 'download in/report.txt@v-head', 'index index']);
    expect(calls).toHaveLength(1);
    expect(saved).toEqual(['same_key']);
    const doc = (w.writes[0] as { document: SearchDocument }).document;
    expect(doc).toMatchObject({ content: 'OCR text of the scan', content_type: 'application/pdf', pages: 2, thumbnail_key: 'thumbnails/old.jpg', extraction: { method: 'pdf_ocr', status: 'ok', ms: 0, reused: 'same_key', profile: 'prof-1' } });
    expect(doc.indexed_at).toBe('2026-11-23T12:00:00.000Z');
  });

  it('changed bytes under the key but a copy elsewhere: found by content hash', async () => {
    const { l, calls } = lookup(indexedDoc({ checksum: 'old-sha' }), indexedDoc({ key: 'copies/report.txt' }));
    const saved: string[] = [];
    const w = world({}, tempDir);
    await upsertObject(event(), { ...w.ctx, reuse: l, onReuse: (s) => saved.push(s), extractionProfile: 'prof-1' });
    expect(calls).toEqual([expect.stringMatching(/^get /), 'checksum sha-of-body prof-1']);
    expect(w.calls).not.toContain('extract');
    expect(saved).toEqual(['content_hash']);
    expect((w.writes[0] as { document: SearchDocument }).document.key).toBe('in/report.txt');
  });

  it('the same bytes indexed under other extraction settings (OCR was off): extracted again, and the new document carries the new profile', async () => {
    const { l } = lookup(indexedDoc({ extraction: { method: 'none', status: 'ok', ms: 3, profile: 'ocr-off' } }), null);
    const w = world({}, tempDir);
    await upsertObject(event(), { ...w.ctx, reuse: l, extractionProfile: 'ocr-on' });
    expect(w.calls).toContain('extract');
    expect((w.writes[0] as { document: SearchDocument }).document.extraction).toMatchObject({ profile: 'ocr-on' });
    expect((w.writes[0] as { document: SearchDocument }).document.extraction).not.toHaveProperty('reused');
  });

  it('nothing reusable: extracted as usual', async () => {
    const { l } = lookup(null, indexedDoc({ extraction: { method: 'ocr', status: 'failed', ms: 1 } }));
    const w = world({}, tempDir);
    await upsertObject(event(), { ...w.ctx, reuse: l });
    expect(w.calls).toContain('extract');
  });

  it('a lookup that fails costs only the saving: a warning, then extraction', async () => {
    const { l } = lookup(null, null, new DocsiftError('index_unavailable', 'index', 'mget failed: 503'));
    const w = world({}, tempDir);
    expect(await upsertObject(event(), { ...w.ctx, reuse: l })).toBe('indexed');
    expect(w.calls).toContain('extract');
    expect(w.warnings.map((x) => x.event)).toEqual(['reuse_lookup_failed']);
  });
});
