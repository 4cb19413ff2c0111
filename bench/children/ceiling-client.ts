/**
 * Child process: the local servers' own ceiling, with docsift's SDK clients (same keep-alive and
 * socket settings as the worker) and no processing at all. Prints one JSON line of results.
 *   receiveDelete: receive 10 + DeleteMessageBatch, 4 loops, until the queue is empty
 *   get:           GetObject (body read and dropped), 16 at a time
 *   messageLoop:   receive 10 → HEAD + GET each → DeleteMessageBatch, 2 loops (a worker with no extraction)
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../src/config/load.js';
import { buildS3Client, buildSqsClient } from '../../src/main.js';

interface Args {
  env: Record<string, string>;
  receiveQueueUrl: string;
  loopQueueUrl: string;
  bucket: string;
  keys: string[];
  gets: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const loaded = loadConfig(args.env, {});
if (!loaded.ok) throw new Error(loaded.problems.join('; '));
const config = loaded.config;
const credentials = { accessKeyId: args.env.AWS_ACCESS_KEY_ID!, secretAccessKey: args.env.AWS_SECRET_ACCESS_KEY! };
const sqs = buildSqsClient(config, credentials);
const s3 = buildS3Client(config, credentials);

async function drainBody(body: unknown): Promise<number> {
  let n = 0;
  await pipeline(body as Readable, new Writable({ write: (chunk: Buffer, _e, done) => ((n += chunk.length), done()) }));
  return n;
}

async function receiveLoop(queueUrl: string, handle: (bodies: Array<{ Body?: string }>) => Promise<void>): Promise<number> {
  let count = 0;
  let empty = 0;
  while (empty < 2) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) {
      empty += 1;
      continue;
    }
    empty = 0;
    await handle(messages);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
    count += messages.length;
  }
  return count;
}

/** Runs loops until the queue is empty; the rate ends at the last delete, not at the idle polls. */
async function timedLoops(loops: number, queueUrl: string, handle: (m: Array<{ Body?: string }>) => Promise<void>) {
  const started = performance.now();
  let last = started;
  const counts = await Promise.all(
    Array.from({ length: loops }, () =>
      receiveLoop(queueUrl, async (m) => {
        await handle(m);
        last = performance.now();
      }).then((n) => {
        return n;
      }),
    ),
  );
  const n = counts.reduce((a, b) => a + b, 0);
  const seconds = Math.max(0.001, (last - started) / 1000 + 0.005);
  return { messages: n, seconds: Math.round(seconds * 1000) / 1000, perMinute: Math.round((n / seconds) * 60) };
}

async function main() {
  const receiveDelete = await timedLoops(4, args.receiveQueueUrl, async () => {});
  let next = 0;
  let bytes = 0;
  const getStart = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < args.gets) {
        const key = args.keys[next++ % args.keys.length]!;
        const out = await s3.send(new GetObjectCommand({ Bucket: args.bucket, Key: key }));
        bytes += await drainBody(out.Body);
      }
    }),
  );
  const getSeconds = (performance.now() - getStart) / 1000;
  const get = { requests: args.gets, seconds: Math.round(getSeconds * 1000) / 1000, perMinute: Math.round((args.gets / getSeconds) * 60), bytes };
  const messageLoop = await timedLoops(2, args.loopQueueUrl, async (messages) => {
    await Promise.all(
      messages.map(async (m) => {
        const record = (JSON.parse(m.Body ?? '{}') as { Records: Array<{ s3: { object: { key: string } } }> }).Records[0]!;
        const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
        await s3.send(new HeadObjectCommand({ Bucket: args.bucket, Key: key }));
        const out = await s3.send(new GetObjectCommand({ Bucket: args.bucket, Key: key }));
        await drainBody(out.Body);
      }),
    );
  });
  process.stdout.write(`${JSON.stringify({ receiveDelete, get, messageLoop })}\n`);
  sqs.destroy();
  s3.destroy();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`ceiling client failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
