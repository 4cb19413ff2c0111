import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DocsiftError } from '../../../src/domain/errors.js';
import { parseMessageBody } from '../../../src/domain/message.js';
import { planDelete } from '../../../src/domain/versions.js';
import { S3_EVENT_FIXTURES } from '../../fixtures/s3-events.js';

describe('S3 event shapes from public samples (fixtures reproducing what each taught)', () => {
  it.each(S3_EVENT_FIXTURES)('$name', ({ body, want, plan }) => {
    const parsed = parseMessageBody(body);
    if (want === 'ignore') {
      expect(parsed).toEqual({ kind: 'ignore', reason: 'no_object_change' });
      return;
    }
    expect(parsed.kind).toBe('events');
    if (parsed.kind !== 'events') return;
    expect(parsed.events.map((e) => ({ action: e.action, key: e.key, versionId: e.versionId, deleteMarker: e.deleteMarker === true }))).toEqual(
      want.map((w) => ({ action: w.action, key: w.key, versionId: w.versionId, deleteMarker: w.deleteMarker === true })),
    );
    want.forEach((w, i) => {
      if (w.sequencer !== undefined) expect(parsed.events[i]!.sequencer).toBe(w.sequencer);
    });
    if (plan) expect(planDelete(parsed.events[0]!)).toBe(plan);
  });
});

describe('planDelete: what a delete does to the key\'s one document', () => {
  it.each([
    ['delete marker → remove (the marker is current)', { versionId: 'm1', deleteMarker: true }, 'remove'],
    ['delete marker without a version id (EventBridge) → remove', { versionId: null, deleteMarker: true }, 'remove'],
    ['unversioned delete → remove', { versionId: null }, 'remove'],
    ['a version removed for good → ask S3 for the current version', { versionId: 'v2' }, 'follow_current'],
    ['a version removed for good, marker flag false → follow current', { versionId: 'v2', deleteMarker: false }, 'follow_current'],
  ] as const)('%s', (_n, event, want) => expect(planDelete(event)).toBe(want));
});

/**
 * The public samples themselves, where this machine has them (/work/corpora/aws-events, shared and
 * kept outside the repository): every one of them parses into events, an ignore, or a classified
 * bad_message, never anything else. The fixtures above keep what they taught when they are absent.
 */
const CORPUS = process.env.AWS_EVENTS_CORPUS ?? '/work/corpora/aws-events';

function bodiesOf(doc: unknown): string[] {
  const records = (doc as { Records?: Array<Record<string, unknown>> }).Records;
  // A Lambda SQS event: the bodies are what docsift receives from SQS.
  if (Array.isArray(records) && records.every((r) => typeof r.body === 'string')) return records.map((r) => r.body as string);
  return [JSON.stringify(doc)];
}

/**
 * What each sample must become: `action(marker):key@version`, `ignore:reason`, or `bad_message`
 * (Object Lambda, Batch Operations and SES events are not notifications docsift consumes). A
 * sample not named here must still be one of the three.
 */
const EXPECTED: Record<string, string> = {
  'aws-lambda-go/s3-event.json': 'upsert:Happy Face.jpg@version',
  'aws-lambda-go/s3-event-with-decoded.json': 'upsert:Happy Face.jpg@version',
  'aws-lambda-go/s3-glacier-event.json': 'ignore:no_object_change',
  'aws-lambda-go/s3-intelligenttier-event.json': 'ignore:no_object_change',
  'aws-lambda-go/s3-lifecycle-event.json': 'ignore:no_object_change',
  'aws-lambda-go/s3-replication-event.json': 'ignore:no_object_change',
  'aws-lambda-go/s3-restore-event.json': 'ignore:no_object_change',
  'aws-lambda-go/s3-batch-job-event-request-2.0.json': 'bad_message',
  'aws-lambda-go/s3-object-lambda-event-get-object-iam.json': 'bad_message',
  'aws-lambda-go/ses-s3-event.json': 'bad_message',
  'powertools-lambda-python/s3Event.json': 'upsert:b21b84d653bb07b05b1e6b33684dc11b@null',
  'powertools-lambda-python/s3EventGlacier.json': 'upsert:b21b84d653bb07b05b1e6b33684dc11b@null',
  'powertools-lambda-python/s3EventDecodedKey.json': 'upsert:Happy Face.jpg@version',
  'powertools-lambda-python/s3EventDeleteObject.json': 'delete:b21b84d653bb07b05b1e6b33684dc11b@null',
  'powertools-lambda-python/s3SqsEvent.json': 'upsert:test.pdf@yd3d4HaWOT2zguDLvIQLU6ptDTwKBnQV',
  'powertools-lambda-python/s3EventBridgeNotificationObjectCreatedEvent.json': 'upsert:IMG_m7fzo3.jpg@null',
  'powertools-lambda-python/s3EventBridgeNotificationObjectDeletedEvent.json': 'delete(marker):IMG_m7fzo3.jpg@null',
  'powertools-lambda-python/s3EventBridgeNotificationObjectExpiredEvent.json': 'delete(marker):IMG_m7fzo3.jpg@null',
  'powertools-lambda-python/s3EventBridgeNotificationObjectRestoreCompletedEvent.json': 'ignore:eventbridge_other',
  'powertools-lambda-python/snsSqsEvent.json': 'bad_message',
};

function outcomeOf(body: string): string {
  try {
    const p = parseMessageBody(body);
    return p.kind === 'ignore' ? `ignore:${p.reason}` : p.events.map((e) => `${e.action}${e.deleteMarker ? '(marker)' : ''}:${e.key}@${e.versionId}`).join(',');
  } catch (err) {
    if (err instanceof DocsiftError) return err.code;
    throw err;
  }
}

describe.runIf(existsSync(CORPUS))(`the public S3 event samples in ${CORPUS}`, () => {
  const files = readdirSync(CORPUS, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
  it('are all there', () => expect(files).toEqual(expect.arrayContaining(Object.keys(EXPECTED))));
  it.each(files)('%s', (file) => {
    for (const body of bodiesOf(JSON.parse(readFileSync(join(CORPUS, file), 'utf8')))) {
      const got = outcomeOf(body);
      if (EXPECTED[file]) expect(got).toBe(EXPECTED[file]);
      else expect(got).toMatch(/^(upsert|delete|ignore:|bad_message$)/);
    }
  });
});
