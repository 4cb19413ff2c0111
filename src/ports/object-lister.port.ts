import type { ListedObject, ListingPosition } from '../domain/coverage/listing.js';
import type { S3Location } from '../domain/coverage/s3-uri.js';

/**
 * Lists the current objects under a bucket and prefix: ListObjectsV2 (in UTF-8 key order) or the
 * data files of an S3 Inventory. Throws classified DocsiftErrors (stage `fetch`).
 */
export interface ObjectLister {
  /** Pages of objects after `after` (exclusive; null: from the start), each object with its position. */
  list(location: S3Location, after: ListingPosition | null, signal?: AbortSignal): AsyncIterable<ListedObject[]>;
  /** True when pages come in UTF-8 key order (ListObjectsV2; not an inventory). */
  readonly sorted: boolean;
}
