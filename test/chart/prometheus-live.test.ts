import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../devstack/local-stack.js';
import { makeSamples } from '../../devstack/samples.js';
import { ensureBuilt } from '../faults/harness/build.js';
import { encode } from '../fixtures/image.fixture.js';
import { englishText, renderTextPage } from '../fixtures/text-image.fixture.js';
import { OpenSearchDouble } from '../helpers/opensearch-double.js';
import { CHART_DIR, renderChart } from './lib/helm.js';
import { one, parseManifests } from './lib/manifests.js';
import { freePort, startPrometheus, type RunningPrometheus } from './lib/prometheus.js';
import { alertExpressions, dashboardQueries, dashboardVariableSelectors, type NamedQuery } from './lib/queries.js';
import { OCR_EVERY_SERIES_ENV } from '../helpers/ocr-series-env.js';
import { FileStateStore } from '../../src/adapters/file-state/file.state-store.js';
import { reportName } from '../../src/domain/coverage/reconcile-report.js';

/**
 * A real Prometheus (Debian package) scrapes a real `docsift run` on 127.0.0.1, working through
 * documents from in-process SQS and S3 into an OpenSearch double, with OCR on: every dashboard
 * panel query must return data and every alert expression must evaluate, through the HTTP API.
 * The worker runs with the environment the chart renders (memory guard, heartbeat age, limits),
 * and the Prometheus job/namespace labels are those the ServiceMonitor gives it.
 */

const VARS = { namespace: 'docsift', job: 'docsift', rateInterval: '1m' };
const DOCUMENTS = 24;
const IMAGES = 3;

let stack: LocalStack;
let double: OpenSearchDouble;
let worker: ChildProcess;
let workerExit: Promise<number | null>;
let workerLog = '';
let prom: RunningPrometheus;
let dir: string;
let panels: NamedQuery[];
let variables: NamedQuery[];
let alerts: NamedQuery[];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; worker log tail:\n${workerLog.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function scalar(expr: string): Promise<number | undefined> {
  const result = await prom.query(expr);
  const first = result.data?.result[0] as { value: [number, string] } | undefined;
  return first ? Number(first.value[1]) : undefined;
}

let chartMemoryLimitMiB = 0;

beforeAll(async () => {
  const entry = ensureBuilt();
  const objects = parseManifests(await renderChart({ valuesFiles: [join(CHART_DIR, 'ci', 'monitoring-values.yaml')], namespace: 'docsift', release: 'docsift' }));
  const chartEnv = Object.fromEntries(
    ((one(objects, 'Deployment').spec as any).template.spec.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value]), // eslint-disable-line @typescript-eslint/no-explicit-any
  );
  const limit = String((one(objects, 'Deployment').spec as any).template.spec.containers[0].resources.limits.memory); // eslint-disable-line @typescript-eslint/no-explicit-any
  chartMemoryLimitMiB = limit.endsWith('Gi') ? Number(limit.slice(0, -2)) * 1024 : Number(limit.replace(/Mi$/, ''));
  alerts = alertExpressions(one(objects, 'PrometheusRule'));
  panels = dashboardQueries(VARS);
  variables = dashboardVariableSelectors(VARS);

  dir = await mkdtemp(join(tmpdir(), 'docsift-live-'));
  stack = await startLocalStack({ queueName: `docsift-live-${Date.now().toString(36)}` });
  double = new OpenSearchDouble();
  const opensearchUrl = await double.start();

  const samples = makeSamples(DOCUMENTS, 7);
  for (const s of samples) await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: s.key, Body: s.body, ContentType: s.contentType }));
  for (let i = 0; i < IMAGES; i += 1) {
    const page = renderTextPage(englishText(30, i + 1), { widthIn: 4, heightIn: 1.5, dpi: 150, marginIn: 0.15 });
    await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: `scans/page-${i}.png`, Body: await encode(page, 'png'), ContentType: 'image/png' }));
  }
  // Not an S3 event: a permanent bad_message, dead-lettered with its error class.
  await stack.sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: 'this is not an S3 event' }));

  // What `docsift reconcile --fix` leaves under STATE_URI, for the worker to serve as gauges.
  const report = { version: 1, source: `s3://${stack.bucket}/`, finishedAt: new Date().toISOString(), objects: 30, documents: 29, found: { missing: 2, stale: 1, orphaned: 1 }, fixed: { missing: 2, stale: 1, orphaned: 1 } };
  await new FileStateStore(join(dir, 'state/')).write(reportName(report.source), JSON.stringify(report));

  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...stack.env,
    // What the chart sets (memory limits, heartbeat age, timeouts), then what this machine needs.
    // No cgroup limit on this host: the container limit the worker would read there is given.
    MEMORY_LIMIT_MB: String(chartMemoryLimitMiB),
    MEMORY_SOFT_LIMIT_PERCENT: chartEnv.MEMORY_SOFT_LIMIT_PERCENT as string,
    MEMORY_HARD_LIMIT_PERCENT: chartEnv.MEMORY_HARD_LIMIT_PERCENT as string,
    HEARTBEAT_MAX_AGE: chartEnv.HEARTBEAT_MAX_AGE as string,
    PROCESSING_TIMEOUT: chartEnv.PROCESSING_TIMEOUT as string,
    MAX_INFLIGHT: chartEnv.MAX_INFLIGHT as string,
    NODE_OPTIONS: chartEnv.NODE_OPTIONS as string,
    METRICS_PORT: String(port),
    HEARTBEAT_DIR: join(dir, 'heartbeat'),
    TEMP_DIR: join(dir, 'tmp'),
    OPENSEARCH_URL: opensearchUrl,
    RECEIVE_WAIT_SECONDS: '1',
    QUEUE_DEPTH_INTERVAL: '1',
    STATE_URI: join(dir, 'state/'),
    ...OCR_EVERY_SERIES_ENV,
    LOG_LEVEL: 'warn',
  };
  worker = spawn(process.execPath, [entry, 'run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    workerLog = (workerLog + chunk.toString()).slice(-20_000);
  };
  worker.stdout?.on('data', keep);
  worker.stderr?.on('data', keep);
  workerExit = new Promise((resolve) => worker.once('exit', (code) => resolve(code)));

  prom = await startPrometheus(
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: docsift',
      '    static_configs:',
      `      - targets: ["127.0.0.1:${port}"]`,
      '        labels: { namespace: docsift, pod: docsift-live-0 }',
      '',
    ].join('\n'),
  );
  // Done when every object is indexed and the bad message dead-lettered. Counting all finished
  // messages instead is not enough: thumbnails land in the bucket and their events are `ignored`
  // messages too, so that sum can be reached with a scan still being read.
  await until(
    `${DOCUMENTS + IMAGES} indexed and 1 dead-lettered message in Prometheus`,
    async () => {
      const indexed = await scalar('sum(docsift_messages_total{namespace="docsift",job="docsift",outcome="indexed"})');
      const dead = await scalar('sum(docsift_messages_total{namespace="docsift",job="docsift",outcome="dead_lettered"})');
      return indexed !== undefined && indexed >= DOCUMENTS + IMAGES && dead !== undefined && dead >= 1 ? indexed : undefined;
    },
    100_000,
  );
  // A few more scrapes so every rate() window holds at least two samples after the last change.
  await new Promise((resolve) => setTimeout(resolve, 4000));
}, 150_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGKILL');
    await workerExit;
  }
  await prom?.stop();
  await double?.stop();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a real Prometheus scraping a real docsift run', () => {
  it('scrapes the target and sees the worker finish every message', async () => {
    expect(await scalar('up{job="docsift",namespace="docsift"}')).toBe(1);
    expect(await scalar('sum(docsift_messages_total{job="docsift",outcome="dead_lettered"})')).toBeGreaterThanOrEqual(1);
    expect(await scalar('sum(docsift_ocr_pages_total{job="docsift"})'), workerLog.slice(-3000)).toBeGreaterThanOrEqual(IMAGES);
    expect(double.requests.length).toBeGreaterThan(0);
    // The scans carry words, so the OCR series count real recognition, not blank pages.
    const scans = [...double.docs.values()].filter((d) => String(d.source.key).startsWith('scans/'));
    expect(scans.map((d) => (String(d.source.content).match(/[a-z]{3,}/gi) ?? []).length >= 10)).toEqual([true, true, true]);
  });

  it('returns data for every dashboard panel query', async () => {
    const empty: string[] = [];
    for (const q of [...panels, ...variables]) {
      const result = await prom.query(q.expr);
      expect(result.status, `${q.name}: ${result.error} -- ${q.expr}`).toBe('success');
      if ((result.data?.result.length ?? 0) === 0) empty.push(`${q.name}: ${q.expr}`);
    }
    expect(empty).toEqual([]);
  });

  it('evaluates every alert expression', async () => {
    expect(alerts.length).toBe(8);
    for (const q of alerts) {
      const result = await prom.query(q.expr);
      expect(result.status, `${q.name}: ${result.error} -- ${q.expr}`).toBe('success');
    }
    // A healthy run fires none of the docsift-metric alerts (kube-state-metrics ones have no data here).
    for (const name of ['DocsiftMemoryHigh', 'DocsiftHeartbeatStale', 'DocsiftMemoryGuardActive', 'DocsiftDLQDepthHigh']) {
      const q = alerts.find((a) => a.name === name) as NamedQuery;
      expect((await prom.query(q.expr)).data?.result, name).toEqual([]);
    }
  });

  it('stops cleanly on SIGTERM, as the pod does', async () => {
    worker.kill('SIGTERM');
    expect(await workerExit).toBe(0);
  });
});
