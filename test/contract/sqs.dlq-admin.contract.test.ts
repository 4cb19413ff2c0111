import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsDeadLetterReader, SqsMessageMover, SqsMessageSender } from '../../src/adapters/sqs/sqs.dlq-admin.js';
import { DocsiftError } from '../../src/domain/errors.js';
import { motoAvailable, startMotoBackend } from '../helpers/backends.js';
import { sqsHelpers, startLocalSqs, type LocalSqs } from '../helpers/local-sqs.js';

async function startMoto(): Promise<LocalSqs> {
  const backend = await startMotoBackend();
  const ep = await backend.sqs.config.endpoint!();
  return sqsHelpers(`${ep.protocol}//${ep.hostname}:${ep.port}`, () => backend.close());
}

const SERVERS: Array<{ name: string; start: () => Promise<LocalSqs> }> = [
  { name: 'local-aws-sqs', start: startLocalSqs },
  ...(motoAvailable() ? [{ name: 'moto_server', start: startMoto }] : []),
];

describe.each(SERVERS)('SQS DLQ reader and sender against $name', ({ start }) => {
  let local: LocalSqs;
  beforeAll(async () => {
    local = await start();
  }, 30_000);
  afterAll(async () => local?.close());

  it('receives bodies, receive counts, SentTimestamp and every message attribute', async () => {
    const q = await local.queue('dlq');
    await local.sendMany(q.url, [{ body: '{"bucket":"b","key":"k"}', attributes: { error_class: 'corrupt_file', stage: 'extract' } }]);
    const dlq = new SqsDeadLetterReader(local.sqs, q.url);
    const [m] = await dlq.receive(10, 30, 0);
    expect(m).toBeDefined();
    expect(m!.body).toBe('{"bucket":"b","key":"k"}');
    expect(m!.receiveCount).toBe(1);
    expect(m!.sentAt).toBeGreaterThan(Date.now() - 60_000);
    expect(m!.attributes).toEqual({ error_class: { dataType: 'String', stringValue: 'corrupt_file' }, stage: { dataType: 'String', stringValue: 'extract' } });
  });

  it('release makes messages visible again at once, and the next read sees a higher receive count', async () => {
    const q = await local.queue('dlq');
    await local.sendMany(q.url, [{ body: 'a' }, { body: 'b' }]);
    const dlq = new SqsDeadLetterReader(local.sqs, q.url);
    const first = await dlq.receive(10, 300, 0);
    expect(first).toHaveLength(2);
    expect(await dlq.receive(10, 300, 0)).toEqual([]);
    expect(await dlq.release(first)).toEqual([]);
    const again = await dlq.receive(10, 300, 0);
    expect(again.map((m) => m.body).sort()).toEqual(['a', 'b']);
    // AWS and moto say 2; local-aws-sqs counts the visibility change as well (3). Higher is the contract.
    for (const m of again) expect(m.receiveCount).toBeGreaterThan(1);
  });

  it('extend keeps messages hidden past their first visibility', async () => {
    const q = await local.queue('dlq');
    await local.sendMany(q.url, [{ body: 'a' }]);
    const dlq = new SqsDeadLetterReader(local.sqs, q.url);
    const got = await dlq.receive(10, 1, 0);
    expect(await dlq.extend(got, 30)).toEqual([]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await dlq.receive(10, 30, 0)).toEqual([]);
    await dlq.release(got);
    expect((await dlq.receive(10, 30, 0)).map((m) => m.body)).toEqual(['a']);
  });

  it('remove deletes and reports only the bad entries', async () => {
    const q = await local.queue('dlq');
    await local.sendMany(q.url, [{ body: 'a' }]);
    const dlq = new SqsDeadLetterReader(local.sqs, q.url);
    const got = await dlq.receive(10, 30, 0);
    const failures = await dlq.remove([...got, { id: 'bogus', receiptHandle: 'not-a-handle' }]);
    expect(failures.map((f) => f.id)).toEqual(['bogus']);
    expect(await local.counts(q.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('sends a batch with String, Number and Binary attributes intact', async () => {
    const q = await local.queue('src');
    const sender = new SqsMessageSender(local.sqs);
    const failures = await sender.sendBatch(q.url, [
      {
        id: 'x1',
        body: 'hello',
        attributes: {
          trace: { dataType: 'String', stringValue: 'abc' },
          tries: { dataType: 'Number', stringValue: '3' },
          blob: { dataType: 'Binary', binaryValue: new Uint8Array([1, 2, 3]) },
        },
      },
      { id: 'x2', body: 'plain', attributes: {} },
    ]);
    expect(failures).toEqual([]);
    const got = await new SqsDeadLetterReader(local.sqs, q.url).receive(10, 30, 0);
    const hello = got.find((m) => m.body === 'hello')!;
    expect(hello.attributes.trace).toEqual({ dataType: 'String', stringValue: 'abc' });
    expect(hello.attributes.tries).toEqual({ dataType: 'Number', stringValue: '3' });
    expect([...(hello.attributes.blob?.binaryValue ?? [])]).toEqual([1, 2, 3]);
    expect(got.find((m) => m.body === 'plain')!.attributes).toEqual({});
  });

  it('turns a missing queue into a classified DocsiftError', async () => {
    const dlq = new SqsDeadLetterReader(local.sqs, `${local.endpoint}/000000000000/does-not-exist-${Date.now()}`);
    const err = await dlq.receive(1, 30, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).stage).toBe('dlq');
  });

  it('counts visible messages', async () => {
    const q = await local.queue('dlq');
    await local.sendMany(q.url, [{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    expect(await new SqsDeadLetterReader(local.sqs, q.url).approximateVisible()).toBeGreaterThanOrEqual(3);
  });
});

describe('SQS message move task against local-aws-sqs', () => {
  let local: LocalSqs;
  beforeAll(async () => {
    local = await startLocalSqs();
  });
  afterAll(async () => local?.close());

  it('starts a move to a given destination and lists it until COMPLETED', async () => {
    const dlq = await local.queue('dlq');
    const src = await local.queue('src', { dlqArn: dlq.arn });
    await local.sendMany(dlq.url, [{ body: '1' }, { body: '2' }, { body: '3' }]);
    const mover = new SqsMessageMover(local.sqs);
    const handle = await mover.start(dlq.url, src.url, 100);
    expect(handle.length).toBeGreaterThan(0);
    let tasks = await mover.list(dlq.url);
    for (let i = 0; i < 50 && tasks[0]?.state === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      tasks = await mover.list(dlq.url);
    }
    expect(tasks[0]).toMatchObject({ state: 'COMPLETED', moved: 3, toMove: 3, failureReason: null });
    expect((await local.readAll(src.url)).map((m) => m.Body).sort()).toEqual(['1', '2', '3']);
  });
});
