import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { documentId } from '../../../src/domain/document.js';
import { startLocalStack, type LocalStack } from '../../../devstack/local-stack.js';
import { makeSamples, type Sample } from '../../../devstack/samples.js';
import { s3EventNotification } from '../../../devstack/s3-event-bridge.js';
import { uploadSamples } from '../../../devstack/upload.js';
import { OpenSearchDouble } from '../../helpers/opensearch-double.js';
import { ROOT } from './build.js';
import { WorkerProcess } from './worker-process.js';

/** FAULTS_FULL=1 runs the sizes the issue names; the default keeps `npm test` fast. */
export const FULL = process.env.FAULTS_FULL === '1';
/** Per-test limit: scenarios run real processes for tens of seconds (minutes at full size). */
export const SCENARIO_TIMEOUT_MS = FULL ? 1_200_000 : 240_000;

export type EventKind = 'created' | 'removed';

/** The redrive limit of the chart's queue: a transient fault must be survived in fewer deliveries. */
export const PRODUCTION_MAX_RECEIVES = 5;

let sequence = 0x0062e99a88dc4000n;
/** A fresh, increasing S3-style sequencer (18 hex digits, leading zeros, above 2^53). */
export function nextSequencer(): string {
  sequence += 1n + BigInt(Math.floor(Math.random() * 1000));
  return sequence.toString(16).toUpperCase().padStart(18, '0');
}

export function s3EventBody(kind: EventKind, bucket: string, key: string, sequencer: string, size = 0): string {
  return kind === 'created'
    ? s3EventNotification({ bucket, key, eventName: 'ObjectCreated:Put', sequencer, size, eTag: 'e' })
    : s3EventNotification({ bucket, key, eventName: 'ObjectRemoved:Delete', sequencer });
}

export interface Figures {
  scenario: string;
  messages: number;
  lost: number;
  duplicated: number;
  deadLettered: number;
  maxRssMb: number;
  [extra: string]: string | number | boolean;
}

/** Every scenario's figures, printed as one JSON line each (grep `FAULT_FIGURES`). */
export function report(figures: Figures): void {
  console.log(`FAULT_FIGURES ${JSON.stringify(figures)}`);
}

export interface DeadLetter {
  body: string;
  errorClass: string | undefined;
  stage: string | undefined;
}

/**
 * One scenario's world: local SQS and S3 servers and the index double live in the test process and
 * outlive every worker child; each worker gets its own temp and heartbeat directories.
 */
export class World {
  readonly double = new OpenSearchDouble();
  stack!: LocalStack;
  dir!: string;
  workers: WorkerProcess[] = [];
  private corpora = 0;

  /**
   * local-aws-sqs counts every ChangeMessageVisibility (each visibility heartbeat, each retry
   * backoff) as a receive, so its redrive policy would dead-letter a message that real SQS had
   * delivered only once or twice. The queue therefore gets a redrive limit it never reaches, and
   * `receivesPerMessage()` counts real deliveries from the worker's own `job_start` lines, which
   * tests compare with the production limit (PRODUCTION_MAX_RECEIVES).
   */
  static async create(options: { maxReceiveCount?: number; bucket?: string } = {}): Promise<World> {
    const world = new World();
    world.stack = await startLocalStack({
      bridge: false,
      queueName: `faults-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`,
      maxReceiveCount: 1000,
      ...options,
    });
    await world.double.start();
    world.dir = await mkdtemp(join(tmpdir(), 'docsift-faults-'));
    return world;
  }

  /** Environment of a worker child; `overrides` win (e.g. endpoints pointing at a fault proxy). */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      ...this.stack.env,
      OPENSEARCH_URL: this.double.url,
      OPENSEARCH_INDEX: 'docsift',
      TEMP_DIR: join(this.dir, 'tmp'),
      HEARTBEAT_DIR: join(this.dir, 'heartbeat'),
      METRICS_PORT: '0',
      VISIBILITY_TIMEOUT: '5',
      HEARTBEAT_INTERVAL: '2',
      RECEIVE_WAIT_SECONDS: '1',
      RETRY_BASE_SECONDS: '1',
      RETRY_MAX_SECONDS: '4',
      PROCESSING_TIMEOUT: '30',
      OCR_TIMEOUT: '10',
      SHUTDOWN_TIMEOUT: '15',
      BULK_FLUSH_MS: '50',
      OCR_ENABLED: 'false',
      THUMBNAIL_ENABLED: 'false',
      // debug: `job_start` lines count real deliveries per message.
      LOG_LEVEL: 'debug',
      ...overrides,
    };
  }

  startWorker(overrides: Record<string, string> = {}, args: string[] = []): WorkerProcess {
    const w = new WorkerProcess(this.env(overrides), args);
    this.workers.push(w);
    return w;
  }

  get maxRssMb(): number {
    return Math.round(Math.max(0, ...this.workers.map((w) => w.maxRss)) / 1024 / 1024);
  }

  /** Peak RSS of a worker's whole process tree (its extraction sandboxes and OCR processes too). */
  get maxTreeRssMb(): number {
    return Math.round(Math.max(0, ...this.workers.map((w) => w.maxTreeRss)) / 1024 / 1024);
  }

  /** Deliveries per message id, from every worker's `job_start` lines. */
  receivesPerMessage(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const w of this.workers) {
      for (const l of w.events('job_start')) counts.set(String(l.message_id), (counts.get(String(l.message_id)) ?? 0) + 1);
    }
    return counts;
  }

  get maxReceives(): number {
    return Math.max(0, ...this.receivesPerMessage().values());
  }

  async upload(samples: Sample[]): Promise<void> {
    await uploadSamples(this.stack, samples);
  }

  async send(bodies: string[]): Promise<void> {
    for (let i = 0; i < bodies.length; i += 10) {
      const entries = bodies.slice(i, i + 10).map((b, j) => ({ Id: `e${j}`, MessageBody: b }));
      const out = await this.stack.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.stack.queueUrl, Entries: entries }));
      if (out.Failed?.length) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
    }
  }

  /** Uploads `count` generated documents and queues one ObjectCreated event per object. */
  async seedCorpus(count: number, seed = 7): Promise<Sample[]> {
    // Sample keys depend only on their index: a per-call prefix keeps every corpus distinct.
    this.corpora += 1;
    const samples = makeSamples(count, seed).map((s) => ({ ...s, key: `c${this.corpora}/${s.key}` }));
    await this.upload(samples);
    await this.send(samples.map((s) => s3EventBody('created', this.stack.bucket, s.key, nextSequencer(), s.body.length)));
    return samples;
  }

  async depth(url = this.stack.queueUrl): Promise<{ visible: number; inFlight: number }> {
    const out = await this.stack.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    const inFlight = Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    // local-aws-sqs counts in-flight messages in ApproximateNumberOfMessages too.
    return { visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) - inFlight, inFlight };
  }

  /** Reads (and removes) everything in the DLQ. */
  async drainDlq(): Promise<DeadLetter[]> {
    const out: DeadLetter[] = [];
    for (let empty = 0; empty < 2; ) {
      const r = await this.stack.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.stack.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60, MessageAttributeNames: ['All'] }),
      );
      const messages = r.Messages ?? [];
      if (messages.length === 0) {
        empty += 1;
        continue;
      }
      for (const m of messages) {
        out.push({ body: m.Body ?? '', errorClass: m.MessageAttributes?.error_class?.StringValue, stage: m.MessageAttributes?.stage?.StringValue });
      }
      await this.stack.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: this.stack.dlqUrl, Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
    return out;
  }

  idOf(key: string): string {
    return documentId(this.stack.bucket, key);
  }

  /**
   * Lost: expected documents missing from the index. Duplicated: documents of the corpus stored under
   * an unexpected `_id` or more than once (the double keys by `_id`, so a key under two ids).
   */
  account(samples: Sample[]): { lost: string[]; duplicated: number; rewrites: number } {
    const expected = new Map(samples.map((s) => [this.idOf(s.key), s]));
    const lost = [...expected.entries()].filter(([id]) => !this.double.docs.has(id)).map(([, s]) => s.key);
    const byKey = new Map<string, number>();
    for (const [, d] of this.double.docs) byKey.set(String(d.source.key), (byKey.get(String(d.source.key)) ?? 0) + 1);
    let duplicated = 0;
    for (const [, n] of byKey) if (n > 1) duplicated += n - 1;
    for (const [id, d] of this.double.docs) if (!expected.has(id) && samples.some((s) => s.key === d.source.key)) duplicated += 1;
    const writes = this.double.requests.flatMap((r) => r.actions).filter((a) => a.action === 'index').length;
    return { lost, duplicated, rewrites: Math.max(0, writes - expected.size) }; // rewrites: index attempts beyond one per object, rejected ones included
  }

  /** Polls until `done()` holds, or throws after `timeoutMs` with `describe()` in the message. */
  async until(done: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string = () => ''): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await done()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    const logDir = join(ROOT, '.tmp', 'faults-logs');
    mkdirSync(logDir, { recursive: true });
    const stamp = Date.now();
    this.workers.forEach((w, i) => writeFileSync(join(logDir, `${stamp}-worker${i}.log`), `${w.stdout}\n--- stderr ---\n${w.stderr}`));
    const tails = this.workers.map((w, i) => `worker ${i} (exit ${JSON.stringify(w.exit)}):\n${w.stdout.split('\n').slice(-25).map((l) => l.slice(0, 300)).join('\n')}\n${w.stderr.slice(-1500)}`);
    throw new Error(`timed out after ${timeoutMs} ms: ${describe()}\n${tails.slice(-2).join('\n')}\nfull logs: ${logDir}/${stamp}-worker*.log`);
  }

  /** Until the queue holds nothing (visible or in flight). */
  async drained(timeoutMs: number): Promise<void> {
    let last = { visible: -1, inFlight: -1 };
    await this.until(
      async () => {
        last = await this.depth();
        return last.visible === 0 && last.inFlight === 0;
      },
      timeoutMs,
      () => `queue not drained: ${JSON.stringify(last)}`,
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.stop(2000)));
    await this.double.stop();
    await this.stack.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
