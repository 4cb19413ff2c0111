import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileIndexLookup } from '../../src/adapters/file-sink/file.lookup.js';
import { FileSearchIndex } from '../../src/adapters/file-sink/file.index.js';
import { createOpenSearchClient } from '../../src/adapters/opensearch/opensearch.client.js';
import { OpenSearchIndex } from '../../src/adapters/opensearch/opensearch.index.js';
import { OpenSearchLookup } from '../../src/adapters/opensearch/opensearch.lookup.js';
import { loadConfig } from '../../src/config/load.js';
import { compareKeys } from '../../src/domain/coverage/s3-uri.js';
import { documentId, type ExtractionStatus, type SearchDocument } from '../../src/domain/document.js';
import { DocsiftError } from '../../src/domain/errors.js';
import type { IndexedFacts, IndexLookup } from '../../src/ports/index-lookup.port.js';
import type { SearchIndex } from '../../src/ports/search-index.port.js';
import { OpenSearchDouble } from '../helpers/opensearch-double.js';

/**
 * The IndexLookup port on both sinks, each written by its own real writer: OpenSearch (the
 * official client against the double's _mget/_search) and the file sink (its NDJSON replayed).
 */
interface Sink {
  index: SearchIndex;
  lookup: IndexLookup;
  close(): Promise<void>;
}

async function openSearchSink(): Promise<Sink & { double: OpenSearchDouble }> {
  const double = new OpenSearchDouble();
  await double.start();
  const r = loadConfig({ OPENSEARCH_URL: double.url }, {});
  if (!r.ok) throw new Error(r.problems.join('\n'));
  const client = createOpenSearchClient(r.config);
  const index = new OpenSearchIndex(client, { indexName: 'docsift', maxOps: 50, maxBytes: 5_000_000, flushMs: 5, maxRetries: 1 }, () => undefined);
  return { double, index, lookup: new OpenSearchLookup(client, 'docsift'), close: () => double.stop() };
}

async function fileSink(): Promise<Sink> {
  const dir = await mkdtemp(join(tmpdir(), 'docsift-lookup-'));
  const path = join(dir, 'index.ndjson');
  const index = new FileSearchIndex(path, 'docsift', { maxOps: 50, maxBytes: 5_000_000, flushMs: 5 });
  await index.ensureReady();
  return { index, lookup: new FileIndexLookup(path), close: async () => (await index.close(), await rm(dir, { recursive: true, force: true })) };
}

let clock = Date.parse('2026-11-30T00:00:00Z');
function doc(bucket: string, key: string, over: { etag?: string; checksum?: string; status?: ExtractionStatus; content?: string; profile?: string } = {}): SearchDocument {
  clock += 1000;
  return {
    bucket, key, version_id: null, etag: over.etag ?? `"etag-${key}"`, size: 10, last_modified: null, filename: key, extension: 'txt',
    content_type: 'text/plain', content: over.content ?? `text of ${key}`, content_length: 12, checksum: over.checksum ?? `sha-${key}`,
    extraction: { method: 'text', status: over.status ?? 'ok', ms: 3, profile: over.profile ?? 'p1' }, indexed_at: new Date(clock).toISOString(),
  };
}

// Keys whose UTF-8 order differs from JavaScript's UTF-16 order (U+1F4C4 against U+FF5E), with
// spaces, `+` and Japanese, as a bucket holds them.
const KEYS = ['archive/a b.txt', 'archive/a+b.txt', 'archive/報告書 2026.txt', 'archive/📄 memo.txt', 'archive/～tilde.txt', 'archive/z.txt', 'archive/ab.txt'];

describe.each([
  { name: 'OpenSearch (official client, _mget/_search on the double)', open: openSearchSink },
  { name: 'file sink (NDJSON replay)', open: fileSink },
])('IndexLookup on $name', ({ open }) => {
  let sink: Sink;
  const write = async (d: SearchDocument, version?: bigint) => {
    await sink.index.write({ type: 'index', id: documentId(d.bucket, d.key), document: d, ...(version === undefined ? {} : { version }) });
  };
  beforeAll(async () => {
    sink = await open();
  });
  afterAll(async () => {
    await sink?.close();
  });

  it('before anything is indexed: no facts, no documents, nothing to scan (an index that does not exist is not an error)', async () => {
    const id = documentId('docs', 'archive/a b.txt');
    expect((await sink.lookup.facts([id])).size).toBe(0);
    expect(await sink.lookup.get(id)).toBeNull();
    expect(await sink.lookup.findByChecksum('sha-x')).toBeNull();
    const pages: IndexedFacts[][] = [];
    for await (const page of sink.lookup.scan('docs', 'archive/')) pages.push(page);
    expect(pages.flat()).toEqual([]);
  });

  it('facts by id: ETag and checksum of what is indexed, nothing for what is not', async () => {
    for (const key of KEYS) await write(doc('docs', key));
    await write(doc('other', 'archive/a b.txt', { etag: '"other-bucket"' }));
    await write(doc('docs', 'elsewhere/x.txt'));
    await sink.index.flush();
    const ids = [...KEYS.map((k) => documentId('docs', k)), documentId('docs', 'archive/never.txt')];
    const facts = await sink.lookup.facts(ids);
    expect(facts.size).toBe(KEYS.length);
    expect(facts.get(documentId('docs', 'archive/報告書 2026.txt'))).toEqual({
      id: documentId('docs', 'archive/報告書 2026.txt'), bucket: 'docs', key: 'archive/報告書 2026.txt', etag: '"etag-archive/報告書 2026.txt"', checksum: 'sha-archive/報告書 2026.txt',
    });
  });

  it('scans a bucket and prefix in UTF-8 key order, a page at a time, and nothing else', async () => {
    const pages: IndexedFacts[][] = [];
    for await (const page of sink.lookup.scan('docs', 'archive/', 3)) pages.push(page);
    const keys = pages.flat().map((f) => f.key);
    expect(keys).toEqual([...KEYS].sort(compareKeys));
    expect(keys.indexOf('archive/～tilde.txt')).toBeLessThan(keys.indexOf('archive/📄 memo.txt')); // UTF-8, not UTF-16
    expect(pages.every((p) => p.length <= 3)).toBe(true);
    expect(pages.flat().every((f) => f.bucket === 'docs')).toBe(true);
  });

  it('get returns the whole document; a delete removes it from every lookup', async () => {
    const d = doc('docs', 'archive/deleted.txt', { content: '本文 and text' });
    await write(d);
    await sink.index.flush();
    expect(await sink.lookup.get(documentId('docs', 'archive/deleted.txt'))).toEqual(d);
    await sink.index.write({ type: 'delete', id: documentId('docs', 'archive/deleted.txt') });
    await sink.index.flush();
    expect(await sink.lookup.get(documentId('docs', 'archive/deleted.txt'))).toBeNull();
    expect((await sink.lookup.facts([documentId('docs', 'archive/deleted.txt')])).size).toBe(0);
  });

  it('findByChecksum: the newest document with a reusable extraction of the profile asked for; failed, partial and unsupported ones are never offered', async () => {
    await write(doc('docs', 'copies/one.pdf', { checksum: 'shared', content: 'older' }));
    await write(doc('docs', 'copies/two.pdf', { checksum: 'shared', content: 'newer' }));
    await write(doc('docs', 'copies/three.pdf', { checksum: 'shared', status: 'failed', content: '' }));
    await write(doc('docs', 'copies/four.pdf', { checksum: 'shared', content: 'newest, other settings', profile: 'p2' }));
    await write(doc('docs', 'copies/partial.pdf', { checksum: 'only-partial', status: 'partial' }));
    await write(doc('docs', 'copies/blob.bin', { checksum: 'only-unsupported', status: 'unsupported' }));
    await sink.index.flush();
    expect((await sink.lookup.findByChecksum('shared', 'p1'))?.content).toBe('newer');
    expect((await sink.lookup.findByChecksum('shared', 'p2'))?.content).toBe('newest, other settings');
    expect((await sink.lookup.findByChecksum('shared'))?.content).toBe('newest, other settings');
    expect(await sink.lookup.findByChecksum('only-partial', 'p1')).toBeNull();
    expect(await sink.lookup.findByChecksum('only-unsupported', 'p1')).toBeNull();
    expect(await sink.lookup.findByChecksum('absent', 'p1')).toBeNull();
  });

  it('an older external version does not replace a newer one', async () => {
    await write(doc('docs', 'versions/k.txt', { etag: '"new"' }), 20n);
    await write(doc('docs', 'versions/k.txt', { etag: '"old"' }), 10n).catch(() => undefined);
    await sink.index.flush();
    expect((await sink.lookup.facts([documentId('docs', 'versions/k.txt')])).get(documentId('docs', 'versions/k.txt'))?.etag).toBe('"new"');
  });
});

describe('OpenSearchLookup errors', () => {
  it('a cluster answering 503 is index_unavailable (transient), a 400 index_rejected', async () => {
    const sink = await openSearchSink();
    try {
      sink.double.requestFault = 503;
      const unavailable = await sink.lookup.facts(['x']).catch((e: unknown) => e);
      expect(unavailable).toBeInstanceOf(DocsiftError);
      expect((unavailable as DocsiftError).code).toBe('index_unavailable');
      sink.double.requestFault = 400;
      const rejected = await sink.lookup.findByChecksum('x').catch((e: unknown) => e);
      expect((rejected as DocsiftError).code).toBe('index_rejected');
    } finally {
      await sink.close();
    }
  });
});
