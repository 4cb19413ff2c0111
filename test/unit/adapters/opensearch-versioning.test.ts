import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchDocument } from '../../../src/domain/document.js';
import { bulkLines as fileBulkLines } from '../../../src/adapters/file-sink/file.index.js';
import { bulkLines, OpenSearchIndex, type OpenSearchTransportLike } from '../../../src/adapters/opensearch/opensearch.index.js';
import { OpenSearchDouble } from '../../helpers/opensearch-double.js';

function doc(content: string): SearchDocument {
  return {
    bucket: 'b', key: 'k', version_id: null, etag: null, size: content.length, last_modified: null, filename: 'k', extension: '',
    content_type: 'text/plain', content, content_length: content.length, checksum: 'x',
    extraction: { method: 'text', status: 'ok', ms: 1 }, indexed_at: new Date(0).toISOString(),
  };
}

describe('external versions from the S3 sequencer', () => {
  const double = new OpenSearchDouble();
  let index: OpenSearchIndex;
  beforeAll(async () => {
    const url = await double.start();
    const client = new Client({ node: url, maxRetries: 0 }) as unknown as OpenSearchTransportLike;
    index = new OpenSearchIndex(client, { indexName: 'docsift', maxRetries: 2, maxOps: 50, maxBytes: 1 << 20, flushMs: 5, retryBaseMs: 1 });
  });
  afterAll(() => double.stop());

  it('writes the exact version past 2^53 in both sinks', () => {
    const op = { type: 'delete' as const, id: 'a', version: 0x62e99a88dc407461n };
    const line = '{"delete":{"_index":"i","_id":"a","version":7127397797891961953,"version_type":"external"}}\n';
    expect((0x62e99a88dc407461n).toString()).toBe('7127397797891961953');
    expect(bulkLines('i', op)).toBe(line);
    expect(fileBulkLines('i', op)).toBe(line);
    expect(bulkLines('i', { type: 'delete', id: 'a' })).toBe('{"delete":{"_index":"i","_id":"a"}}\n');
  });

  it('an older write after a newer one is a success that changes nothing', async () => {
    await index.write({ type: 'index', id: 'n1', document: doc('new'), version: 0x62e99a88dc407462n });
    await expect(index.write({ type: 'index', id: 'n1', document: doc('old'), version: 0x62e99a88dc407461n })).resolves.toBeUndefined();
    expect(double.docs.get('n1')?.source.content).toBe('new');
    expect(double.docs.get('n1')?.exactVersion).toBe(0x62e99a88dc407462n);
  });

  it('an older delete cannot remove a newer document; a newer delete can', async () => {
    await index.write({ type: 'index', id: 'n2', document: doc('v3'), version: 3n });
    await index.write({ type: 'delete', id: 'n2', version: 2n });
    expect(double.docs.get('n2')?.source.content).toBe('v3');
    await index.write({ type: 'delete', id: 'n2', version: 4n });
    expect(double.docs.has('n2')).toBe(false);
  });

  it('ObjectRemoved processed before its ObjectCreated: the late create loses to the tombstone', async () => {
    await index.write({ type: 'delete', id: 'n3', version: 10n });
    await index.write({ type: 'index', id: 'n3', document: doc('stale'), version: 9n });
    expect(double.docs.has('n3')).toBe(false);
  });

  it('a 409 without a version is still a rejection', async () => {
    double.itemFault = (a) => (a.id === 'n4' ? { status: 409, type: 'version_conflict_engine_exception' } : undefined);
    try {
      await expect(index.write({ type: 'index', id: 'n4', document: doc('x') })).rejects.toMatchObject({ code: 'index_rejected' });
    } finally {
      double.itemFault = null;
    }
  });
});
