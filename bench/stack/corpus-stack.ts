import { readFile } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { s3EventNotification } from '../../devstack/s3-event-bridge.js';
import type { LocalStack } from '../../devstack/local-stack.js';
import type { CorpusDoc } from '../corpus/generate.js';

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function eachLimit<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export interface UploadedDoc extends CorpusDoc {
  etag: string | null;
}

/** Puts every corpus object into the local S3 bucket. */
export async function uploadCorpus(stack: LocalStack, docs: CorpusDoc[]): Promise<UploadedDoc[]> {
  const out: UploadedDoc[] = new Array(docs.length);
  await eachLimit(docs, 8, async (doc, i) => {
    const body = await readFile(doc.file);
    const put = await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: doc.key, Body: body, ContentType: doc.contentType }));
    out[i] = { ...doc, etag: put.ETag?.replace(/"/g, '') ?? null };
  });
  return out;
}

/** The S3 event notification S3 would send for this object (key URL-encoded as S3 does). */
export function s3EventBody(bucket: string, doc: UploadedDoc, sequence: number): string {
  return s3EventNotification({
    bucket,
    key: doc.key,
    eventName: 'ObjectCreated:Put',
    sequencer: sequence.toString(16).padStart(16, '0'),
    size: doc.bytes,
    eTag: doc.etag ?? undefined,
    configurationId: 'docsift-bench',
  });
}

/** A fresh queue (PurgeQueue takes 60 s on the local server) with the stack's DLQ as redrive target. */
export async function createRunQueue(stack: LocalStack, name: string): Promise<string> {
  const dlqArn = (await stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const out = await stack.sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) },
    }),
  );
  return out.QueueUrl!;
}

/** Sends message bodies in batches of 10; throws if the server refuses any. */
export async function sendBodies(stack: LocalStack, queueUrl: string, bodies: string[]): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  await eachLimit(batches, 4, async (batch) => {
    const out = await stack.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((b, i) => ({ Id: `e${i}`, MessageBody: b })) }));
    if (out.Failed && out.Failed.length > 0) throw new Error(`SendMessageBatch failed: ${out.Failed.map((f) => f.Message).join('; ')}`);
  });
}

export async function visibleMessages(stack: LocalStack, queueUrl: string): Promise<number> {
  const out = await stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
}
