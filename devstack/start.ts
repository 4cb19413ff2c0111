/**
 * `npm start`: the whole system on this machine with nothing installed beyond `npm ci`. Starts
 * in-process SQS (with a DLQ and a redrive policy) and S3 servers on 127.0.0.1, uploads generated
 * sample documents of every supported type, lets the S3 event bridge put their notifications on
 * the queue, runs the production worker (`docsift run`, file sink) until the queue is drained,
 * shows live progress and ends with a summary and the path of the index file.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { queueDepth } from '../src/adapters/sqs/sqs.queue.js';
import { configOrExit } from '../src/cli/config-or-exit.js';
import { freePort } from './free-port.js';
import { startLocalStack, type LocalStack } from './local-stack.js';
import { makeBinarySamples, makeSamples, type Sample } from './samples.js';
import { uploadSamples, waitForQueued } from './upload.js';
import { scrapeProgress, startWorker, type LogLine } from './worker-child.js';

interface Options {
  documents: number;
  seed: number;
  logLevel: string;
}

type Counts = Record<'indexed' | 'deleted' | 'ignored' | 'retried' | 'dead_lettered' | 'released', number>;

async function corpus(opts: Options): Promise<Sample[]> {
  // Text types cycle through --documents; one of each office, image and scanned-PDF type joins them.
  const binary = opts.documents >= 20 ? await makeBinarySamples(opts.seed) : [];
  return [...makeSamples(opts.documents - binary.length, opts.seed), ...binary];
}

function showProgress(port: number, total: number): () => void {
  const started = performance.now();
  const tty = process.stdout.isTTY;
  const timer = setInterval(async () => {
    const p = await scrapeProgress(port);
    if (!p) return;
    const c = p.outcomes;
    const done = (c.indexed ?? 0) + (c.deleted ?? 0) + (c.dead_lettered ?? 0);
    const minutes = (performance.now() - started) / 60_000;
    const line = `progress ${done}/${total}  ${Math.round(done / Math.max(minutes, 1e-6))} msg/min  in flight ${p.inflight}  retried ${c.retried ?? 0}`;
    if (tty) process.stdout.write(`\r${line}   `);
    else console.log(line);
  }, 1000);
  return () => {
    clearInterval(timer);
    if (tty) process.stdout.write('\n');
  };
}

async function summary(stack: LocalStack, drained: LogLine | undefined, total: number, indexFile: string): Promise<void> {
  const c = (drained?.counts ?? {}) as Partial<Counts>;
  const [dlq, remaining] = await Promise.all([queueDepth(stack.sqs, stack.dlqUrl), queueDepth(stack.sqs, stack.queueUrl)]);
  const processed = (c.indexed ?? 0) + (c.deleted ?? 0) + (c.dead_lettered ?? 0);
  // Busy time: first receive to last acknowledgement, without the idle polls that end the run.
  const seconds = Number(drained?.busy_ms ?? 0) / 1000;
  console.log('summary');
  console.log(`  messages    ${processed} of ${total} (indexed ${c.indexed ?? 0}, deleted ${c.deleted ?? 0}, dead-lettered ${c.dead_lettered ?? 0}, retried ${c.retried ?? 0})`);
  // Thumbnails land in the same bucket under THUMBNAIL_PREFIX; their own events are ignored.
  if ((c.ignored ?? 0) > 0) console.log(`  ignored     ${c.ignored} (events for thumbnails and test events)`);
  console.log(`  time        ${seconds.toFixed(1)} s`);
  console.log(`  throughput  ${seconds > 0 ? Math.round((processed / seconds) * 60) : 0} messages/minute`);
  console.log(`  queue left  ${remaining.visible + remaining.inFlight + remaining.delayed}   DLQ ${dlq.visible + dlq.inFlight}`);
  console.log(`  index file  ${indexFile}`);
}

async function main(opts: Options): Promise<number> {
  const stack = await startLocalStack({ queueName: `docsift-dev-${Date.now().toString(36)}` });
  console.log(`local SQS ${stack.sqsEndpoint}  local S3 ${stack.s3Endpoint}  bucket ${stack.bucket}`);
  const port = await freePort();
  const env = { ...stack.env, INDEX_SINK: 'file', OPENSEARCH_URL: '', RECEIVE_WAIT_SECONDS: '1', METRICS_PORT: String(port) };
  // Checked here first, so a bad setting in the environment is reported before anything runs.
  const config = configOrExit({ overrides: { ...env, LOG_LEVEL: opts.logLevel } });
  const samples = await corpus(opts);
  const t0 = performance.now();
  await uploadSamples(stack, samples);
  await waitForQueued(stack, samples.length);
  console.log(`uploaded ${samples.length} documents in ${Math.round(performance.now() - t0)} ms; their S3 events are on the queue`);
  let drained: LogLine | undefined;
  const worker = startWorker(env, opts.logLevel, (line) => {
    if (line.event === 'drained') drained = line;
  });
  const stopProgress = showProgress(port, samples.length);
  const forward = (signal: NodeJS.Signals) => worker.child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  const code = await worker.exited;
  stopProgress();
  await summary(stack, drained, samples.length, resolve(config.INDEX_FILE));
  await stack.close();
  return code ?? 1;
}

const program = new Command('npm start')
  .description('Local stack: in-process SQS (with DLQ) and S3 on 127.0.0.1, generated sample documents, the worker with the file sink until the queue is drained')
  .option('--documents <n>', 'sample documents to upload', (v) => Number.parseInt(v, 10), 200)
  .option('--seed <n>', 'seed of the generated corpus', (v) => Number.parseInt(v, 10), 42)
  .option('--log-level <level>', 'worker log level (logs go to stderr)', 'warn')
  .parse();

main(program.opts<Options>()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
