import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpenSearchClient } from '../../src/adapters/opensearch/opensearch.client.js';
import { OpenSearchIndex, type OpenSearchIndexOptions } from '../../src/adapters/opensearch/opensearch.index.js';
import { templateName, TEMPLATE_VERSION } from '../../src/adapters/opensearch/index-template.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { SearchDocument } from '../../src/domain/document.js';
import { DocsiftError } from '../../src/domain/errors.js';
import { OpenSearchDouble } from '../helpers/opensearch-double.js';

function doc(key: string): SearchDocument {
  return {
    bucket: 'b', key, version_id: null, etag: null, size: 1, last_modified: null, filename: key, extension: 'txt',
    content_type: 'text/plain', content: `content of ${key}`, content_length: 10, checksum: 'x',
    extraction: { method: 'text', status: 'ok', ms: 1 }, indexed_at: new Date().toISOString(),
  };
}

function config(url: string, extra: Record<string, string> = {}): Config {
  const r = loadConfig({ OPENSEARCH_URL: url, ...extra }, {});
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.config;
}

describe('OpenSearchIndex with the official client against the _bulk test double', () => {
  let double: OpenSearchDouble;
  let index: OpenSearchIndex;
  const warnings: string[] = [];
  const requests: string[] = [];
  const make = (url: string, opts: Partial<OpenSearchIndexOptions> = {}, extra: Record<string, string> = {}) =>
    new OpenSearchIndex(
      createOpenSearchClient(config(url, extra)),
      { indexName: 'docsift', maxOps: 50, maxBytes: 5_000_000, flushMs: 20, maxRetries: 3, retryBaseMs: 40, onRequest: (r) => requests.push(r), ...opts },
      (m) => warnings.push(m),
    );

  beforeEach(async () => {
    double = new OpenSearchDouble();
    await double.start();
    warnings.length = 0;
    requests.length = 0;
    index = make(double.url);
  });
  afterEach(async () => {
    await index.close().catch(() => undefined);
    await double.stop();
  });

  it('creates the versioned index template when missing, with a CJK sub-field', async () => {
    await index.ensureReady();
    const t = double.templates.get(templateName('docsift')) as { version: number; index_patterns: string[]; template: { mappings: { properties: Record<string, { fields?: Record<string, { analyzer?: string }> }> } } };
    expect(t.version).toBe(TEMPLATE_VERSION);
    expect(t.index_patterns).toEqual(['docsift*']);
    expect(t.template.mappings.properties.content?.fields?.cjk?.analyzer).toBe('cjk');
  });

  it('never overwrites an existing template, and says so when it is older', async () => {
    double.templates.set(templateName('docsift'), { version: 0, index_patterns: ['docsift*'], custom: true });
    await index.ensureReady();
    expect(double.templates.get(templateName('docsift'))).toMatchObject({ custom: true });
    expect(warnings.join()).toMatch(/not overwriting/);
  });

  it('resolves each write once its bulk item succeeded, and groups writes into one request', async () => {
    await Promise.all(['a', 'b', 'c'].map((k) => index.write({ type: 'index', id: `id-${k}`, document: doc(k) })));
    expect([...double.docs.keys()].sort()).toEqual(['id-a', 'id-b', 'id-c']);
    expect(double.requests).toHaveLength(1);
    expect(double.requests[0]!.items).toBe(3);
  });

  it('overwrites on redelivery: same _id, one document', async () => {
    await index.write({ type: 'index', id: 'same', document: doc('v1') });
    await index.write({ type: 'index', id: 'same', document: doc('v2') });
    expect(double.docs.size).toBe(1);
    expect(double.docs.get('same')!.source.key).toBe('v2');
  });

  it('deletes, and a delete of a missing document is not an error', async () => {
    await index.write({ type: 'index', id: 'gone', document: doc('gone') });
    await index.write({ type: 'delete', id: 'gone' });
    await index.write({ type: 'delete', id: 'never-existed' });
    expect(double.docs.has('gone')).toBe(false);
  });

  it('retries 429 items with growing backoff and then succeeds, without resending the good items', async () => {
    let rejections = 0;
    double.itemFault = ({ id }) => (id === 'busy' && rejections++ < 2 ? { status: 429, type: 'es_rejected_execution_exception' } : undefined);
    await Promise.all([index.write({ type: 'index', id: 'busy', document: doc('busy') }), index.write({ type: 'index', id: 'fine', document: doc('fine') })]);
    expect(double.docs.has('busy')).toBe(true);
    const pattern = double.requests.map((r) => r.actions.map((a) => a.id).join(','));
    expect(pattern).toEqual(['busy,fine', 'busy', 'busy']);
    const gaps = double.requests.slice(1).map((r, i) => r.at - double.requests[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[1]!).toBeGreaterThanOrEqual(gaps[0]! * 0.9);
    expect(requests).toContain('partial');
  });

  it('fails a mapping error permanently for that item only', async () => {
    double.itemFault = ({ id }) => (id === 'bad' ? { status: 400, type: 'mapper_parsing_exception', reason: 'failed to parse field [size]' } : undefined);
    const bad = index.write({ type: 'index', id: 'bad', document: doc('bad') }).catch((e: unknown) => e);
    await index.write({ type: 'index', id: 'good', document: doc('good') });
    const err = await bad;
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('index_rejected');
    expect((err as DocsiftError).permanent).toBe(true);
    expect((err as DocsiftError).message).toMatch(/mapper_parsing_exception/);
    expect(double.docs.has('good')).toBe(true);
  });

  it('retries a 503 outage with bounded attempts, then fails transient index_unavailable', async () => {
    double.requestFault = 503;
    const err = await index.write({ type: 'index', id: 'x', document: doc('x') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('index_unavailable');
    expect((err as DocsiftError).kind).toBe('transient');
    expect(double.requests).toHaveLength(4); // first try + maxRetries (3)
  });

  it('recovers when the outage ends within the retry budget', async () => {
    double.requestFault = 503;
    setTimeout(() => (double.requestFault = null), 60);
    await index.write({ type: 'index', id: 'later', document: doc('later') });
    expect(double.docs.has('later')).toBe(true);
  });

  it('flushes at BULK_MAX_DOCS without waiting for the interval', async () => {
    const quick = make(double.url, { maxOps: 2, flushMs: 60_000 });
    await Promise.all([quick.write({ type: 'index', id: '1', document: doc('1') }), quick.write({ type: 'index', id: '2', document: doc('2') })]);
    expect(double.docs.size).toBe(2);
    await quick.close();
  });

  it('sends basic auth when configured', async () => {
    const authed = make(double.url, {}, { OPENSEARCH_USERNAME: 'docsift', OPENSEARCH_PASSWORD: 's3cret' });
    await authed.write({ type: 'index', id: 'auth', document: doc('auth') });
    expect(double.requests.at(-1)!.authorization).toBe(`Basic ${Buffer.from('docsift:s3cret').toString('base64')}`);
    await authed.close();
  });
});
