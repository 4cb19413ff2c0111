import type { SearchDocument } from '../domain/document.js';

/** What backfill and reconcile need to know of an indexed document. */
export interface IndexedFacts {
  id: string;
  bucket: string;
  key: string;
  etag: string | null;
  checksum: string | null;
}

/**
 * Reads from the index (OpenSearch mget and search; the file sink by replaying its file). Throws
 * classified DocsiftErrors (stage `index`): index_unavailable when it may answer later.
 */
export interface IndexLookup {
  /** Facts of the documents with these ids (at most 1,000 per call); ids not indexed are absent. */
  facts(ids: string[]): Promise<Map<string, IndexedFacts>>;
  /** The whole document with this id, or null. */
  get(id: string): Promise<SearchDocument | null>;
  /** The newest document whose content checksum is this one, with a reusable extraction (of this profile, when given), or null. */
  findByChecksum(checksum: string, profile?: string): Promise<SearchDocument | null>;
  /** Every document of the bucket whose key starts with the prefix, in UTF-8 key order, a page at a time. */
  scan(bucket: string, prefix: string, pageSize?: number): AsyncIterable<IndexedFacts[]>;
}
