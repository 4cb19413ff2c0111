import { resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { queueDepth } from '../adapters/sqs/sqs.queue.js';
import { LOCAL_CREDENTIALS, startLocalStack } from '../devstack/local-stack.js';
import { makeBinarySamples, makeSamples } from '../devstack/samples.js';
import { createApp } from '../main.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { configOrExit } from './config-or-exit.js';

interface DevOptions {
  documents: number;
  seed: number;
  logLevel: string;
}

export function register(cmd: Command): void {
  cmd
    .description('Local stack: in-process SQS (with DLQ) and S3 on 127.0.0.1, generated sample documents, the worker with the file sink until the queue is drained')
    .option('--documents <n>', 'sample documents to upload', (v) => Number.parseInt(v, 10), 200)
    .option('--seed <n>', 'seed of the generated corpus', (v) => Number.parseInt(v, 10), 42)
    .option('--log-level <level>', 'worker log level (logs go to stderr)', 'warn')
    .action(async (opts: DevOptions) => {
      const stack = await startLocalStack({ queueName: `docsift-dev-${Date.now().toString(36)}` });
      console.log(`local SQS ${stack.sqsEndpoint}  local S3 ${stack.s3Endpoint}  bucket ${stack.bucket}`);
      const config = configOrExit({ overrides: {
        ...stack.env,
        INDEX_SINK: 'file',
        OPENSEARCH_URL: undefined,
        RECEIVE_WAIT_SECONDS: '1',
        LOG_LEVEL: opts.logLevel,
        METRICS_PORT: '0',
      } });
      // Text types cycle through --documents; one of each office, image and scanned-PDF type joins them.
      const binary = opts.documents >= 20 ? await makeBinarySamples(opts.seed) : [];
      const samples = [...makeSamples(opts.documents - binary.length, opts.seed), ...binary];
      const t0 = performance.now();
      for (let i = 0; i < samples.length; i += 16) {
        await Promise.all(
          samples.slice(i, i + 16).map((s) => stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: s.key, Body: s.body, ContentType: s.contentType }))),
        );
      }
      // S3 → SQS notifications are asynchronous; wait until every event is on the queue.
      for (let waited = 0; waited < 15_000; waited += 100) {
        const d = await queueDepth(stack.sqs, stack.queueUrl);
        if (d.visible + d.inFlight >= samples.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log(`uploaded ${samples.length} documents in ${Math.round(performance.now() - t0)} ms; their S3 events are on the queue`);
      const logger = createLogger(config.LOG_LEVEL, process.stderr as never);
      const metrics = createMetrics();
      const app = await createApp(config, { logger, metrics, exitWhenIdle: 3, credentials: LOCAL_CREDENTIALS });
      const started = performance.now();
      const total = samples.length;
      const tty = process.stdout.isTTY;
      const progress = setInterval(() => {
        const c = app.worker.counts;
        const done = c.indexed + c.deleted + c.dead_lettered;
        const minutes = (performance.now() - started) / 60_000;
        const line = `progress ${done}/${total}  ${Math.round(done / Math.max(minutes, 1e-6))} msg/min  in flight ${app.worker.inflightCount}  retried ${c.retried}`;
        if (tty) process.stdout.write(`\r${line}   `);
        else console.log(line);
      }, 1000);
      const onSignal = () => void app.worker.stop('signal');
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      await app.worker.run();
      clearInterval(progress);
      // Busy time: first receive to last acknowledgement, without the idle polls that end the run.
      const seconds = ((app.worker.lastSettledAt ?? performance.now()) - (app.worker.firstReceivedAt ?? started)) / 1000;
      await app.close();
      const dlq = await queueDepth(stack.sqs, stack.dlqUrl);
      const remaining = await queueDepth(stack.sqs, stack.queueUrl);
      await stack.close();
      const c = app.worker.counts;
      const processed = c.indexed + c.deleted + c.dead_lettered;
      if (tty) process.stdout.write('\n');
      console.log('summary');
      console.log(`  messages    ${processed} of ${total} (indexed ${c.indexed}, deleted ${c.deleted}, dead-lettered ${c.dead_lettered}, retried ${c.retried})`);
      // Thumbnails land in the same bucket under THUMBNAIL_PREFIX; their own events are ignored.
      if (c.ignored > 0) console.log(`  ignored     ${c.ignored} (events for thumbnails and test events)`);
      console.log(`  time        ${seconds.toFixed(1)} s`);
      console.log(`  throughput  ${Math.round((processed / seconds) * 60)} messages/minute`);
      console.log(`  queue left  ${remaining.visible + remaining.inFlight + remaining.delayed}   DLQ ${dlq.visible + dlq.inFlight}`);
      console.log(`  index file  ${resolve(config.INDEX_FILE)}`);
      process.exit(0);
    });
}
