/**
 * `npm run corpus -- DIR [options]`: every file under DIR through the real worker, end to end.
 * Files go to a local S3 (s3rver), one S3 event notification each to a local SQS queue
 * (local-aws-sqs, DLQ with the chart's maxReceiveCount of 5), and `docsift run` works through
 * them with the file sink, in a pod's settings (MEMORY_LIMIT_MB=1400, the chart's heap flag),
 * restarted after every exit like a kubelet until the queue is empty. The result, per file: indexed
 * (status, truncated) or dead-lettered (error_class, or none when the redrive policy moved it),
 * deliveries, crashes it was in flight for; in total: counts, worker exits, contained sandbox
 * deaths, peak RSS of the worker's process tree. Written as JSON.
 *
 *   --json FILE            result file (default bench/results/corpus-<name>-<time>.json)
 *   --docsift PATH         worker entry to run (default this checkout's bin/docsift.js, built first)
 *   --set NAME=VALUE       a setting for the worker (repeatable)
 *   --name LABEL           label in the result and file name (default: the directory's name)
 *   --timeout-minutes N    give up after N minutes (default 180)
 *   --no-build             do not build this checkout first
 */
import { execFileSync } from 'node:child_process';
import { readFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, DeleteMessageBatchCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { parseMessageBody } from '../src/domain/message.js';
import { startLocalStack, type LocalStack } from '../devstack/local-stack.js';
import { s3EventNotification } from '../devstack/s3-event-bridge.js';
import { ROOT } from './children/spawn.js';
import { listCorpus, type CorpusFile } from './corpus-runner/files.js';
import { kubelet } from './corpus-runner/kubelet.js';
import { readIndex, readLogs } from './corpus-runner/outcomes.js';
import { eachLimit } from './stack/corpus-stack.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'string' },
    docsift: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    name: { type: 'string' },
    'timeout-minutes': { type: 'string', default: '180' },
    'no-build': { type: 'boolean', default: false },
  },
});

/** Pages OCR'd across the corpus per reason (no_text, garbled_text, strategy), from extraction.ocr_pages. */
function ocrPagesByReason(files: Array<{ ocrPages?: Array<{ reason: string }> }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of files) for (const p of f.ocrPages ?? []) counts[p.reason] = (counts[p.reason] ?? 0) + 1;
  return counts;
}

/** Uploads every file and queues one S3 notification per object; returns message id → key. */
async function seed(stack: LocalStack, files: CorpusFile[]): Promise<Map<string, string>> {
  await eachLimit(files, 8, async (f) => {
    await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: f.key, Body: await readFile(f.path) }));
  });
  const ids = new Map<string, string>();
  for (let i = 0; i < files.length; i += 10) {
    const batch = files.slice(i, i + 10);
    const entries = batch.map((f, j) => ({
      Id: `e${j}`,
      MessageBody: s3EventNotification({ bucket: stack.bucket, key: f.key, eventName: 'ObjectCreated:Put', sequencer: (i + j + 1).toString(16).padStart(16, '0'), size: f.bytes }),
    }));
    const out = await stack.sqs.send(new SendMessageBatchCommand({ QueueUrl: stack.queueUrl, Entries: entries }));
    if (out.Failed?.length) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
    for (const ok of out.Successful ?? []) ids.set(ok.MessageId!, batch[Number(ok.Id!.slice(1))]!.key);
  }
  return ids;
}

async function queueEmpty(stack: LocalStack): Promise<boolean> {
  const out = await stack.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: stack.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0) === 0;
}

/** Everything in the DLQ: key → error_class attribute (null: moved by the redrive policy, no class). */
async function drainDlq(stack: LocalStack): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (let empty = 0; empty < 2; ) {
    const r = await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300, MessageAttributeNames: ['All'] }));
    const messages = r.Messages ?? [];
    if (messages.length === 0) {
      empty += 1;
      continue;
    }
    for (const m of messages) {
      const parsed = parseMessageBody(m.Body);
      if (parsed.kind === 'events') for (const e of parsed.events) out.set(e.key, m.MessageAttributes?.error_class?.StringValue ?? null);
    }
    await stack.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: stack.dlqUrl, Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
  }
  return out;
}

function workerEnv(stack: LocalStack, workDir: string): Record<string, string> {
  const settings = Object.fromEntries((values.set ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    ...stack.env,
    INDEX_SINK: 'file',
    INDEX_FILE: join(workDir, 'index.ndjson'),
    TEMP_DIR: join(workDir, 'tmp'),
    HEARTBEAT_DIR: join(workDir, 'heartbeat'),
    METRICS_PORT: '0',
    LOG_LEVEL: 'debug',
    RECEIVE_WAIT_SECONDS: '1',
    // local-aws-sqs counts each visibility change as a receive: heartbeats are kept rare.
    VISIBILITY_TIMEOUT: '45',
    HEARTBEAT_INTERVAL: '15',
    RETRY_BASE_SECONDS: '5',
    RETRY_MAX_SECONDS: '60',
    // The chart's pod: a 1400 MiB limit and its heap flag.
    MEMORY_LIMIT_MB: '1400',
    NODE_OPTIONS: '--max-old-space-size=560',
    ...settings,
  };
}

async function main(): Promise<void> {
  const dir = resolve(positionals[0] ?? '');
  if (!positionals[0]) throw new Error('usage: npm run corpus -- DIR [--json FILE] [--docsift PATH] [--set NAME=VALUE]...');
  const name = values.name ?? basename(dir);
  const entry = resolve(values.docsift ?? join(ROOT, 'bin', 'docsift.js'));
  if (!values.docsift && !values['no-build']) execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const files = await listCorpus(dir);
  const workDir = await mkdtemp(join(tmpdir(), `docsift-corpus-${name}-`));
  const stack = await startLocalStack({ bridge: false, maxReceiveCount: 5, queueName: `corpus-${Date.now().toString(36)}` });
  const started = Date.now();
  const load = { start: loadavg() };
  try {
    const ids = await seed(stack, files);
    console.log(`${files.length} files queued from ${dir}; worker ${entry}; logs in ${workDir}`);
    const exits = await kubelet({
      entry,
      env: workerEnv(stack, workDir),
      workDir,
      finished: () => queueEmpty(stack),
      deadline: started + Number(values['timeout-minutes']) * 60_000,
      onExit: (e) => console.log(`run ${e.run}: exit ${e.signal ?? e.code} after ${e.seconds}s, peak RSS ${e.peakTreeMiB} MiB (worker ${e.peakMainMiB})`),
    });
    const result = await collect({ name, dir, entry, files, ids, exits, stack, workDir, started, load });
    const out = values.json ?? join(ROOT, 'bench', 'results', `corpus-${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await mkdir(join(out, '..'), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result.summary, null, 2));
    console.log(`written ${out}`);
  } finally {
    await stack.close();
  }
}

interface Collect {
  name: string;
  dir: string;
  entry: string;
  files: CorpusFile[];
  ids: Map<string, string>;
  exits: Awaited<ReturnType<typeof kubelet>>;
  stack: LocalStack;
  workDir: string;
  started: number;
  load: { start: number[] };
}

async function collect(c: Collect) {
  const index = await readIndex(join(c.workDir, 'index.ndjson'));
  const dlq = await drainDlq(c.stack);
  const logs = await readLogs(c.exits);
  const idOf = new Map([...c.ids].map(([id, key]) => [key, id]));
  const perFile = c.files.map((f) => {
    const id = idOf.get(f.key) ?? '';
    const doc = index.get(f.key);
    const dead = dlq.has(f.key);
    const failure = logs.lastFailure.get(id);
    return {
      key: f.key,
      bytes: f.bytes,
      outcome: doc ? 'indexed' : dead ? 'dead_lettered' : 'not_settled',
      ...(doc ? { status: doc.status, truncated: doc.truncated, method: doc.method, contentType: doc.contentType, chars: doc.chars, ...(doc.detail ? { detail: doc.detail } : {}), ...(doc.ocrPages ? { ocrPages: doc.ocrPages } : {}) } : {}),
      ...(dead ? { errorClass: dlq.get(f.key) ?? null } : {}),
      ...(failure && !doc ? { lastFailure: failure } : {}),
      deliveries: logs.deliveries.get(id) ?? 0,
      inFlightAtCrashes: logs.inFlightAtCrash.get(id) ?? 0,
    };
  });
  const deadByClass: Record<string, number> = {};
  for (const f of perFile) if (f.outcome === 'dead_lettered') deadByClass[f.errorClass ?? '(none: redrive policy)'] = (deadByClass[f.errorClass ?? '(none: redrive policy)'] ?? 0) + 1;
  const crashes = c.exits.filter((e) => e.code !== 0 || e.signal !== null);
  const summary = {
    name: c.name,
    files: c.files.length,
    indexed: perFile.filter((f) => f.outcome === 'indexed').length,
    truncated: perFile.filter((f) => f.truncated).length,
    deadLettered: perFile.filter((f) => f.outcome === 'dead_lettered').length,
    deadLetteredByClass: deadByClass,
    notSettled: perFile.filter((f) => f.outcome === 'not_settled').length,
    workerRuns: c.exits.length,
    workerCrashes: crashes.length,
    crashExits: crashes.map((e) => e.signal ?? e.code),
    filesInFlightAtCrashes: perFile.filter((f) => f.inFlightAtCrashes > 0).length,
    containedSandboxDeaths: logs.contained,
    poisonGuard: logs.poison,
    peakTreeRssMiB: Math.max(0, ...c.exits.map((e) => e.peakTreeMiB)),
    peakWorkerRssMiB: Math.max(0, ...c.exits.map((e) => e.peakMainMiB)),
    wallSeconds: Math.round((Date.now() - c.started) / 1000),
    ocrPagesByReason: ocrPagesByReason(perFile),
  };
  return { summary, entry: c.entry, dir: c.dir, at: new Date().toISOString(), load: { ...c.load, end: loadavg() }, workDir: c.workDir, exits: c.exits, files: perFile };
}

await main();
