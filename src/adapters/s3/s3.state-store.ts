import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DocsiftError } from '../../domain/errors.js';
import type { S3Location } from '../../domain/coverage/s3-uri.js';
import type { StateStore } from '../../ports/state-store.port.js';
import { classifyAwsError } from '../aws/classify-aws-error.js';

const MAX_STATE_BYTES = 1024 * 1024;

/**
 * State documents as S3 objects under STATE_URI. A PutObject replaces an object atomically (a
 * reader gets the old or the new one), which is all a checkpoint needs; the worker never indexes
 * these keys (config/key-filter.ts).
 */
export class S3StateStore implements StateStore {
  readonly location: string;

  constructor(
    private readonly client: Pick<S3Client, 'send'>,
    private readonly base: S3Location,
  ) {
    this.location = `s3://${base.bucket}/${base.prefix}`;
  }

  private key(name: string): string {
    return `${this.base.prefix}${this.base.prefix === '' || this.base.prefix.endsWith('/') ? '' : '/'}${name}`;
  }

  async read(name: string): Promise<string | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.base.bucket, Key: this.key(name) }));
      // Checked before reading: anything can be put under the prefix.
      if ((out.ContentLength ?? 0) > MAX_STATE_BYTES) {
        (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new DocsiftError('too_large', 'fetch', `state ${name} is larger than 1 MiB`);
      }
      return (await out.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      const e = classifyAwsError(err, 'fetch');
      if (e.code === 'not_found') return null;
      throw e;
    }
  }

  async write(name: string, text: string): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.base.bucket, Key: this.key(name), Body: text, ContentType: 'application/json' }));
    } catch (err) {
      throw classifyAwsError(err, 'fetch');
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.base.bucket, Key: this.key(name) }));
    } catch (err) {
      const e = classifyAwsError(err, 'fetch');
      if (e.code !== 'not_found') throw e;
    }
  }

  async list(folder: string, max: number): Promise<string[]> {
    const prefix = this.key(folder);
    try {
      const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.base.bucket, Prefix: prefix, MaxKeys: max }));
      return (out.Contents ?? []).map((o) => `${folder}${(o.Key ?? '').slice(prefix.length)}`).filter((n) => n !== folder);
    } catch (err) {
      throw classifyAwsError(err, 'fetch');
    }
  }
}
