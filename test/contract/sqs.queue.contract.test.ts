import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsDeadLetterQueue } from '../../src/adapters/sqs/sqs.dead-letter.js';
import { SqsWorkQueue } from '../../src/adapters/sqs/sqs.queue.js';
import { DocsiftError } from '../../src/domain/errors.js';
import { DLQ_ATTRIBUTE } from '../../src/ports/queue.port.js';
import { BACKENDS, type Backend } from '../helpers/backends.js';

describe.each(BACKENDS)('SqsWorkQueue against $name', ({ start }) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start();
  }, 30_000);
  afterAll(async () => backend?.close());

  async function freshQueue(): Promise<SqsWorkQueue> {
    const { url } = await backend.createQueue(`q-${randomUUID().slice(0, 8)}`);
    return new SqsWorkQueue(backend.sqs, url);
  }
  const send = (url: string, body: string, attributes?: Record<string, string>) =>
    backend.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        ...(attributes ? { MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) } : {}),
      }),
    );

  it('receives a batch with receive counts, timestamps and attributes', async () => {
    const q = await freshQueue();
    for (let i = 0; i < 3; i++) await send(q.url, `body-${i}`, { origin: 'test' });
    const got = await q.receive(10, 1, 30);
    expect(got.map((m) => m.body).sort()).toEqual(['body-0', 'body-1', 'body-2']);
    for (const m of got) {
      expect(m.receiveCount).toBe(1);
      expect(m.sentAt).toBeGreaterThan(Date.now() - 60_000);
      expect(m.attributes.origin).toBe('test');
      expect(m.receiptHandle.length).toBeGreaterThan(0);
    }
  });

  it('reads the redrive policy: maxReceiveCount and target of a queue with one, none for a queue without', async () => {
    const dlq = await backend.createQueue(`dlq-${randomUUID().slice(0, 8)}`);
    const { url } = await backend.createQueue(`q-${randomUUID().slice(0, 8)}`, { dlqArn: dlq.arn, maxReceiveCount: 2 });
    expect(await new SqsWorkQueue(backend.sqs, url).redrivePolicy()).toEqual({ kind: 'policy', maxReceiveCount: 2, deadLetterTargetArn: dlq.arn });
    expect(await (await freshQueue()).redrivePolicy()).toEqual({ kind: 'none' });
  });

  it('a missing queue is a classified error when its redrive policy is read', async () => {
    const q = await freshQueue();
    const gone = new SqsWorkQueue(backend.sqs, q.url.replace(/q-[0-9a-f]+$/, 'q-does-not-exist'));
    await expect(gone.redrivePolicy()).rejects.toBeInstanceOf(DocsiftError);
  });

  it('returns an empty list when nothing is waiting', async () => {
    const q = await freshQueue();
    expect(await q.receive(10, 0, 30)).toEqual([]);
  });

  it('deletes in a batch and reports per-message failures only for the bad entries', async () => {
    const q = await freshQueue();
    await send(q.url, 'a');
    await send(q.url, 'b');
    const got = await q.receive(10, 1, 30);
    expect(got).toHaveLength(2);
    const failures = await q.deleteBatch([...got, { id: 'bogus', receiptHandle: 'not-a-receipt-handle' }]);
    expect(failures.map((f) => f.id)).toEqual(['bogus']);
    const depth = await q.depth();
    expect(depth.visible + depth.inFlight).toBe(0);
  });

  it('makes a message visible again with visibility 0, and counts the redelivery', async () => {
    const q = await freshQueue();
    await send(q.url, 'again');
    const [first] = await q.receive(1, 1, 60);
    expect(first).toBeDefined();
    expect(await q.receive(1, 0, 60)).toEqual([]);
    expect(await q.changeVisibilityBatch([{ id: first!.id, receiptHandle: first!.receiptHandle, visibilitySeconds: 0 }])).toEqual([]);
    const [second] = await q.receive(1, 1, 60);
    expect(second?.id).toBe(first!.id);
    // Backoff relies on the count growing; one emulator over-counts, real SQS gives 2.
    expect(second?.receiveCount).toBeGreaterThan(first!.receiveCount);
  });

  it('extends visibility so an in-flight message is not redelivered', async () => {
    const q = await freshQueue();
    await send(q.url, 'long job');
    const [m] = await q.receive(1, 1, 2);
    expect(await q.changeVisibilityBatch([{ id: m!.id, receiptHandle: m!.receiptHandle, visibilitySeconds: 30 }])).toEqual([]);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await q.receive(1, 0, 30)).toEqual([]);
  });

  it('aborts a long poll promptly', async () => {
    const q = await freshQueue();
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    await expect(q.receive(10, 20, 30, controller.signal)).rejects.toBeInstanceOf(DocsiftError);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('classifies a missing queue', async () => {
    const q = new SqsWorkQueue(backend.sqs, (await freshQueue()).url.replace(/q-[0-9a-f]+$/, 'does-not-exist'));
    const err = await q.receive(1, 0, 30).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('not_found');
  });

  it('dead-letters with error attributes and keeps the original body and attributes', async () => {
    const { url } = await backend.createQueue(`dlq-${randomUUID().slice(0, 8)}`);
    const dlq = new SqsDeadLetterQueue(backend.sqs, url);
    await dlq.send(
      '{"not":"an event"}',
      { errorClass: 'bad_message', errorMessage: 'x'.repeat(2000), stage: 'parse', sourceQueue: 'http://q/src', failedAt: '2026-11-23T00:00:00.000Z', contentType: 'text/plain' },
      { tenant: 'acme' },
    );
    const out = await backend.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    const m = out.Messages?.[0];
    expect(m?.Body).toBe('{"not":"an event"}');
    const attrs = m?.MessageAttributes ?? {};
    expect(attrs[DLQ_ATTRIBUTE.errorClass]?.StringValue).toBe('bad_message');
    expect(attrs[DLQ_ATTRIBUTE.stage]?.StringValue).toBe('parse');
    expect(attrs[DLQ_ATTRIBUTE.sourceQueue]?.StringValue).toBe('http://q/src');
    expect(attrs[DLQ_ATTRIBUTE.failedAt]?.StringValue).toBe('2026-11-23T00:00:00.000Z');
    expect(attrs[DLQ_ATTRIBUTE.contentType]?.StringValue).toBe('text/plain');
    expect(attrs[DLQ_ATTRIBUTE.errorMessage]?.StringValue?.length).toBeLessThanOrEqual(500);
    expect(attrs.tenant?.StringValue).toBe('acme');
    expect((await dlq.depth()).inFlight).toBe(1);
  });
});
