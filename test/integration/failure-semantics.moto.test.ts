import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueDepth } from '../../src/adapters/sqs/sqs.queue.js';
import { loadConfig } from '../../src/config/load.js';
import { documentId } from '../../src/domain/document.js';
import { createApp } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { ensureBuilt } from '../faults/harness/build.js';
import { CHART_DIR, renderChart } from '../chart/lib/helm.js';
import { byKind, parseManifests } from '../chart/lib/manifests.js';
import { containersOf } from '../chart/lib/policy.js';
import { s3NotificationIn } from '../fixtures/s3-events.js';
import { requireMoto, startMotoBackend, type Backend } from '../helpers/backends.js';
import { OpenSearchDouble } from '../helpers/opensearch-double.js';

/**
 * Issue 14's acceptance, on moto_server (an SQS whose redrive policy counts receives as SQS does,
 * and an S3 with versioning) with the index double: transient failures reach the DLQ labelled on
 * their last receive, the chart's redrive CronJob moves them back, and a versioned bucket keeps one
 * document per key, its current version.
 */
requireMoto();

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let moto: Backend;
let double: OpenSearchDouble;
let endpoint: string;

beforeAll(async () => {
  moto = await startMotoBackend();
  endpoint = moto.endpoints.sqs;
  double = new OpenSearchDouble();
  await double.start();
}, 30_000);

afterAll(async () => {
  await double?.stop();
  await moto?.close();
});

/** Log lines of one worker run, parsed. */
function logSink() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('debug', stream) };
}

/** Builds the production app against moto and the double (faults injected after start-up), runs it until idle. */
async function runWorker(env: Record<string, string>, options: { beforeRun?: () => void } = {}) {
  const r = loadConfig(
    {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      OPENSEARCH_URL: double.url,
      RECEIVE_WAIT_SECONDS: '1',
      VISIBILITY_TIMEOUT: '10',
      HEARTBEAT_INTERVAL: '3',
      RETRY_BASE_SECONDS: '1',
      RETRY_MAX_SECONDS: '1',
      BULK_MAX_RETRIES: '1',
      OCR_ENABLED: 'false',
      THUMBNAIL_ENABLED: 'false',
      METRICS_PORT: '0',
      TEMP_DIR: mkdtempSync(join(tmpdir(), 'docsift-moto-')),
      ...env,
    },
    {},
  );
  if (!r.ok) throw new Error(r.problems.join('\n'));
  const { lines, logger } = logSink();
  const app = await createApp(r.config, { logger, metrics: createMetrics({ defaultMetrics: false }), exitWhenIdle: 4, credentials: CREDENTIALS });
  options.beforeRun?.();
  const reason = await app.worker.run();
  await app.close();
  return { reason, lines, counts: app.worker.counts };
}

/** Every message of a queue; each is held invisible while reading, then made visible again (or deleted with `remove`). */
async function readAll(url: string, remove = false): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const got = await moto.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30, MessageAttributeNames: ['All'] }));
    if (!got.Messages?.length) break;
    out.push(...got.Messages);
  }
  for (const m of out) {
    if (remove) await moto.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    else await moto.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
  }
  return out;
}

const attr = (m: Message, name: string) => m.MessageAttributes?.[name]?.StringValue;

let sequence = 0x0062e99a88dc4000n;
/** A fresh S3-style sequencer, increasing with every event of the run (18 hex digits). */
const nextSequencer = () => (sequence += 0x10n).toString(16).toUpperCase().padStart(18, '0');

describe('transient failures on their last receive (moto, maxReceiveCount 2, every bulk request answered 503)', () => {
  let queue: { url: string; arn: string };
  let dlq: { url: string; arn: string };
  const bucket = `fail-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    dlq = await moto.createQueue(`dlq-${randomUUID().slice(0, 8)}`);
    queue = await moto.createQueue(`src-${randomUUID().slice(0, 8)}`, { dlqArn: dlq.arn, maxReceiveCount: 2 });
    await moto.createBucket(bucket);
    await moto.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'outage/report.txt', Body: 'indexed once the index is back', ContentType: 'text/plain' }));
  });

  it('with DLQ_URL: in the DLQ after its second receive, error_class index_unavailable; a permanent failure goes at once', async () => {
    const put = (key: string) => s3NotificationIn(bucket, { eventName: 'ObjectCreated:Put', key, object: { sequencer: nextSequencer() } });
    await moto.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: put('outage/report.txt') }));
    await moto.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: put('missing/never-uploaded.txt') }));
    const run = await runWorker({ QUEUE_URL: queue.url, DLQ_URL: dlq.url }, { beforeRun: () => (double.requestFault = 503) });
    double.requestFault = null;
    expect(run.reason).toBe('idle');

    const failed = run.lines.filter((l) => l.event === 'job_failed' && l.error_class === 'index_unavailable');
    expect(failed.map((l) => [l.receive_count, l.max_receive_count, l.decision])).toEqual([
      [1, 2, 'retry'],
      [2, 2, 'dead_letter'],
    ]);
    expect(run.lines.find((l) => l.event === 'redrive_policy')).toMatchObject({ max_receive_count: 2, dead_letter_target_arn: dlq.arn });
    const sent = run.lines.filter((l) => l.event === 'dlq_sent');
    expect(sent.map((l) => [l.error_class, l.reason]).sort()).toEqual([
      ['index_unavailable', 'last_receive'],
      ['not_found', 'permanent'],
    ]);
    const dead = await readAll(dlq.url);
    expect(dead.map((m) => [JSON.parse(m.Body!).Records[0].s3.object.key, attr(m, 'error_class'), attr(m, 'stage'), attr(m, 'source_queue')]).sort()).toEqual([
      ['missing/never-uploaded.txt', 'not_found', 'fetch', queue.url],
      ['outage/report.txt', 'index_unavailable', 'index', queue.url],
    ]);
    expect(dead.every((m) => /^\d{4}-\d\d-\d\dT/.test(attr(m, 'failed_at') ?? ''))).toBe(true);
    const left = await queueDepth(moto.sqs, queue.url);
    expect(left.visible + left.inFlight).toBe(0);
    expect(double.docs.size).toBe(0);
  }, 60_000);

  it("the chart's default redrive CronJob command moves the labelled transient failure back and leaves the permanent one; the worker then indexes it", async () => {
    // The DLQ as the previous test left it (made visible again): index_unavailable and not_found.
    const objects = parseManifests(await renderChart({ valuesFiles: [join(CHART_DIR, 'ci', 'defaults-values.yaml')], set: [`queue.dlqUrl=${dlq.url}`, 'dlqRedrive.enabled=true'] }));
    const cron = byKind(objects, 'CronJob').find((o) => o.metadata.name.endsWith('-dlq-redrive'))!;
    const args = containersOf(cron)[0].args as string[];
    expect(args.slice(0, 3)).toEqual(['dlq', 'redrive', '--error-class']);
    const env = { PATH: process.env.PATH ?? '', HOME: tmpdir(), AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SQS: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', DLQ_URL: dlq.url, QUEUE_URL: queue.url, DLQ_READ_WAIT_SECONDS: '0', DLQ_READ_VISIBILITY: '5' };
    const result = spawnSync(process.execPath, [ensureBuilt(), ...args], { encoding: 'utf8', env, timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/dlq redrive: moved=1 skipped=1 failed=0 dry_run=false/);
    const left = await readAll(dlq.url);
    expect(left.map((m) => attr(m, 'error_class'))).toEqual(['not_found']);
    // Back in the source queue, without the error attributes; the index is healthy now.
    const run = await runWorker({ QUEUE_URL: queue.url, DLQ_URL: dlq.url });
    expect(run.counts.indexed).toBe(1);
    expect([...double.docs.values()].map((d) => d.source.key)).toEqual(['outage/report.txt']);
  }, 90_000);

  it('without DLQ_URL: the class is logged on the last receive, then the queue redrive policy moves it unlabelled (the safety net)', async () => {
    const noDlq = await moto.createQueue(`dlq-${randomUUID().slice(0, 8)}`);
    const q = await moto.createQueue(`src-${randomUUID().slice(0, 8)}`, { dlqArn: noDlq.arn, maxReceiveCount: 2 });
    await moto.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: s3NotificationIn(bucket, { eventName: 'ObjectCreated:Put', key: 'outage/report.txt', object: { sequencer: nextSequencer() } }) }));
    const run = await runWorker({ QUEUE_URL: q.url }, { beforeRun: () => (double.requestFault = 503) });
    double.requestFault = null;
    const last = run.lines.filter((l) => l.event === 'left_for_redrive');
    expect(last).toEqual([expect.objectContaining({ error_class: 'index_unavailable', stage: 'index', receive_count: 2, max_receive_count: 2 })]);
    const dead = await readAll(noDlq.url);
    expect(dead).toHaveLength(1);
    expect(attr(dead[0]!, 'error_class')).toBeUndefined();
  }, 60_000);
});

describe('a versioned bucket keeps one document per key: its current version (moto S3)', () => {
  const bucket = `versions-${randomUUID().slice(0, 8)}`;
  const key = 'contracts/2026 年/terms.txt';
  let queue: { url: string; arn: string };
  const versions: Record<string, string> = {};

  beforeAll(async () => {
    await moto.createBucket(bucket);
    await moto.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const dlq = await moto.createQueue(`dlq-${randomUUID().slice(0, 8)}`);
    queue = await moto.createQueue(`src-${randomUUID().slice(0, 8)}`, { dlqArn: dlq.arn, maxReceiveCount: 5 });
  });

  const event = (eventName: string, versionId: string) => s3NotificationIn(bucket, { eventName, key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/'), object: { versionId, sequencer: nextSequencer() } });
  async function deliver(...bodies: string[]) {
    for (const body of bodies) await moto.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    const run = await runWorker({ QUEUE_URL: queue.url });
    expect(run.counts.dead_lettered + run.counts.retried, JSON.stringify(run.lines.filter((l) => l.event === 'job_failed'))).toBe(0);
  }
  /** Documents of this bucket in the index (one id per key, so at most one per key). */
  const docsOfKey = () => [...double.docs.entries()].filter(([, d]) => d.source.bucket === bucket && d.source.key === key);

  it('put v1, put v2 (both events): exactly one document for the key, holding v2; a late v1 event changes nothing', async () => {
    versions.v1 = (await moto.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'alpha: the first version', ContentType: 'text/plain' }))).VersionId!;
    const v1Event = event('ObjectCreated:Put', versions.v1);
    versions.v2 = (await moto.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'beta: the second version', ContentType: 'text/plain' }))).VersionId!;
    expect(versions.v1).not.toBe(versions.v2);
    await deliver(v1Event, event('ObjectCreated:Put', versions.v2));
    expect(docsOfKey()).toHaveLength(1);
    const [id, doc] = docsOfKey()[0]!;
    expect(id).toBe(documentId(bucket, key));
    expect(doc.source).toMatchObject({ version_id: versions.v2, content: 'beta: the second version' });
    const conflicts = double.conflicts.length;
    await deliver(v1Event); // the v1 event again, late: its sequencer is older
    expect(double.conflicts.length).toBe(conflicts + 1);
    expect(docsOfKey()[0]![1].source).toMatchObject({ version_id: versions.v2 });
  }, 90_000);

  it('a DeleteMarkerCreated event: zero documents for the key', async () => {
    const marker = await moto.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect(marker.DeleteMarker).toBe(true);
    versions.marker = marker.VersionId!;
    await deliver(event('ObjectRemoved:DeleteMarkerCreated', versions.marker));
    expect(docsOfKey()).toEqual([]);
  }, 60_000);

  it('removing the delete marker brings v2 back; deleting v2 for good makes v1 current; deleting v1 too leaves nothing', async () => {
    await moto.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versions.marker }));
    await deliver(event('ObjectRemoved:Delete', versions.marker!));
    expect(docsOfKey().map(([, d]) => d.source.version_id)).toEqual([versions.v2]);

    await moto.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versions.v2 }));
    await deliver(event('ObjectRemoved:Delete', versions.v2!));
    expect(docsOfKey().map(([, d]) => [d.source.version_id, d.source.content])).toEqual([[versions.v1, 'alpha: the first version']]);

    await moto.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versions.v1 }));
    await deliver(event('ObjectRemoved:Delete', versions.v1!));
    expect(docsOfKey()).toEqual([]);
  }, 120_000);
});
