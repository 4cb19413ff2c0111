import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentialIdentity } from '@smithy/types';
import { FileIndexLookup } from './adapters/file-sink/file.lookup.js';
import { FileSearchIndex } from './adapters/file-sink/file.index.js';
import { FileStateStore } from './adapters/file-state/file.state-store.js';
import { FileInflightJournal, JOURNAL_DIR } from './adapters/journal/file.journal.js';
import { createOpenSearchClient } from './adapters/opensearch/opensearch.client.js';
import { OpenSearchIndex } from './adapters/opensearch/opensearch.index.js';
import { OpenSearchLookup } from './adapters/opensearch/opensearch.lookup.js';
import { S3ObjectStore } from './adapters/s3/s3.object-store.js';
import { S3StateStore } from './adapters/s3/s3.state-store.js';
import { SqsDeadLetterQueue } from './adapters/sqs/sqs.dead-letter.js';
import { SqsWorkQueue } from './adapters/sqs/sqs.queue.js';
import { claimTempDir, OWNER_FILE, sweepTempDir, writableDirProblem } from './adapters/temp/temp-dir.js';
import { extractionProfileFor } from './config/extraction-profile.js';
import { keyFilterFor } from './config/key-filter.js';
import { endpointFor } from './config/load.js';
import { parseS3Uri } from './domain/coverage/s3-uri.js';
import { exponentialBackoff } from './domain/backoff.js';
import { DocsiftError } from './domain/errors.js';
import type { Config } from './config/schema.js';
import { logStepFailure, type Logger } from './observability/logger.js';
import { workerTelemetry } from './observability/worker-telemetry.js';
import { runCleanup, type CleanupStep } from './platform/cleanup.js';
import type { Metrics, MetricStage } from './observability/metrics.js';
import { systemClock } from './platform/clock.js';
import type { PipelineContext } from './pipeline/context.js';
import { guardAgainstPoison } from './pipeline/poison-guard.js';
import type { Clock } from './ports/clock.port.js';
import { processMessage } from './pipeline/process-message.js';
import type { IndexLookup } from './ports/index-lookup.port.js';
import type { DeadLetterQueue, WorkQueue } from './ports/queue.port.js';
import type { StateStore } from './ports/state-store.port.js';
import type { SearchIndex } from './ports/search-index.port.js';
import { Worker } from './worker/loop.js';
import type { IntakeGate, WorkerSettings } from './worker/worker-deps.js';

/**
 * Composition root: the only place that builds SDK clients and wires adapters into the pipeline
 * and the loop.
 */
export interface AppOptions {
  logger: Logger;
  metrics: Metrics;
  /** Explicit credentials (local stacks); otherwise the default provider chain. */
  credentials?: AwsCredentialIdentity;
  exitWhenIdle?: number;
  beat?: (component: string) => void;
  gate?: IntakeGate;
}

export interface App {
  worker: Worker;
  index: SearchIndex;
  sqs: SQSClient;
  /** The queue ports, for the depth poller and /readyz. */
  queue: WorkQueue;
  dlq: DeadLetterQueue | undefined;
  /** STATE_URI, where the reconcile reports the worker exports are read from. */
  state: StateStore;
  close(): Promise<void>;
}

function httpOptions(config: Config, requestTimeoutMs: number) {
  // Keep-alive with enough sockets for MAX_INFLIGHT downloads plus polling and acks; the SDK
  // default of 50 sockets without keep-alive tuning made every request pay a new connection.
  const maxSockets = Math.max(32, config.MAX_INFLIGHT * 2 + 8);
  return {
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    requestTimeout: requestTimeoutMs,
    connectionTimeout: 5000,
  };
}

export function buildSqsClient(config: Config, credentials?: AwsCredentialIdentity): SQSClient {
  return new SQSClient({
    region: config.AWS_REGION,
    endpoint: endpointFor(config, 'sqs'),
    credentials,
    maxAttempts: 3,
    requestHandler: httpOptions(config, (config.RECEIVE_WAIT_SECONDS + 10) * 1000),
  });
}

export function buildS3Client(config: Config, credentials?: AwsCredentialIdentity): S3Client {
  return new S3Client({
    region: config.AWS_REGION,
    endpoint: endpointFor(config, 's3'),
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    credentials,
    maxAttempts: 3,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: httpOptions(config, 60_000),
  });
}

export function buildIndex(config: Config, logger: Logger, metrics: Metrics): SearchIndex {
  const limits = { maxOps: config.BULK_MAX_DOCS, maxBytes: config.BULK_MAX_BYTES, flushMs: config.BULK_FLUSH_MS };
  if (config.INDEX_SINK === 'file') return new FileSearchIndex(config.INDEX_FILE, config.OPENSEARCH_INDEX, limits);
  const client = createOpenSearchClient(config);
  return new OpenSearchIndex(
    client,
    {
      ...limits,
      indexName: config.OPENSEARCH_INDEX,
      maxRetries: config.BULK_MAX_RETRIES,
      onRequest: (result) => metrics.bulkRequests.inc({ result }),
      onRetry: (info) => logger.warn({ event: 'index_retry', ...info }, 'bulk retry'),
    },
    (message) => logger.warn({ event: 'index_ready' }, message),
  );
}

/** Reads of the index the configuration writes to (backfill, reconcile, extraction reuse). */
export function buildLookup(config: Config): IndexLookup {
  if (config.INDEX_SINK === 'file') return new FileIndexLookup(config.INDEX_FILE);
  return new OpenSearchLookup(createOpenSearchClient(config), config.OPENSEARCH_INDEX);
}

/** STATE_URI: S3 objects (they outlive a pod) or a local directory. */
export function buildStateStore(config: Config, s3: S3Client): StateStore {
  return config.STATE_URI.startsWith('s3://') ? new S3StateStore(s3, parseS3Uri(config.STATE_URI)) : new FileStateStore(config.STATE_URI);
}

/**
 * Applies the index template, retrying transient failures (the cluster is down or overloaded)
 * with backoff instead of exiting: during an outage a crash-looping pod helps nobody, and KEDA
 * scales out exactly while the queue grows. The intake heartbeat keeps beating meanwhile.
 * A permanent rejection (bad template, no permission) still stops start-up.
 */
export async function waitForIndex(index: SearchIndex, logger: Logger, beat?: (component: string) => void, clock: Clock = systemClock): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    beat?.('intake');
    try {
      await index.ensureReady();
      if (attempt > 1) logger.info({ event: 'index_ready', attempts: attempt }, 'index reachable');
      return;
    } catch (err) {
      if (!(err instanceof DocsiftError) || err.permanent) throw err;
      const delay = exponentialBackoff(attempt, { base: 1000, max: 30_000 });
      logger.warn({ event: 'index_ready', ok: false, error_class: err.code, reason: err.message, retry_in_ms: delay }, 'index not ready; retrying');
      for (let waited = 0; waited < delay; waited += 1000) {
        await clock.sleep(Math.min(1000, delay - waited));
        beat?.('intake');
      }
    }
  }
}

/**
 * TEMP_DIR at start-up: writable, ours, and cleared of what a dead process left (a download it
 * held, OCR scratch), except the in-flight journal that names what it was processing.
 */
async function prepareTempDir(config: Config, logger: Logger): Promise<FileInflightJournal> {
  const problem = (await writableDirProblem('TEMP_DIR', config.TEMP_DIR)) ?? (await claimTempDir(config.TEMP_DIR));
  if (problem) throw new Error(problem);
  const removed = await sweepTempDir(config.TEMP_DIR, [OWNER_FILE, JOURNAL_DIR]);
  const journal = await FileInflightJournal.open(config.TEMP_DIR);
  logger.info({ event: 'temp_swept', removed, suspects: journal.suspectCount }, 'temp directory ready');
  return journal;
}

/** The use case's ports and settings, with its stage timings wired to the metrics. */
function pipelineContext(config: Config, ports: Pick<PipelineContext, 'objects' | 'extractor' | 'index' | 'reuse'>, logger: Logger, metrics: Metrics): PipelineContext {
  const thumbnailPrefix = config.THUMBNAIL_PREFIX;
  return {
    ...ports,
    tempDir: config.TEMP_DIR,
    maxFileBytes: config.MAX_FILE_SIZE_MB * 1024 * 1024,
    indexedChars: config.INDEXED_CHARS,
    documentBudgetMs: config.DOCUMENT_BUDGET * 1000,
    ...(config.THUMBNAIL_ENABLED ? { thumbnails: { bucket: config.THUMBNAIL_BUCKET ?? null, prefix: thumbnailPrefix } } : {}),
    ignoreKeyPrefixes: [thumbnailPrefix],
    keyFilter: keyFilterFor(config),
    onFiltered: (reason) => metrics.keysFiltered.inc({ reason }),
    s3Tags: config.S3_TAGS_ENABLED,
    onReuse: (source) => metrics.extractionsSaved.inc({ source }),
    extractionProfile: extractionProfileFor(config),
    observe: (stage, seconds) => {
      if (stage === 'fetch' || stage === 'extract' || stage === 'ocr' || stage === 'thumbnail' || stage === 'index' || stage === 'ack') {
        metrics.stageDuration.observe({ stage: stage as MetricStage }, seconds);
      }
    },
    warn: (event, fields) => logger.warn({ event, ...fields }, event),
  };
}

function workerSettings(config: Config, exitWhenIdle: number): WorkerSettings {
  return {
    batchSize: config.RECEIVE_BATCH_SIZE,
    waitSeconds: config.RECEIVE_WAIT_SECONDS,
    visibilitySeconds: config.VISIBILITY_TIMEOUT,
    heartbeatIntervalSeconds: config.HEARTBEAT_INTERVAL,
    maxInflight: config.MAX_INFLIGHT,
    processingTimeoutSeconds: config.PROCESSING_TIMEOUT,
    shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT,
    retry: { baseSeconds: config.RETRY_BASE_SECONDS, maxSeconds: config.RETRY_MAX_SECONDS },
    exitWhenIdle,
    ackDelayMs: 20,
    redrivePolicyIntervalSeconds: config.REDRIVE_POLICY_INTERVAL,
  };
}

export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const { logger, metrics } = options;
  if (!config.QUEUE_URL) throw new Error('QUEUE_URL is required');
  const journal = await prepareTempDir(config, logger);
  const sqs = buildSqsClient(config, options.credentials);
  const s3 = buildS3Client(config, options.credentials);
  const queue = new SqsWorkQueue(sqs, config.QUEUE_URL);
  const dlq = config.DLQ_URL ? new SqsDeadLetterQueue(sqs, config.DLQ_URL) : undefined;
  const index = buildIndex(config, logger, metrics);
  await waitForIndex(index, logger, options.beat);
  // Loaded here, not at the top: the one-shot commands (dlq, backfill, reconcile) import this module
  // for its client builders, and the extraction engines (pdf.js, sharp, tesseract.js) would add
  // ~50 MiB to each of their pods.
  const { createExtractor } = await import('./adapters/extract/index.js');
  const extractor = createExtractor(config, { logger, metrics, ...(options.beat ? { heartbeat: options.beat } : {}) });
  const objects = new S3ObjectStore(s3, (n) => metrics.bytesDownloaded.inc(n));
  const reuse = config.EXTRACTION_REUSE ? buildLookup(config) : undefined;
  const ctx = pipelineContext(config, { objects, extractor, index, ...(reuse ? { reuse } : {}) }, logger, metrics);
  const worker = new Worker({
    queue,
    redrivePolicy: queue,
    ...(dlq ? { dlq } : {}),
    handle: guardAgainstPoison((message, signal) => processMessage(message, ctx, signal), {
      journal,
      warn: (event, fields) => logger.warn({ event, ...fields }, event),
    }),
    flushIndex: () => index.flush(),
    settings: workerSettings(config, options.exitWhenIdle ?? 0),
    onEvent: workerTelemetry(logger, metrics),
    ...(options.beat ? { beat: options.beat } : {}),
    ...(options.gate ? { gate: options.gate } : {}),
  });
  let closed: Promise<void> | null = null;
  const close = () => {
    const steps: CleanupStep[] = [
      ['index', () => index.close()],
      ['extractor', () => extractor.close()],
      ['clients', () => { sqs.destroy(); s3.destroy(); }],
    ];
    closed ??= runCleanup(steps, logStepFailure(logger, 'close step failed')).then(() => undefined);
    return closed;
  };
  return { worker, index, sqs, queue, dlq, state: buildStateStore(config, s3), close };
}
