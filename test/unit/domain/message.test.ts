import { describe, expect, it } from 'vitest';
import { DocsiftError } from '../../../src/domain/errors.js';
import { decodeS3Key, parseMessageBody, type ObjectEvent } from '../../../src/domain/message.js';

function s3Record(eventName: string, key: string, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    eventTime: '2026-11-23T10:00:00.000Z',
    eventName,
    s3: { bucket: { name: 'docs-bucket' }, object: { key, size: 1234, eTag: 'abc', sequencer: '0062A1', ...extra } },
  };
}
const s3Body = (...records: unknown[]) => JSON.stringify({ Records: records });

const okCases: Array<{ name: string; body: string; expect: Array<Partial<ObjectEvent>> }> = [
  { name: 'S3 put', body: s3Body(s3Record('ObjectCreated:Put', 'a/b.pdf')), expect: [{ action: 'upsert', bucket: 'docs-bucket', key: 'a/b.pdf', size: 1234, etag: 'abc', sequencer: '0062A1', source: 's3' }] },
  { name: 'key with + for spaces and percent-encoded Japanese', body: s3Body(s3Record('ObjectCreated:Put', 'reports/%E6%97%A5%E6%9C%AC+%E8%AA%9E.pdf')), expect: [{ key: 'reports/日本 語.pdf' }] },
  { name: 'literal plus sign is %2B', body: s3Body(s3Record('ObjectCreated:Put', 'a%2Bb.txt')), expect: [{ key: 'a+b.txt' }] },
  { name: 'versioned object', body: s3Body(s3Record('ObjectCreated:Put', 'k', { versionId: 'v1' })), expect: [{ versionId: 'v1' }] },
  { name: 'version "null" means unversioned', body: s3Body(s3Record('ObjectCreated:Put', 'k', { versionId: 'null' })), expect: [{ versionId: null }] },
  { name: 'ObjectRemoved deletes', body: s3Body(s3Record('ObjectRemoved:Delete', 'gone.txt')), expect: [{ action: 'delete', key: 'gone.txt' }] },
  {
    name: 'several records in one message',
    body: s3Body(s3Record('ObjectCreated:Put', 'one.txt'), s3Record('ObjectCreated:Copy', 'two.txt')),
    expect: [{ key: 'one.txt' }, { key: 'two.txt' }],
  },
  {
    name: 'SNS envelope',
    body: JSON.stringify({ Type: 'Notification', MessageId: 'x', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: s3Body(s3Record('ObjectCreated:Put', 'via+sns.txt')) }),
    expect: [{ key: 'via sns.txt', source: 'sns' }],
  },
  {
    name: 'EventBridge Object Created (key not URL-encoded)',
    body: JSON.stringify({ version: '0', source: 'aws.s3', 'detail-type': 'Object Created', time: '2026-11-23T10:00:00Z', detail: { bucket: { name: 'docs-bucket' }, object: { key: 'eb/a+b c.txt', size: 5, etag: 'e', sequencer: '01', 'version-id': 'v9' } } }),
    expect: [{ action: 'upsert', key: 'eb/a+b c.txt', versionId: 'v9', source: 'eventbridge' }],
  },
  {
    name: 'EventBridge Object Deleted',
    body: JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Deleted', detail: { bucket: { name: 'docs-bucket' }, object: { key: 'eb/x.txt' } } }),
    expect: [{ action: 'delete', key: 'eb/x.txt' }],
  },
  { name: 'direct job body', body: JSON.stringify({ bucket: 'docs-bucket', key: 'direct/key with space.txt' }), expect: [{ action: 'upsert', key: 'direct/key with space.txt', source: 'direct' }] },
];

describe('parseMessageBody: accepted shapes', () => {
  it.each(okCases)('$name', ({ body, expect: want }) => {
    const parsed = parseMessageBody(body);
    expect(parsed.kind).toBe('events');
    if (parsed.kind !== 'events') return;
    expect(parsed.events).toHaveLength(want.length);
    want.forEach((w, i) => expect(parsed.events[i]).toMatchObject(w));
  });
});

const ignoreCases = [
  { name: 's3:TestEvent', body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'docs-bucket' }), reason: 's3_test_event' },
  { name: 'SNS-wrapped TestEvent', body: JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ Event: 's3:TestEvent' }) }), reason: 's3_test_event' },
  { name: 'restore event only', body: s3Body(s3Record('ObjectRestore:Completed', 'k')), reason: 'no_object_change' },
  { name: 'EventBridge other detail-type', body: JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Restore Completed', detail: { bucket: { name: 'b' }, object: { key: 'k' } } }), reason: 'eventbridge_other' },
];

describe('parseMessageBody: acknowledged and ignored', () => {
  it.each(ignoreCases)('$name', ({ body, reason }) => {
    expect(parseMessageBody(body)).toEqual({ kind: 'ignore', reason });
  });
});

const badCases: Array<{ name: string; body: string | undefined; message: RegExp }> = [
  { name: 'missing body', body: undefined, message: /empty/ },
  { name: 'not JSON', body: 'hello', message: /not valid JSON/ },
  { name: 'JSON array', body: '[1,2]', message: /JSON object/ },
  { name: 'JSON string', body: '"x"', message: /JSON object/ },
  { name: 'unknown object', body: '{"foo":1}', message: /not an S3, SNS, EventBridge or direct/ },
  { name: 'empty Records', body: '{"Records":[]}', message: /non-empty array/ },
  { name: 'record without s3', body: s3Body({ eventName: 'ObjectCreated:Put' }), message: /s3 must be an object/ },
  { name: 'bucket name of wrong type', body: s3Body({ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 5 }, object: { key: 'k' } } }), message: /bucket.name must be a non-empty string/ },
  { name: 'bad percent-encoding', body: s3Body(s3Record('ObjectCreated:Put', 'bad%E0%A4%A.txt')), message: /URL encoding/ },
  { name: 'key longer than 1024 bytes', body: s3Body(s3Record('ObjectCreated:Put', 'k'.repeat(1025))), message: /1024 bytes/ },
  { name: 'invalid bucket name', body: JSON.stringify({ bucket: '../etc', key: 'k' }), message: /bucket name/ },
  { name: 'SNS Message not a string', body: JSON.stringify({ Type: 'Notification', Message: { a: 1 } }), message: /Message must be a string/ },
  { name: 'nested SNS envelope', body: JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ Type: 'Notification', Message: '{}' }) }), message: /nested SNS/ },
  { name: 'too many records', body: s3Body(...Array.from({ length: 101 }, () => s3Record('ObjectCreated:Put', 'k'))), message: /more than 100/ },
  { name: 'body over 1 MiB', body: JSON.stringify({ bucket: 'b', key: 'k', pad: 'x'.repeat(1024 * 1024) }), message: /1 MiB/ },
  { name: 'invalid UTF-8 (replacement char)', body: Buffer.from([0x7b, 0xff, 0x7d]).toString('utf8'), message: /UTF-8/ },
  { name: 'deep nesting', body: '['.repeat(200_000) + ']'.repeat(200_000), message: /JSON/ },
  { name: 'direct job with bad action', body: JSON.stringify({ bucket: 'b', key: 'k', action: 'explode' }), message: /action/ },
];

describe('parseMessageBody: bad messages are classified bad_message', () => {
  it.each(badCases)('$name', ({ body, message }) => {
    let caught: unknown;
    try {
      parseMessageBody(body);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DocsiftError);
    expect((caught as DocsiftError).code).toBe('bad_message');
    expect((caught as DocsiftError).permanent).toBe(true);
    expect((caught as DocsiftError).message).toMatch(message);
  });
});

describe('decodeS3Key', () => {
  it.each([
    ['plain', 'a/b.txt', 'a/b.txt'],
    ['plus is space', 'my+file.txt', 'my file.txt'],
    ['encoded slash kept meaning', 'a%2Fb', 'a/b'],
    ['unicode', '%E3%83%86%E3%82%B9%E3%83%88', 'テスト'],
  ])('%s', (_name, raw, want) => expect(decodeS3Key(raw)).toBe(want));
});
