import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../src/adapters/s3/s3.object-store.js';
import { DocsiftError } from '../../src/domain/errors.js';
import { BACKENDS, type Backend } from '../helpers/backends.js';

describe.each(BACKENDS)('S3ObjectStore against $name', ({ start }) => {
  let backend: Backend;
  let dir: string;
  const bucket = `contract-${randomUUID().slice(0, 8)}`;
  let downloaded = 0;
  let store: S3ObjectStore;
  beforeAll(async () => {
    backend = await start();
    await backend.createBucket(bucket);
    dir = await mkdtemp(join(tmpdir(), 'docsift-contract-'));
    store = new S3ObjectStore(backend.s3, (n) => (downloaded += n));
  }, 30_000);
  afterAll(async () => {
    await backend?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const put = (key: string, body: Buffer, contentType = 'application/octet-stream') =>
    backend.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));

  it('heads an object: size, etag, content type, last modified', async () => {
    await put('head/report.txt', Buffer.from('hello world'), 'text/plain');
    const head = await store.head({ bucket, key: 'head/report.txt', versionId: null });
    expect(head.size).toBe(11);
    expect(head.etag).toMatch(/[0-9a-f]{32}/);
    expect(head.contentType).toMatch(/^text\/plain/);
    expect(new Date(head.lastModified!).getTime()).toBeGreaterThan(Date.now() - 3_600_000);
  });

  it('classifies a missing object as not_found', async () => {
    const err = await store.head({ bucket, key: 'missing/nothing.txt', versionId: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('not_found');
    expect((err as DocsiftError).permanent).toBe(true);
  });

  it('streams a body to disk with its sha256, for keys with spaces and Japanese', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const key = 'dir/日本語 ファイル (1).bin';
    await put(key, body);
    const before = downloaded;
    const path = join(dir, randomUUID());
    const result = await store.download({ bucket, key, versionId: null }, path, 10 * 1024 * 1024);
    expect(result.bytes).toBe(body.length);
    expect(result.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect((await readFile(path)).equals(body)).toBe(true);
    expect(downloaded - before).toBe(body.length);
  });

  it('refuses a body larger than the cap while streaming', async () => {
    await put('big/blob.bin', Buffer.alloc(200_000, 1));
    const err = await store.download({ bucket, key: 'big/blob.bin', versionId: null }, join(dir, randomUUID()), 100_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('too_large');
  });

  it('never writes through an existing path', async () => {
    await put('x/y.txt', Buffer.from('data'));
    const path = join(dir, 'existing');
    await writeFile(path, 'keep me');
    await expect(store.download({ bucket, key: 'x/y.txt', versionId: null }, path, 1000)).rejects.toBeDefined();
    expect(await readFile(path, 'utf8')).toBe('keep me');
  });

  it('heads user metadata and reads object tags (S3_TAGS_ENABLED)', async () => {
    await backend.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'meta/日本語 tagged.txt', Body: 'x', Metadata: { dept: 'sales', 'owner-name': 'Yamada' } }));
    // PutObjectTagging rather than PutObject's x-amz-tagging header, which s3rver ignores.
    const TagSet = [{ Key: 'project', Value: 'x' }, { Key: 'Stage', Value: 'final draft' }];
    await backend.s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'meta/日本語 tagged.txt', Tagging: { TagSet } }));
    const ref = { bucket, key: 'meta/日本語 tagged.txt', versionId: null };
    expect((await store.head(ref)).metadata).toEqual({ dept: 'sales', 'owner-name': 'Yamada' });
    expect(await store.tags(ref)).toEqual({ project: 'x', Stage: 'final draft' });
    await put('meta/plain.txt', Buffer.from('x'));
    expect(await store.tags({ bucket, key: 'meta/plain.txt', versionId: null })).toEqual({});
    expect((await store.tags({ bucket, key: 'meta/missing.txt', versionId: null }).catch((e: unknown) => e)) as DocsiftError).toMatchObject({ code: 'not_found' });
  });

  it('puts an object (thumbnails)', async () => {
    await store.put(bucket, 'thumbnails/abc.jpg', Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg');
    const head = await store.head({ bucket, key: 'thumbnails/abc.jpg', versionId: null });
    expect(head.size).toBe(3);
  });
});
