import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { eachLimit } from '../stack/corpus-stack.js';
import { median, round } from '../measure/stats.js';
import { childEnv, runBackfillCli } from './cli-run.js';

/** One S3 and SQS peer: its clients and the environment a child docsift needs to reach it. */
export interface Peer {
  name: string;
  s3: S3Client;
  sqs: SQSClient;
  env: Record<string, string>;
}

export interface EnqueueRun {
  peer: string;
  state: 'file' | 's3';
  objects: number;
  enqueued: number;
  onQueue: number;
  seconds: number;
  perSecond: number;
  wallSeconds: number;
  peakRssMiB: number | null;
}

const BUCKET = 'bench-backfill';

/** Keys as a file share holds them: folders, spaces, `+`, Japanese. */
export const objectKey = (i: number) => `archive/${['報告書', 'Q3 report', 'a+b', 'scan'][i % 4]}/${String(i).padStart(6, '0')} ${['見積書', 'notes', 'draft+final', 'page'][i % 4]}.txt`;

export async function prepareBucket(peer: Peer, objects: number): Promise<void> {
  await peer.s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  await eachLimit(
    Array.from({ length: objects }, (_, i) => i),
    16,
    async (i) => void (await peer.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: objectKey(i), Body: `object ${i}` }))),
  );
}

async function depth(sqs: SQSClient, url: string): Promise<number> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
}

/**
 * `docsift backfill s3://bench-backfill/archive/` onto a fresh queue, the rate left unbounded
 * (`--rate 3000`, the most it takes), with its checkpoint in a local directory or in S3 (two
 * writes per batch of ten: the cost of resumability). The rate is the command's own: enqueued over
 * the seconds from its first listing to its last send.
 */
export async function measureEnqueue(peer: Peer, entry: string, objects: number, state: 'file' | 's3', rate = 3000): Promise<EnqueueRun> {
  const queue = (await peer.sqs.send(new CreateQueueCommand({ QueueName: `bench-enqueue-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}` }))).QueueUrl!;
  const stateUri = state === 's3' ? `s3://${BUCKET}/.docsift-state/${Date.now().toString(36)}/` : `${await mkdtemp(join(tmpdir(), 'docsift-bench-state-'))}/`;
  const run = await runBackfillCli(entry, [`s3://${BUCKET}/archive/`, '--rate', String(rate)], childEnv({ ...peer.env, QUEUE_URL: queue, STATE_URI: stateUri, LOG_LEVEL: 'warn' }));
  return {
    peer: peer.name,
    state,
    objects,
    enqueued: run.summary.enqueued,
    onQueue: await depth(peer.sqs, queue),
    seconds: round(run.summary.seconds, 2)!,
    perSecond: round(run.summary.enqueued / run.summary.seconds, 0)!,
    wallSeconds: round(run.wallSeconds, 2)!,
    peakRssMiB: run.peakRssMiB,
  };
}

export function summarise(runs: EnqueueRun[]) {
  const groups = new Map<string, EnqueueRun[]>();
  for (const r of runs) groups.set(`${r.peer}/${r.state}`, [...(groups.get(`${r.peer}/${r.state}`) ?? []), r]);
  return Object.fromEntries(
    [...groups].map(([k, rs]) => [k, { medianPerSecond: median(rs.map((r) => r.perSecond)), perSecond: rs.map((r) => r.perSecond), peakRssMiB: Math.max(...rs.map((r) => r.peakRssMiB ?? 0)), allOnQueue: rs.every((r) => r.onQueue === r.objects) }]),
  );
}
