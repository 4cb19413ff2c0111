import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../devstack/local-stack.js';
import { makeSamples } from '../../../devstack/samples.js';
import { encode } from '../../fixtures/image.fixture.js';
import { englishText, renderTextPage } from '../../fixtures/text-image.fixture.js';
import { OpenSearchDouble } from '../../helpers/opensearch-double.js';
import { OCR_EVERY_SERIES_ENV } from '../../helpers/ocr-series-env.js';
import { freePort, sample, upload, WorkerChild } from './child.js';

let stack: LocalStack;
let double: OpenSearchDouble;
beforeAll(async () => {
  stack = await startLocalStack({ queueName: `rt-metrics-${Date.now().toString(36)}` });
  double = new OpenSearchDouble();
  await double.start();
});
afterAll(async () => {
  await stack?.close();
  await double?.stop();
});

/** Every metric the issue names, with the series that must exist (labels from closed sets only). */
const REQUIRED = [
  'docsift_messages_total{outcome="indexed"}',
  'docsift_messages_total{outcome="dead_lettered"}',
  'docsift_message_duration_seconds_count',
  'docsift_stage_duration_seconds_count{stage="fetch"}',
  'docsift_stage_duration_seconds_count{stage="extract"}',
  'docsift_stage_duration_seconds_count{stage="ocr"}',
  'docsift_stage_duration_seconds_count{stage="index"}',
  'docsift_stage_duration_seconds_count{stage="ack"}',
  'docsift_inflight_messages',
  'docsift_receive_empty_total',
  'docsift_bytes_downloaded_total',
  'docsift_ocr_pages_total',
  'docsift_ocr_worker_recycles_total{reason="jobs"}',
  'docsift_index_bulk_requests_total{result="ok"}',
  'docsift_dlq_messages_total{error_class="bad_message"}',
  'docsift_memory_guard_state',
  'docsift_heartbeat_age_seconds{component="intake"}',
  'docsift_queue_messages{queue="main",state="visible"}',
  'docsift_queue_messages{queue="main",state="in_flight"}',
  'docsift_queue_messages{queue="main",state="delayed"}',
  'docsift_queue_messages{queue="dlq",state="visible"}',
  // Default process and Node metrics.
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_gc_duration_seconds_count{kind="minor"}',
];

function value(text: string, series: string): number | undefined {
  const brace = series.indexOf('{');
  return brace < 0 ? sample(text, series) : sample(text, series.slice(0, brace), series.slice(brace + 1, -1));
}

describe('/metrics during a real run', () => {
  it('exposes every metric, and the ones that count work move', async () => {
    await upload(stack, makeSamples(16, 5));
    const port = await freePort();
    const worker = new WorkerChild({
      ...stack.env,
      METRICS_PORT: String(port),
      INDEX_SINK: 'opensearch',
      OPENSEARCH_URL: double.url,
      QUEUE_DEPTH_INTERVAL: '1',
      ...OCR_EVERY_SERIES_ENV,
      MAX_INFLIGHT: '4',
      LOG_LEVEL: 'warn',
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const scrape = async () => (await fetch(`${base}/metrics`)).text();
      let first = '';
      for (let i = 0; i < 400 && !first; i += 1) {
        first = await scrape().catch(() => '');
        if (!first) await new Promise((r) => setTimeout(r, 50));
      }
      expect(first).not.toBe('');
      // Work that arrives after the first scrape, so every counter has something to count.
      for (let i = 0; i < 2; i += 1) {
        const page = renderTextPage(englishText(25, i + 3), { widthIn: 4, heightIn: 1.5, dpi: 150, marginIn: 0.15 });
        await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: `scans/page-${i}.png`, Body: await encode(page, 'png'), ContentType: 'image/png' }));
      }
      await stack.sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: 'not an S3 event' }));
      const h = await fetch(`${base}/healthz`);
      expect(h.status).toBe(200);
      let inflightPeak = 0;
      let last = first;
      // Scrape while the worker runs, until everything (18 objects + 1 bad message) is settled.
      const deadline = performance.now() + 60_000;
      for (;;) {
        last = await scrape();
        inflightPeak = Math.max(inflightPeak, value(last, 'docsift_inflight_messages') ?? 0);
        const settled = (value(last, 'docsift_messages_total{outcome="indexed"}') ?? 0) + (value(last, 'docsift_messages_total{outcome="dead_lettered"}') ?? 0);
        // The outcome is counted when a message's work ends; the in-flight gauge drops once its ack is
        // settled, a moment later: settled means both (a gauge that never returns to 0 fails at the deadline).
        if (settled >= 19 && value(last, 'docsift_inflight_messages') === 0 && (value(last, 'docsift_queue_messages{queue="dlq",state="visible"}') ?? 0) >= 1 && (value(last, 'docsift_receive_empty_total') ?? 0) >= 1) break;
        if (performance.now() > deadline) throw new Error(`run did not settle; last scrape:\n${last.split('\n').filter((l) => l.startsWith('docsift_')).join('\n')}`);
        await new Promise((r) => setTimeout(r, 40));
      }
      const missing = REQUIRED.filter((s) => value(last, s) === undefined);
      expect(missing).toEqual([]);
      const moved = (series: string) => (value(last, series) ?? 0) > (value(first, series) ?? 0);
      const counters = REQUIRED.filter((s) => /_total|_count|bytes_downloaded/.test(s) && !s.startsWith('nodejs_gc'));
      expect(counters.filter((s) => !moved(s))).toEqual([]);
      expect(inflightPeak).toBeGreaterThan(0);
      expect(value(last, 'docsift_inflight_messages')).toBe(0);
      expect(value(last, 'docsift_queue_messages{queue="dlq",state="visible"}')).toBe(1);
      expect(value(last, 'docsift_memory_guard_state')).toBe(0);
      expect(value(last, 'docsift_heartbeat_age_seconds{component="ocr-1"}')).toBeDefined();
      expect(value(last, 'docsift_heartbeat_age_seconds{component="intake"}')).toBeLessThan(5);
      // Labels never carry unbounded values: no bucket, key or message id in any series.
      expect(last).not.toMatch(/samples\/|docsift-local|scans\//);
      const ready = await fetch(`${base}/readyz`);
      expect([ready.status, await ready.text()]).toEqual([200, 'ok: configuration loaded, queue reachable\n']);
      worker.proc.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    } finally {
      await worker.kill();
    }
  });
});
