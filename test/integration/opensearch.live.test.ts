import { describe, expect, it } from 'vitest';
import { createOpenSearchClient } from '../../src/adapters/opensearch/opensearch.client.js';
import { OpenSearchIndex } from '../../src/adapters/opensearch/opensearch.index.js';
import { loadConfig } from '../../src/config/load.js';
import { normaliseCjkText } from '../../src/domain/text-normalise.js';

/**
 * Runs against a real cluster only when OPENSEARCH_URL is set (no cluster can run on the CI
 * machines). Uses a throwaway index name so it never touches real data.
 */
const url = process.env.OPENSEARCH_URL;
describe.runIf(Boolean(url))('OpenSearchIndex against a real cluster (OPENSEARCH_URL)', () => {
  it('applies the template, indexes, overwrites and deletes by _id', async () => {
    const name = `docsift-it-${Date.now()}`;
    const r = loadConfig({ OPENSEARCH_INDEX: name });
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const client = createOpenSearchClient(r.config);
    const index = new OpenSearchIndex(client, { indexName: name, maxOps: 10, maxBytes: 1e6, flushMs: 10, maxRetries: 3 });
    await index.ensureReady();
    const document = {
      bucket: 'b', key: '日本語 文書.txt', version_id: null, etag: null, size: 3, last_modified: null, filename: '日本語 文書.txt', extension: 'txt',
      content_type: 'text/plain', content: '東京都の請求書', content_length: 7, checksum: 'x', extraction: { method: 'text' as const, status: 'ok' as const, ms: 1 },
      indexed_at: new Date().toISOString(),
    };
    await index.write({ type: 'index', id: 'one', document });
    await index.write({ type: 'index', id: 'one', document: { ...document, content: '東京都の請求書 更新' } });
    const raw = client as unknown as { search: (p: unknown) => Promise<{ body: { hits: { total: { value: number } } } }>; indices: { refresh: (p: unknown) => Promise<unknown>; delete: (p: unknown) => Promise<unknown> } };
    await raw.indices.refresh({ index: name });
    const hits = await raw.search({ index: name, body: { query: { match: { 'content.cjk': '請求' } } } });
    expect(hits.body.hits.total.value).toBe(1);
    await index.write({ type: 'delete', id: 'one' });
    await index.close();
    await raw.indices.delete({ index: name });
  });

  it('the cjk analysis of normalised OCR text finds 子供向け and 請求書 as phrases; the raw OCR text does not', async () => {
    const name = `docsift-it-cjk-${Date.now()}`;
    const r = loadConfig({ OPENSEARCH_INDEX: name });
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const client = createOpenSearchClient(r.config);
    const index = new OpenSearchIndex(client, { indexName: name, maxOps: 10, maxBytes: 1e6, flushMs: 10, maxRetries: 3 });
    await index.ensureReady();
    // What the engines returned before normalisation: spaces between words, a line break in a word.
    const raw = '請求 書 の 確認 と 毎月 新しい 子\n供向け の 絵本';
    const base = {
      bucket: 'b', version_id: null, etag: null, size: 3, last_modified: null, extension: 'png', content_type: 'image/png', content_length: 7, checksum: 'x',
      extraction: { method: 'ocr' as const, status: 'ok' as const, ms: 1 }, indexed_at: new Date().toISOString(),
    };
    await index.write({ type: 'index', id: 'raw', document: { ...base, key: 'raw.png', filename: 'raw.png', content: raw } });
    await index.write({ type: 'index', id: 'normalised', document: { ...base, key: 'n.png', filename: 'n.png', content: normaliseCjkText(raw) } });
    const api = client as unknown as { search: (p: unknown) => Promise<{ body: { hits: { hits: Array<{ _id: string }> } } }>; indices: { refresh: (p: unknown) => Promise<unknown>; delete: (p: unknown) => Promise<unknown> } };
    await api.indices.refresh({ index: name });
    for (const phrase of ['子供向け', '請求書']) {
      const hits = await api.search({ index: name, body: { query: { match_phrase: { 'content.cjk': phrase } } } });
      expect(hits.body.hits.hits.map((h) => h._id), phrase).toEqual(['normalised']);
    }
    await index.close();
    await api.indices.delete({ index: name });
  });
});
