import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueDepth } from '../../src/adapters/sqs/sqs.queue.js';
import { S3StateStore } from '../../src/adapters/s3/s3.state-store.js';
import { loadConfig } from '../../src/config/load.js';
import { checkpointName } from '../../src/domain/coverage/listing.js';
import { compareKeys } from '../../src/domain/coverage/s3-uri.js';
import { documentId } from '../../src/domain/document.js';
import { createApp } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { ReconcileReportPoller } from '../../src/observability/reconcile-metrics.js';
import { ensureBuilt } from '../faults/harness/build.js';
import { s3NotificationIn } from '../fixtures/s3-events.js';
import { requireMoto, startMotoBackend, type Backend } from '../helpers/backends.js';
import { CountingProxy } from '../helpers/counting-proxy.js';
import { OpenSearchDouble } from '../helpers/opensearch-double.js';

/**
 * Issue 16's acceptance on moto_server (S3 and SQS) with the index double, the CLI as a real child
 * process from a build of the sources, and every S3 request of worker and CLI passing a counting
 * proxy, so "no GET reached S3" is read off the wire.
 */
requireMoto();

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const BUCKET = 'docs';
const STATE_BUCKET = 'docsift-state';
let moto: Backend;
let double: OpenSearchDouble;
let proxy: CountingProxy;
let entry: string;

/** 300 keys under archive/ with spaces, `+` and Japanese (and one above U+FFFF), in no particular order. */
const ARCHIVE = Array.from({ length: 300 }, (_, i) => {
  const n = String(i).padStart(3, '0');
  return ['archive/報告書 第{n}号.txt', 'archive/a+b {n}.txt', 'archive/sub folder/メモ+{n} (copy).txt', 'archive/📄 {n}.txt', 'archive/plain-{n}.txt'][i % 5]!.replace('{n}', n);
});
const OUTSIDER = 'archive-2019/outside.txt';

beforeAll(async () => {
  entry = ensureBuilt();
  moto = await startMotoBackend();
  double = new OpenSearchDouble();
  await double.start();
  proxy = new CountingProxy(moto.endpoints.s3);
  await proxy.start();
  await moto.createBucket(BUCKET);
  await moto.createBucket(STATE_BUCKET);
  const limit = pLimit(8);
  await Promise.all(
    [...ARCHIVE, OUTSIDER].map((key, i) =>
      limit(() =>
        moto.s3.send(
          new PutObjectCommand({
            Bucket: BUCKET, Key: key, Body: `document ${i}: 本文 ${key}`, ContentType: 'text/plain',
            ...(i === 0 ? { Metadata: { dept: 'sales' }, Tagging: 'project=x' } : {}),
          }),
        ),
      ),
    ),
  );
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await double?.stop();
  await moto?.close();
});

function env(extra: Record<string, string>): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: moto.endpoints.sqs, AWS_ENDPOINT_URL_S3: proxy.url, S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, OPENSEARCH_URL: double.url, ...extra,
  };
}

/** The CLI, as a pod runs it: the built entry point with only the environment given. */
function cli(args: string[], extra: Record<string, string>): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [entry, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_NO_WARNINGS: '1', ...env(extra) } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** The JSON summary line a command prints with --json. */
const summaryOf = (stdout: string) => JSON.parse(stdout.split('\n').find((l) => l.startsWith('{'))!) as Record<string, unknown>;

/** The production worker against moto (S3 through the proxy) and the double, until the queue is idle. */
async function runWorker(extra: Record<string, string>) {
  const r = loadConfig(
    env({
      RECEIVE_WAIT_SECONDS: '1', VISIBILITY_TIMEOUT: '30', HEARTBEAT_INTERVAL: '10', OCR_ENABLED: 'false', THUMBNAIL_ENABLED: 'false', METRICS_PORT: '0',
      MAX_INFLIGHT: '16', BULK_FLUSH_MS: '50', TEMP_DIR: mkdtempSync(join(tmpdir(), 'docsift-backfill-')), ...extra,
    }),
    {},
  );
  if (!r.ok) throw new Error(r.problems.join('\n'));
  const app = await createApp(r.config, { logger: createLogger('error'), metrics: createMetrics({ defaultMetrics: false }), exitWhenIdle: 2, credentials: CREDENTIALS });
  const reason = await app.worker.run();
  await app.close();
  return { reason, counts: app.worker.counts };
}

/** Every message of a queue, deleted as read (moto's receive slows with every message left in the queue). */
async function drain(url: string): Promise<Array<{ bucket: string; key: string }>> {
  const out: Array<{ bucket: string; key: string }> = [];
  for (;;) {
    const got = await moto.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 600 }));
    if (!got.Messages?.length) return out;
    out.push(...got.Messages.map((m) => JSON.parse(m.Body!) as { bucket: string; key: string }));
    await moto.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}

const indexCounts = () => {
  const counts = new Map<string, number>();
  for (const r of double.requests) for (const a of r.actions) if (a.action === 'index') counts.set(a.id, (counts.get(a.id) ?? 0) + 1);
  return counts;
};
const sourceOf = (key: string) => double.docs.get(documentId(BUCKET, key))?.source;

describe('backfill s3://docs/archive/, then the worker', () => {
  let queue: string;
  const state = { STATE_URI: `s3://${STATE_BUCKET}/main/` };

  it('enqueues the 300 objects under the prefix and not the outsider; the worker indexes each once, with metadata and tags', async () => {
    queue = (await moto.createQueue(`backfill-${randomUUID().slice(0, 8)}`)).url;
    const { done } = cli(['backfill', `s3://${BUCKET}/archive/`, '--rate', '2000', '--json'], { QUEUE_URL: queue, ...state });
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run.stdout)).toMatchObject({ listed: 300, enqueued: 300, unchanged: 0, stoppedBy: 'end', resentInFlight: null });
    expect(await queueDepth(moto.sqs, queue)).toMatchObject({ visible: 300 });

    const worker = await runWorker({ QUEUE_URL: queue, S3_TAGS_ENABLED: 'true' });
    expect(worker.counts).toMatchObject({ indexed: 300, dead_lettered: 0 });
    const counts = indexCounts();
    expect(ARCHIVE.map((k) => counts.get(documentId(BUCKET, k)))).toEqual(ARCHIVE.map(() => 1));
    expect(sourceOf(OUTSIDER)).toBeUndefined();
    expect(ARCHIVE.filter((k) => sourceOf(k)?.key !== k)).toEqual([]);
    expect(await queueDepth(moto.sqs, queue)).toMatchObject({ visible: 0, inFlight: 0 });

    const tagged = sourceOf(ARCHIVE[0]!)!;
    expect(tagged.s3_metadata).toEqual({ dept: 'sales' });
    expect(tagged.s3_tags).toEqual({ project: 'x' });
    expect(sourceOf(ARCHIVE[1]!)!.s3_metadata).toEqual({});
  }, 120_000);

  it('a second backfill --skip-unchanged enqueues nothing: one mget per page asks the index', async () => {
    const mgets = double.reads.filter((r) => r.kind === 'mget').length;
    const run = await cli(['backfill', `s3://${BUCKET}/archive/`, '--skip-unchanged', '--json'], { QUEUE_URL: queue, ...state }).done;
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run.stdout)).toMatchObject({ listed: 300, enqueued: 0, unchanged: 300 });
    expect(double.reads.filter((r) => r.kind === 'mget').length - mgets).toBe(1);
    expect(await queueDepth(moto.sqs, queue)).toMatchObject({ visible: 0 });
  }, 60_000);
});

describe('kill -9 of a backfill half-way, then the same command again', () => {
  type Stored = { position: { key: string } | null; inFlight?: { upTo: { key: string }; jobs: number }; enqueued: number };
  const SORTED = [...ARCHIVE].sort(compareKeys);

  /**
   * Starts a backfill and kills it with SIGKILL half-way, at a moment chosen by its checkpoint:
   * `waiting` (the last write moved past a batch: it is waiting for the rate) or `sending` (the last
   * write named a batch in flight). SIGSTOP freezes it when the checkpoint shows that moment; if
   * the checkpoint has not moved 300 ms later (a write on the wire has landed by then), that is
   * where it is, and SIGKILL ends it there; otherwise it goes on and the next batch is tried.
   */
  async function killHalfWay(moment: 'waiting' | 'sending', prefix: string) {
    const queue = (await moto.createQueue(`killed-${randomUUID().slice(0, 8)}`)).url;
    const state = { STATE_URI: `s3://${STATE_BUCKET}/${prefix}/` };
    const store = new S3StateStore(moto.s3, { bucket: STATE_BUCKET, prefix: `${prefix}/` });
    const name = checkpointName(`s3://${BUCKET}/archive/`, null);
    const read = async () => ((text) => (text === null ? null : (JSON.parse(text) as Stored)))(await store.read(name));
    const first = cli(['backfill', `s3://${BUCKET}/archive/`, '--rate', '50'], { QUEUE_URL: queue, ...state });
    let exited = false;
    void first.done.then(() => (exited = true));
    let at: Stored | null = null;
    while (!at) {
      if (exited) throw new Error(`the backfill ended before a ${moment} moment half-way was caught`);
      const seen = await read();
      if (seen && seen.enqueued >= 150 && (seen.inFlight !== undefined) === (moment === 'sending')) {
        process.kill(first.child.pid!, 'SIGSTOP');
        await new Promise((r) => setTimeout(r, 300));
        if (JSON.stringify(await read()) === JSON.stringify(seen)) at = seen;
        else process.kill(first.child.pid!, 'SIGCONT');
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const before = (await queueDepth(moto.sqs, queue)).visible;
    const second = await cli(['backfill', `s3://${BUCKET}/archive/`, '--rate', '2000', '--json'], { QUEUE_URL: queue, ...state }).done;
    expect(second.code, second.stderr).toBe(0);
    const summary = summaryOf(second.stdout) as { resumedAfter: string | null; resentInFlight: { jobs: number; upTo: string } | null; enqueued: number };
    const jobs = await drain(queue);
    const keys = jobs.map((j) => j.key);
    expect(new Set(keys)).toEqual(new Set(ARCHIVE));
    expect(jobs.every((j) => j.bucket === BUCKET)).toBe(true);
    expect(await read()).toBeNull(); // a finished run removes its checkpoint
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    console.log(`kill -9 ${moment}, ${before} jobs on the queue: rerun resumed after ${summary.resumedAfter}, resent in flight ${JSON.stringify(summary.resentInFlight)}, ${twice.length} key(s) twice`);
    return { at, before, summary, keys, twice };
  }

  it('killed while waiting for the rate: the rerun continues after the last batch, every object enqueued exactly once in total', async () => {
    const { at, before, summary, keys } = await killHalfWay('waiting', 'killed-waiting');
    expect(before).toBe(at.enqueued);
    expect(summary).toMatchObject({ resumedAfter: at.position!.key, resentInFlight: null, enqueued: 300 - at.enqueued });
    expect(keys).toHaveLength(300);
  }, 60_000);

  it('killed while a batch was being sent: the rerun sends that batch again and names it; nothing else is enqueued twice', async () => {
    const { at, summary, twice } = await killHalfWay('sending', 'killed-sending');
    expect(summary).toMatchObject({ resumedAfter: at.position!.key, resentInFlight: { jobs: at.inFlight!.jobs, upTo: at.inFlight!.upTo.key } });
    const from = SORTED.indexOf(at.position!.key) + 1;
    const batch = SORTED.slice(from, SORTED.indexOf(at.inFlight!.upTo.key) + 1);
    expect(batch).toHaveLength(at.inFlight!.jobs);
    expect(twice.every((k) => batch.includes(k))).toBe(true);
  }, 60_000);
});

describe("EXCLUDE_KEYS='**/~$*,**/.DS_Store'", () => {
  it('events for tmp/~$lock.docx and tmp/.DS_Store are acknowledged, not indexed, and no request for them reaches S3', async () => {
    for (const key of ['tmp/~$lock.docx', 'tmp/.DS_Store', 'tmp/kept.txt']) {
      await moto.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `bytes of ${key}`, ContentType: 'text/plain' }));
    }
    const queue = (await moto.createQueue(`events-${randomUUID().slice(0, 8)}`)).url;
    // Keys URL-encoded as S3 writes them in notifications.
    for (const [i, key] of ['tmp/%7E%24lock.docx', 'tmp/.DS_Store', 'tmp/kept.txt'].entries()) {
      const body = s3NotificationIn(BUCKET, { eventName: 'ObjectCreated:Put', key, object: { size: 20, sequencer: `0062E99A88DC40${String(i).padStart(4, '0')}` } });
      await moto.sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: body }));
    }
    const worker = await runWorker({ QUEUE_URL: queue, EXCLUDE_KEYS: '**/~$*,**/.DS_Store' });
    expect(worker.counts).toMatchObject({ ignored: 2, indexed: 1 });
    expect(await queueDepth(moto.sqs, queue)).toMatchObject({ visible: 0, inFlight: 0 });
    expect(sourceOf('tmp/~$lock.docx')).toBeUndefined();
    expect(sourceOf('tmp/.DS_Store')).toBeUndefined();
    expect(sourceOf('tmp/kept.txt')?.content).toBe('bytes of tmp/kept.txt');
    expect(proxy.forObject(BUCKET, 'tmp/~$lock.docx')).toEqual([]);
    expect(proxy.forObject(BUCKET, 'tmp/.DS_Store')).toEqual([]);
    // The proxy does see the worker's requests: the kept key's HEAD and GET went through it.
    expect(proxy.forObject(BUCKET, 'tmp/kept.txt').map((r) => r.method).sort()).toEqual(['GET', 'HEAD']);
  }, 60_000);
});

describe('reconcile s3://docs/recon/ with 5 missing, 5 stale and 5 orphaned documents', () => {
  const recon = Array.from({ length: 20 }, (_, i) => `recon/文書 ${String(i).padStart(2, '0')}.txt`);
  const state = { STATE_URI: `s3://${STATE_BUCKET}/recon/` };
  let queue: string;

  beforeAll(async () => {
    queue = (await moto.createQueue(`recon-${randomUUID().slice(0, 8)}`)).url;
    for (const key of recon) await moto.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `first ${key}`, ContentType: 'text/plain' }));
    expect((await cli(['backfill', `s3://${BUCKET}/recon/`, '--rate', '2000'], { QUEUE_URL: queue, ...state }).done).code).toBe(0);
    expect((await runWorker({ QUEUE_URL: queue })).counts.indexed).toBe(20);
    for (const key of recon.slice(0, 5)) double.docs.delete(documentId(BUCKET, key)); // missing
    for (const key of recon.slice(5, 10)) await moto.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `changed ${key}`, ContentType: 'text/plain' })); // stale
    for (const key of recon.slice(10, 15)) await moto.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key })); // orphaned
  }, 60_000);

  it('reports exactly those keys, and writes the counts where the workers read them into gauges', async () => {
    const run = await cli(['reconcile', `s3://${BUCKET}/recon/`, '--json'], state).done;
    expect(run.code, run.stderr).toBe(0);
    const s = summaryOf(run.stdout) as { found: Record<string, number>; samples: Record<string, string[]>; objects: number; ok: number };
    expect(s.found).toEqual({ missing: 5, stale: 5, orphaned: 5 });
    expect(s.samples).toEqual({ missing: recon.slice(0, 5), stale: recon.slice(5, 10), orphaned: recon.slice(10, 15) });
    expect(s).toMatchObject({ objects: 15, ok: 5 });

    const metrics = createMetrics({ defaultMetrics: false });
    const poller = new ReconcileReportPoller({ state: new S3StateStore(moto.s3, { bucket: STATE_BUCKET, prefix: 'recon/' }), intervalMs: 0, metrics, logger: createLogger('warn') });
    expect(await poller.poll()).toBe(1);
    const gauge = (await metrics.reconcileDocuments.get()).values.map((v) => [v.labels.kind, v.value]);
    expect(Object.fromEntries(gauge)).toEqual({ missing: 5, stale: 5, orphaned: 5 });
  }, 60_000);

  it('--fix enqueues the missing and stale keys and deletes the orphans; after the worker, nothing is left to report', async () => {
    const fix = await cli(['reconcile', `s3://${BUCKET}/recon/`, '--fix', '--json'], { QUEUE_URL: queue, ...state }).done;
    expect(fix.code, fix.stderr).toBe(0);
    expect(summaryOf(fix.stdout)).toMatchObject({ fixed: { missing: 5, stale: 5, orphaned: 5 }, notOrphaned: 0 });
    for (const key of recon.slice(10, 15)) expect(sourceOf(key)).toBeUndefined();
    expect(await queueDepth(moto.sqs, queue)).toMatchObject({ visible: 10 });

    expect((await runWorker({ QUEUE_URL: queue })).counts.indexed).toBe(10);
    for (const key of recon.slice(5, 10)) expect(sourceOf(key)?.content).toBe(`changed ${key}`);
    const again = await cli(['reconcile', `s3://${BUCKET}/recon/`, '--json'], state).done;
    expect(summaryOf(again.stdout)).toMatchObject({ found: { missing: 0, stale: 0, orphaned: 0 }, objects: 15, ok: 15 });
    const body = await moto.s3.send(new GetObjectCommand({ Bucket: STATE_BUCKET, Key: (await new S3StateStore(moto.s3, { bucket: STATE_BUCKET, prefix: 'recon/' }).list('reconcile/', 10))[0]!.replace(/^/, 'recon/') }));
    expect(JSON.parse(await body.Body!.transformToString())).toMatchObject({ found: { missing: 0, stale: 0, orphaned: 0 }, fixed: null });
  }, 90_000);
});
