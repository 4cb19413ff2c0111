import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueDepth } from '../../src/adapters/sqs/sqs.queue.js';
import { loadConfig } from '../../src/config/load.js';
import { documentId } from '../../src/domain/document.js';
import { LOCAL_CREDENTIALS, startLocalStack, type LocalStack } from '../../devstack/local-stack.js';
import { encodeS3EventKey } from '../../devstack/s3-event-bridge.js';
import { makeSamples, type Sample } from '../../devstack/samples.js';
import { createApp } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { OpenSearchDouble } from '../helpers/opensearch-double.js';

const s3Event = (bucket: string, key: string, eventName = 'ObjectCreated:Put') => ({
  Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName, eventTime: new Date().toISOString(), s3: { bucket: { name: bucket }, object: { key: encodeS3EventKey(key), sequencer: '01' } } }],
});

describe('whole worker against the local SQS and S3 servers and the index double', () => {
  let stack: LocalStack;
  let double: OpenSearchDouble;
  let samples: Sample[];
  const specialKey = 'incoming/請求書 2026 年/report final (1).txt';
  const snsKey = 'via/sns wrapped.txt';
  const ebKey = 'via/eventbridge+plus.txt';

  beforeAll(async () => {
    stack = await startLocalStack({ bridge: false, queueName: `drain-${Date.now().toString(36)}` });
    double = new OpenSearchDouble();
    await double.start();
    samples = makeSamples(192, 7, ['txt', 'md', 'csv', 'json', 'html', 'pdf', 'japanese']);
    samples.push({ key: specialKey, body: Buffer.from('special marker 東京'), contentType: 'text/plain', marker: '東京' });
    samples.push({ key: snsKey, body: Buffer.from('sns marker'), contentType: 'text/plain', marker: 'sns' });
    samples.push({ key: ebKey, body: Buffer.from('eventbridge marker'), contentType: 'text/plain', marker: 'eventbridge' });
    for (const s of samples) await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: s.key, Body: s.body, ContentType: s.contentType }));
    const bodies: string[] = [];
    for (const s of samples) {
      if (s.key === snsKey) bodies.push(JSON.stringify({ Type: 'Notification', MessageId: 'm', Message: JSON.stringify(s3Event(stack.bucket, s.key)) }));
      else if (s.key === ebKey) bodies.push(JSON.stringify({ version: '0', source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: stack.bucket }, object: { key: s.key } } }));
      else bodies.push(JSON.stringify(s3Event(stack.bucket, s.key)));
    }
    // Duplicate deliveries of three objects, a missing object and a malformed body: 200 messages.
    bodies.push(bodies[0]!, bodies[1]!, bodies[50]!);
    bodies.push(JSON.stringify(s3Event(stack.bucket, 'missing/not-there.txt')));
    bodies.push('{"this is": not json');
    expect(bodies).toHaveLength(200);
    for (let i = 0; i < bodies.length; i += 10) {
      await stack.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: stack.queueUrl, Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: `e${j}`, MessageBody: b })) }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await double?.stop();
  });

  it('indexes every object exactly once by _id, empties the queue and dead-letters the two bad messages', async () => {
    const r = loadConfig({ ...stack.env, OPENSEARCH_URL: double.url, RECEIVE_WAIT_SECONDS: '1', OCR_ENABLED: 'false', METRICS_PORT: '0', LOG_LEVEL: 'silent', TEMP_DIR: `/tmp/docsift-it-${process.pid}` }, {});
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const app = await createApp(r.config, { logger: createLogger('silent'), metrics: createMetrics({ defaultMetrics: false }), exitWhenIdle: 3, credentials: LOCAL_CREDENTIALS });
    const reason = await app.worker.run();
    await app.close();
    expect(reason).toBe('idle');

    const expected = new Map(samples.map((s) => [documentId(stack.bucket, s.key), s]));
    expect(double.docs.size).toBe(samples.length);
    for (const [id, sample] of expected) {
      const stored = double.docs.get(id);
      expect(stored, sample.key).toBeDefined();
      expect(stored!.source.key).toBe(sample.key);
      if (sample.marker) expect(String(stored!.source.content)).toContain(sample.marker);
    }
    expect(app.worker.counts.indexed).toBe(198);
    expect(app.worker.counts.dead_lettered).toBe(2);

    const main = await queueDepth(stack.sqs, stack.queueUrl);
    expect(main.visible + main.inFlight + main.delayed).toBe(0);
    const dlq = await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    const classes = (dlq.Messages ?? []).map((m) => m.MessageAttributes?.error_class?.StringValue).sort();
    expect(classes).toEqual(['bad_message', 'not_found']);
    const malformed = dlq.Messages!.find((m) => m.MessageAttributes?.error_class?.StringValue === 'bad_message');
    expect(malformed?.Body).toBe('{"this is": not json');
    expect(malformed?.MessageAttributes?.stage?.StringValue).toBe('parse');
    expect(malformed?.MessageAttributes?.source_queue?.StringValue).toBe(stack.queueUrl);
  }, 120_000);
});
