import { PutObjectCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { queueDepth } from '../src/adapters/sqs/sqs.queue.js';
import { systemClock } from '../src/platform/clock.js';
import type { LocalStack } from './local-stack.js';
import type { Sample } from './samples.js';

/** Objects uploaded at once: enough to keep s3rver busy without queueing hundreds of sockets. */
const UPLOAD_CONCURRENCY = 16;

/** Uploads every sample to the stack's bucket, UPLOAD_CONCURRENCY at a time. */
export async function uploadSamples(stack: Pick<LocalStack, 's3' | 'bucket'>, samples: Sample[]): Promise<void> {
  const limit = pLimit(UPLOAD_CONCURRENCY);
  await Promise.all(
    samples.map((s) => limit(() => stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: s.key, Body: s.body, ContentType: s.contentType })))),
  );
}

/**
 * S3 → SQS notifications are asynchronous: resolves true once `count` messages are on the queue
 * (visible or in flight), false when `timeoutMs` passes first.
 */
export async function waitForQueued(stack: Pick<LocalStack, 'sqs' | 'queueUrl'>, count: number, timeoutMs = 15_000, pollMs = 100): Promise<boolean> {
  for (let waited = 0; waited < timeoutMs; waited += pollMs) {
    const d = await queueDepth(stack.sqs, stack.queueUrl);
    if (d.visible + d.inFlight >= count) return true;
    await systemClock.sleep(pollMs);
  }
  return false;
}
