import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DocsiftError } from '../../domain/errors.js';
import type { DownloadResult, ObjectHead, ObjectRef, ObjectStore } from '../../ports/object-store.port.js';
import { classifyAwsError } from '../aws/classify-aws-error.js';

/** S3 as the object store. Bodies are streamed to disk, never held in memory. */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: Pick<S3Client, 'send'>,
    private readonly onBytes: (n: number) => void = () => {},
  ) {}

  async head(ref: ObjectRef, signal?: AbortSignal): Promise<ObjectHead> {
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId ?? undefined }),
        { abortSignal: signal },
      );
      return {
        size: out.ContentLength ?? 0,
        etag: out.ETag ?? null,
        lastModified: out.LastModified ? out.LastModified.toISOString() : null,
        contentType: out.ContentType ?? null,
        versionId: out.VersionId ?? null,
        metadata: out.Metadata ?? {},
      };
    } catch (err) {
      throw classifyAwsError(err, 'fetch');
    }
  }

  async download(ref: ObjectRef, destPath: string, maxBytes: number, signal?: AbortSignal): Promise<DownloadResult> {
    let body: Readable;
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId ?? undefined }),
        { abortSignal: signal },
      );
      if (!out.Body) throw new DocsiftError('fetch_failed', 'fetch', 'GetObject returned no body');
      body = out.Body as Readable;
    } catch (err) {
      throw classifyAwsError(err, 'fetch');
    }
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          done(new DocsiftError('too_large', 'fetch', `object grew past the ${maxBytes}-byte limit while downloading`));
          return;
        }
        hash.update(chunk);
        this.onBytes(chunk.length);
        done(null, chunk);
      },
    });
    try {
      // 'wx': the temp name is fresh; never follow or reuse an existing path.
      await pipeline(body, meter, createWriteStream(destPath, { flags: 'wx', mode: 0o600 }), { signal });
    } catch (err) {
      if (err instanceof DocsiftError) throw err;
      if (signal?.aborted) throw new DocsiftError('processing_timeout', 'fetch', 'download aborted', { cause: err });
      throw classifyAwsError(err, 'fetch');
    }
    return { bytes, sha256: hash.digest('hex') };
  }

  async put(bucket: string, key: string, body: Buffer, contentType: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }), { abortSignal: signal });
    } catch (err) {
      throw classifyAwsError(err, 'thumbnail');
    }
  }

  async tags(ref: ObjectRef, signal?: AbortSignal): Promise<Record<string, string>> {
    try {
      const out = await this.client.send(new GetObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId ?? undefined }), { abortSignal: signal });
      return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch (err) {
      const e = classifyAwsError(err, 'fetch');
      if (e.code !== 'access_denied') throw e;
      // Said here because the object itself may well be readable: only the tags are refused.
      const hint = 'GetObjectTagging refused: S3_TAGS_ENABLED needs s3:GetObjectTagging (s3:GetObjectVersionTagging on versioned buckets)';
      throw new DocsiftError('access_denied', 'fetch', `${e.message} (${hint})`, { cause: err });
    }
  }
}
