import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ListedObject, ListingPosition } from '../../domain/coverage/listing.js';
import type { S3Location } from '../../domain/coverage/s3-uri.js';
import type { ObjectLister } from '../../ports/object-lister.port.js';
import { classifyAwsError } from '../aws/classify-aws-error.js';

/**
 * ListObjectsV2, a page (up to 1,000 keys) at a time. Every page, the first included, starts after
 * a key (StartAfter) rather than at a continuation token: a checkpoint resumes the same way, and
 * s3rver's tokens need OpenSSL's legacy DES.
 */
export class S3ObjectLister implements ObjectLister {
  readonly sorted = true;

  constructor(
    private readonly client: Pick<S3Client, 'send'>,
    private readonly pageSize = 1000,
  ) {}

  async *list(location: S3Location, after: ListingPosition | null, signal?: AbortSignal): AsyncIterable<ListedObject[]> {
    if (after && after.kind !== 'list') throw new Error('ListObjectsV2 cannot resume from an inventory position');
    let startAfter = after?.key;
    for (let truncated = true; truncated; ) {
      let out;
      try {
        out = await this.client.send(
          new ListObjectsV2Command({
            Bucket: location.bucket,
            Prefix: location.prefix || undefined,
            StartAfter: startAfter,
            MaxKeys: this.pageSize,
          }),
          { abortSignal: signal },
        );
      } catch (err) {
        throw classifyAwsError(err, 'fetch');
      }
      const page = (out.Contents ?? [])
        .filter((o) => o.Key !== undefined)
        .map((o) => ({
          bucket: location.bucket,
          key: o.Key as string,
          etag: o.ETag ?? null,
          size: o.Size ?? null,
          position: { kind: 'list' as const, key: o.Key as string },
        }));
      if (page.length > 0) yield page;
      truncated = out.IsTruncated === true && page.length > 0;
      startAfter = page[page.length - 1]?.key;
    }
  }
}
