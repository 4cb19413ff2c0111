import { DocsiftError } from './errors.js';
import { normaliseVersion } from './document.js';

/** What one queue message asks for: zero or more object changes. */
export type ObjectAction = 'upsert' | 'delete';
export type EventSource = 's3' | 'sns' | 'eventbridge' | 'direct';

export interface ObjectEvent {
  action: ObjectAction;
  bucket: string;
  key: string;
  versionId: string | null;
  size: number | null;
  etag: string | null;
  sequencer: string | null;
  eventTime: string | null;
  source: EventSource;
  /**
   * A delete that created a delete marker (`ObjectRemoved:DeleteMarkerCreated`, EventBridge
   * `deletion-type: Delete Marker Created`): the marker is now the key's current version. Absent
   * means false: a plain delete, or a version removed for good.
   */
  deleteMarker?: boolean;
}

export type ParsedMessage = { kind: 'events'; events: ObjectEvent[] } | { kind: 'ignore'; reason: string };

/** SQS allows 1 MiB bodies; an S3 notification is a few KB. Anything bigger is not ours. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** One S3 notification carries one record today; allow batching producers but bound the fan-out. */
export const MAX_RECORDS_PER_MESSAGE = 100;
const MAX_KEY_BYTES = 1024;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function bad(message: string): DocsiftError {
  return new DocsiftError('bad_message', 'parse', message);
}

type Json = Record<string, unknown>;
function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(obj: Json, field: string, where: string): string {
  const value = obj[field];
  if (typeof value !== 'string' || value.length === 0) throw bad(`${where}.${field} must be a non-empty string`);
  return value;
}

function optStr(obj: Json, field: string): string | null {
  const value = obj[field];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function optNum(obj: Json, field: string): number | null {
  const value = obj[field];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Throws `bad_message` for a bucket or key no S3 object can have (the worker refuses them too). */
export function checkName(bucket: string, key: string): void {
  if (bucket.length > 255 || !/^[a-zA-Z0-9._-]+$/.test(bucket)) throw bad('bucket name is not a valid S3 bucket name');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw bad('object key is longer than 1024 bytes');
  // U+FFFD: invalid UTF-8 decoded on the way in; a lone surrogate: an escaped `\ud800` in the JSON,
  // which no S3 key can hold (and which makes URL-encoding the key throw later, as a retryable error).
  if (key.includes('\uFFFD') || LONE_SURROGATE.test(key)) throw bad('object key is not valid UTF-8');
}

/** S3 notification keys are URL-encoded with `+` for spaces. */
export function decodeS3Key(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw bad('s3.object.key is not valid URL encoding');
  }
}

/**
 * The object change an S3 event name stands for; null for events that change no content (restore,
 * replication, tagging, transitions…). S3 writes names without the `s3:` of the notification
 * configuration, but some producers (and public samples) keep it: accept both.
 */
export function changeOf(eventName: string): Pick<ObjectEvent, 'action' | 'deleteMarker'> | null {
  const name = eventName.startsWith('s3:') ? eventName.slice(3) : eventName;
  if (name.startsWith('ObjectCreated:')) return { action: 'upsert' };
  // Lifecycle expirations remove objects just as deletes do (EventBridge reports them as Object Deleted).
  if (name === 'ObjectRemoved:DeleteMarkerCreated' || name === 'LifecycleExpiration:DeleteMarkerCreated') return { action: 'delete', deleteMarker: true };
  if (name.startsWith('ObjectRemoved:') || name === 'LifecycleExpiration:Delete') return { action: 'delete' };
  return null;
}

function parseS3Record(record: unknown, source: EventSource, index: number): ObjectEvent | null {
  const where = `Records[${index}]`;
  if (!isObject(record)) throw bad(`${where} must be an object`);
  const eventName = str(record, 'eventName', where);
  if (!isObject(record.s3)) throw bad(`${where}.s3 must be an object`);
  const s3 = record.s3;
  if (!isObject(s3.bucket)) throw bad(`${where}.s3.bucket must be an object`);
  if (!isObject(s3.object)) throw bad(`${where}.s3.object must be an object`);
  const bucket = str(s3.bucket, 'name', `${where}.s3.bucket`);
  const key = decodeS3Key(str(s3.object, 'key', `${where}.s3.object`));
  checkName(bucket, key);
  const change = changeOf(eventName);
  if (!change) return null;
  return {
    ...change,
    bucket,
    key,
    versionId: normaliseVersion(optStr(s3.object, 'versionId')),
    size: optNum(s3.object, 'size'),
    etag: optStr(s3.object, 'eTag') ?? optStr(s3.object, 'etag'),
    sequencer: optStr(s3.object, 'sequencer'),
    eventTime: optStr(record, 'eventTime'),
    source,
  };
}

function parseS3Notification(doc: Json, source: EventSource): ParsedMessage {
  const records = doc.Records;
  if (!Array.isArray(records) || records.length === 0) throw bad('Records must be a non-empty array');
  if (records.length > MAX_RECORDS_PER_MESSAGE) throw bad(`more than ${MAX_RECORDS_PER_MESSAGE} records in one message`);
  const events: ObjectEvent[] = [];
  records.forEach((record, i) => {
    const event = parseS3Record(record, source, i);
    if (event) events.push(event);
  });
  if (events.length === 0) return { kind: 'ignore', reason: 'no_object_change' };
  return { kind: 'events', events };
}

function parseEventBridge(doc: Json): ParsedMessage {
  const type = doc['detail-type'];
  const detail = doc.detail;
  if (!isObject(detail)) throw bad('detail must be an object');
  if (!isObject(detail.bucket) || !isObject(detail.object)) throw bad('detail.bucket and detail.object must be objects');
  let action: ObjectAction;
  if (type === 'Object Created') action = 'upsert';
  else if (type === 'Object Deleted') action = 'delete';
  else return { kind: 'ignore', reason: 'eventbridge_other' };
  const bucket = str(detail.bucket, 'name', 'detail.bucket');
  const key = str(detail.object, 'key', 'detail.object'); // EventBridge keys are not URL-encoded
  checkName(bucket, key);
  const deleteMarker = action === 'delete' && detail['deletion-type'] === 'Delete Marker Created';
  return {
    kind: 'events',
    events: [
      {
        action,
        ...(deleteMarker ? { deleteMarker } : {}),
        bucket,
        key,
        versionId: normaliseVersion(optStr(detail.object, 'version-id')),
        size: optNum(detail.object, 'size'),
        etag: optStr(detail.object, 'etag'),
        sequencer: optStr(detail.object, 'sequencer'),
        eventTime: typeof doc.time === 'string' ? doc.time : null,
        source: 'eventbridge',
      },
    ],
  };
}

function parseDirect(doc: Json): ParsedMessage {
  const bucket = str(doc, 'bucket', 'body');
  const key = str(doc, 'key', 'body');
  checkName(bucket, key);
  const action = doc.action === 'delete' ? 'delete' : 'upsert';
  if (doc.action !== undefined && doc.action !== 'delete' && doc.action !== 'upsert') {
    throw bad('body.action must be "upsert" or "delete"');
  }
  return {
    kind: 'events',
    events: [
      {
        action,
        bucket,
        key,
        versionId: normaliseVersion(optStr(doc, 'versionId')),
        size: null,
        etag: null,
        sequencer: null,
        eventTime: null,
        source: 'direct',
      },
    ],
  };
}

function parseDocument(doc: unknown, source: EventSource, depth: number): ParsedMessage {
  if (!isObject(doc)) throw bad('body must be a JSON object');
  if (doc.Event === 's3:TestEvent') return { kind: 'ignore', reason: 's3_test_event' };
  if (doc.Type === 'Notification' && 'Message' in doc) {
    if (depth > 0) throw bad('nested SNS envelopes are not supported');
    if (typeof doc.Message !== 'string') throw bad('SNS Message must be a string');
    return parseDocument(parseJson(doc.Message), 'sns', depth + 1);
  }
  if ('Records' in doc) return parseS3Notification(doc, source);
  if (doc.source === 'aws.s3' && 'detail-type' in doc) return parseEventBridge(doc);
  if ('bucket' in doc && 'key' in doc) return parseDirect(doc);
  throw bad('body is not an S3, SNS, EventBridge or direct job message');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // Deep nesting can overflow the stack: that is still just a bad body.
    throw bad(`body is not valid JSON: ${err instanceof Error ? err.message.slice(0, 120) : 'parse error'}`);
  }
}

/** Parse one SQS message body into the object changes it asks for. Throws `bad_message`. */
export function parseMessageBody(body: string | undefined): ParsedMessage {
  if (body === undefined || body.length === 0) throw bad('body is empty');
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) throw bad('body is larger than 1 MiB');
  if (body.includes('\uFFFD')) throw bad('body is not valid UTF-8');
  return parseDocument(parseJson(body), 's3', 0);
}
