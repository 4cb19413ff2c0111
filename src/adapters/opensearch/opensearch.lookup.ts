import { REUSABLE_STATUSES } from '../../domain/coverage/reuse.js';
import { DocsiftError } from '../../domain/errors.js';
import type { SearchDocument } from '../../domain/document.js';
import type { IndexedFacts, IndexLookup } from '../../ports/index-lookup.port.js';
import { isRetryableRequestError } from './opensearch.index.js';

type Response = { body: unknown; statusCode: number | null };

/** The read calls of the official client this adapter makes. */
export interface OpenSearchReadLike {
  mget(params: { index: string; body: { ids: string[] }; _source_includes?: string[]; realtime?: boolean }, options?: { ignore?: number[] }): Promise<Response>;
  search(params: { index: string; body: Record<string, unknown> }, options?: { ignore?: number[] }): Promise<Response>;
}

interface Hit {
  _id: string;
  _source?: Record<string, unknown>;
  found?: boolean;
  sort?: unknown[];
}

const FACT_FIELDS = ['bucket', 'key', 'etag', 'checksum'];
const FINAL_STATUSES = [...REUSABLE_STATUSES];

function facts(hit: Hit): IndexedFacts {
  const s = hit._source ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return { id: hit._id, bucket: str(s.bucket) ?? '', key: str(s.key) ?? '', etag: str(s.etag), checksum: str(s.checksum) };
}

/**
 * Lookups for backfill (--skip-unchanged: mget on ids), extraction reuse (the document by id, or by
 * content checksum) and reconcile (every document under a prefix, sorted by key, search_after). An
 * index that does not exist yet answers 404: that is "nothing indexed", not an error.
 */
export class OpenSearchLookup implements IndexLookup {
  constructor(
    private readonly client: OpenSearchReadLike,
    private readonly indexName: string,
  ) {}

  private async call(what: string, request: () => Promise<Response>): Promise<Response> {
    try {
      return await request();
    } catch (err) {
      const message = `${what} failed: ${(err as Error).message}`.slice(0, 300);
      if (isRetryableRequestError(err)) throw new DocsiftError('index_unavailable', 'index', message, { cause: err });
      throw new DocsiftError('index_rejected', 'index', message, { cause: err });
    }
  }

  async facts(ids: string[]): Promise<Map<string, IndexedFacts>> {
    const found = new Map<string, IndexedFacts>();
    if (ids.length === 0) return found;
    const out = await this.call('mget', () => this.client.mget({ index: this.indexName, body: { ids }, _source_includes: FACT_FIELDS }, { ignore: [404] }));
    for (const doc of ((out.body as { docs?: Hit[] }).docs ?? [])) if (doc.found) found.set(doc._id, facts(doc));
    return found;
  }

  async get(id: string): Promise<SearchDocument | null> {
    const out = await this.call('mget', () => this.client.mget({ index: this.indexName, body: { ids: [id] } }, { ignore: [404] }));
    const doc = ((out.body as { docs?: Hit[] }).docs ?? [])[0];
    return doc?.found ? (doc._source as unknown as SearchDocument) : null;
  }

  async findByChecksum(checksum: string, profile?: string): Promise<SearchDocument | null> {
    const filter: unknown[] = [{ term: { checksum } }, { terms: { 'extraction.status': FINAL_STATUSES } }];
    if (profile !== undefined) filter.push({ term: { 'extraction.profile': profile } });
    const body = {
      size: 1,
      query: { bool: { filter } },
      sort: [{ indexed_at: { order: 'desc' } }],
    };
    const out = await this.call('search', () => this.client.search({ index: this.indexName, body }, { ignore: [404] }));
    const hit = ((out.body as { hits?: { hits?: Hit[] } }).hits?.hits ?? [])[0];
    return hit?._source ? (hit._source as unknown as SearchDocument) : null;
  }

  async *scan(bucket: string, prefix: string, pageSize = 1000): AsyncIterable<IndexedFacts[]> {
    const filter: unknown[] = [{ term: { bucket } }];
    if (prefix !== '') filter.push({ prefix: { key: prefix } });
    let after: string | undefined;
    for (;;) {
      const body = { size: pageSize, _source: FACT_FIELDS, query: { bool: { filter } }, sort: [{ key: { order: 'asc' } }], track_total_hits: false, ...(after === undefined ? {} : { search_after: [after] }) };
      const out = await this.call('search', () => this.client.search({ index: this.indexName, body }, { ignore: [404] }));
      const hits = (out.body as { hits?: { hits?: Hit[] } }).hits?.hits ?? [];
      if (hits.length < pageSize) {
        if (hits.length > 0) yield hits.map(facts);
        return;
      }
      // search_after on the key alone would skip the rest of a key cut by the page end (versioned
      // buckets hold several documents per key): hold those back for the next page.
      const lastKey = facts(hits[hits.length - 1]!).key;
      const cut = hits.findIndex((h) => facts(h).key === lastKey);
      const keep = cut > 0 ? hits.slice(0, cut) : hits;
      yield keep.map(facts);
      after = facts(keep[keep.length - 1]!).key;
    }
  }
}
