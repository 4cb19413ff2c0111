import { describe, expect, it } from 'vitest';
import { createOpenSearchClient } from '../../src/adapters/opensearch/opensearch.client.js';
import { OpenSearchIndex } from '../../src/adapters/opensearch/opensearch.index.js';
import { loadConfig } from '../../src/config/load.js';

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
});
