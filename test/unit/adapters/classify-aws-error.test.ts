import { describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../../src/adapters/aws/classify-aws-error.js';
import { DocsiftError } from '../../../src/domain/errors.js';

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });
}

describe('classifyAwsError', () => {
  const cases = [
    { name: 'S3 NoSuchKey', err: sdkError('NoSuchKey', 404), code: 'not_found' },
    { name: 'HeadObject NotFound', err: sdkError('NotFound', 404), code: 'not_found' },
    { name: 'bare 404', err: sdkError('UnknownError', 404), code: 'not_found' },
    { name: 'AccessDenied', err: sdkError('AccessDenied', 403), code: 'access_denied' },
    { name: 'SQS throttling', err: sdkError('ThrottlingException', 400), code: 'throttled' },
    { name: 'S3 SlowDown', err: sdkError('SlowDown', 503), code: 'throttled' },
    { name: 'HTTP 429', err: sdkError('TooManyRequests', 429), code: 'throttled' },
    { name: 'S3 500', err: sdkError('InternalError', 500), code: 'fetch_failed' },
    { name: 'server fault flag', err: sdkError('ServiceUnavailable', undefined, { $fault: 'server' }), code: 'fetch_failed' },
    { name: 'ECONNREFUSED', err: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), code: 'connection' },
    { name: 'ECONNRESET in cause', err: Object.assign(new Error('outer'), { cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' }) }), code: 'connection' },
    { name: 'socket hang up', err: new Error('socket hang up'), code: 'connection' },
    { name: 'TimeoutError', err: sdkError('TimeoutError'), code: 'connection' },
    { name: 'unknown client error', err: sdkError('ValidationError', 400), code: 'internal' },
  ] as const;
  it.each(cases)('$name → $code', ({ err, code }) => {
    const e = classifyAwsError(err, 'fetch');
    expect(e).toBeInstanceOf(DocsiftError);
    expect(e.code).toBe(code);
    expect(e.stage).toBe('fetch');
  });
  it('keeps an already classified error', () => {
    const original = new DocsiftError('too_large', 'fetch', 'big');
    expect(classifyAwsError(original, 'index')).toBe(original);
  });
  it('uses the caller transient class for 5xx', () => {
    expect(classifyAwsError(sdkError('InternalError', 500), 'ack', 'connection').code).toBe('connection');
  });
});

describe('S3ObjectStore.tags', () => {
  it('a refused GetObjectTagging says which permission S3_TAGS_ENABLED needs (the object itself may be readable)', async () => {
    const { S3ObjectStore } = await import('../../../src/adapters/s3/s3.object-store.js');
    const store = new S3ObjectStore({ send: async () => Promise.reject(sdkError('AccessDenied', 403)) } as never);
    const err = await store.tags({ bucket: 'docs', key: 'a.pdf', versionId: 'v1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'access_denied', stage: 'fetch', permanent: true });
    expect((err as Error).message).toMatch(/S3_TAGS_ENABLED needs s3:GetObjectTagging \(s3:GetObjectVersionTagging on versioned buckets\)/);
  });
  it('other failures keep their class', async () => {
    const { S3ObjectStore } = await import('../../../src/adapters/s3/s3.object-store.js');
    const store = new S3ObjectStore({ send: async () => Promise.reject(sdkError('SlowDown', 503)) } as never);
    expect(await store.tags({ bucket: 'docs', key: 'a.pdf', versionId: null }).catch((e: unknown) => (e as DocsiftError).code)).toBe('throttled');
  });
});
