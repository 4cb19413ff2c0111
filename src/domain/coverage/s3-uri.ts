/** `s3://bucket[/prefix]`, as the backfill and reconcile commands and STATE_URI take it. */
export interface S3Location {
  bucket: string;
  /** '' for the whole bucket; otherwise kept exactly as given (S3 prefixes need no trailing slash). */
  prefix: string;
}

const BUCKET = /^[a-zA-Z0-9._-]{1,255}$/;

/** Parses an s3:// URI; throws an Error naming what is wrong. The prefix is taken literally (no URL decoding). */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/s.exec(uri.trim());
  if (!match) throw new Error(`"${uri}" is not an s3:// URI (s3://BUCKET or s3://BUCKET/PREFIX)`);
  const bucket = match[1] as string;
  if (!BUCKET.test(bucket)) throw new Error(`"${bucket}" is not a valid bucket name`);
  const prefix = match[2] ?? '';
  if (Buffer.byteLength(prefix, 'utf8') > 1024) throw new Error('the prefix is longer than 1024 bytes, the longest S3 key');
  return { bucket, prefix };
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.prefix}`;
}

/**
 * S3 lists keys in UTF-8 binary order, and OpenSearch sorts keyword fields the same way; JavaScript
 * compares strings by UTF-16 code units, which differs for characters above U+FFFF. Comparing code
 * points gives the UTF-8 order.
 */
export function compareKeys(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done === y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0) as number;
    const cy = y.value.codePointAt(0) as number;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/** ETags come quoted from ListObjectsV2 and HeadObject, unquoted from events and inventories. */
export function normaliseEtag(etag: string | null | undefined): string | null {
  if (etag === null || etag === undefined) return null;
  const bare = etag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return bare === '' ? null : bare.toLowerCase();
}
