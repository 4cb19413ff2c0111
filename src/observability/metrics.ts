import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { OUTCOMES } from '../worker/worker-events.js';

/**
 * Every metric docsift exports, in one place. Labels are closed sets (outcome, stage, reason,
 * error class, component, state): never bucket names, keys or message ids.
 */
export type MetricStage = 'fetch' | 'extract' | 'ocr' | 'thumbnail' | 'index' | 'ack';

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** Closed label sets, exported at zero from the start so rates and alerts see every series. */
const STAGES: MetricStage[] = ['fetch', 'extract', 'ocr', 'thumbnail', 'index', 'ack'];
const RECYCLE_REASONS = ['jobs', 'memory', 'timeout', 'error', 'large_input', 'exited', 'aborted'];
const BULK_RESULTS = ['ok', 'partial', 'retry', 'error'];
/** What an extraction sandbox was reading when it died, and which limit ended it. */
export const EXTRACT_CRASH_STAGES = ['detect', 'text', 'html', 'pdf', 'image', 'office', 'archive', 'email'] as const;
export const EXTRACT_CRASH_LIMITS = ['heap', 'memory', 'time', 'crash'] as const;

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const metrics = build(registry);
  for (const outcome of OUTCOMES) metrics.messages.inc({ outcome }, 0);
  for (const stage of STAGES) metrics.stageDuration.zero({ stage });
  for (const reason of RECYCLE_REASONS) metrics.ocrRecycles.inc({ reason }, 0);
  for (const result of BULK_RESULTS) metrics.bulkRequests.inc({ result }, 0);
  for (const stage of EXTRACT_CRASH_STAGES) for (const reason of EXTRACT_CRASH_LIMITS) metrics.extractCrashes.inc({ stage, reason }, 0);
  metrics.memoryGuardState.set(0);
  return metrics;
}

function build(registry: Registry) {
  const r = [registry];
  return {
    registry,
    messages: new Counter({ name: 'docsift_messages_total', help: 'Messages finished, by outcome', labelNames: ['outcome'] as const, registers: r }),
    messageDuration: new Histogram({ name: 'docsift_message_duration_seconds', help: 'Receive to ack/release of one message', buckets: SECONDS_BUCKETS, registers: r }),
    stageDuration: new Histogram({ name: 'docsift_stage_duration_seconds', help: 'Time per pipeline stage', labelNames: ['stage'] as const, buckets: SECONDS_BUCKETS, registers: r }),
    inflight: new Gauge({ name: 'docsift_inflight_messages', help: 'Messages being processed now', registers: r }),
    receiveEmpty: new Counter({ name: 'docsift_receive_empty_total', help: 'Long polls that returned no message', registers: r }),
    receiveErrors: new Counter({ name: 'docsift_receive_errors_total', help: 'ReceiveMessage calls that failed, by error class', labelNames: ['error_class'] as const, registers: r }),
    bytesDownloaded: new Counter({ name: 'docsift_bytes_downloaded_total', help: 'Object bytes downloaded from S3', registers: r }),
    ocrPages: new Counter({ name: 'docsift_ocr_pages_total', help: 'Pages or images recognised by OCR', registers: r }),
    ocrRecycles: new Counter({ name: 'docsift_ocr_worker_recycles_total', help: 'OCR workers replaced, by reason', labelNames: ['reason'] as const, registers: r }),
    bulkRequests: new Counter({ name: 'docsift_index_bulk_requests_total', help: 'Bulk requests sent to the index, by result', labelNames: ['result'] as const, registers: r }),
    extractCrashes: new Counter({
      name: 'docsift_extract_crashes_total',
      help: 'Extraction sandboxes that died under a document (contained: the worker lives on), by what they were reading (stage) and the limit that ended them (reason: heap, memory, time; crash: anything else)',
      labelNames: ['stage', 'reason'] as const,
      registers: r,
    }),
    dlqMessages: new Counter({ name: 'docsift_dlq_messages_total', help: 'Messages dead-lettered, by error class', labelNames: ['error_class'] as const, registers: r }),
    failures: new Counter({ name: 'docsift_failures_total', help: 'Processing failures, by error class and stage', labelNames: ['error_class', 'stage'] as const, registers: r }),
    memoryGuardState: new Gauge({ name: 'docsift_memory_guard_state', help: 'Memory guard: 0 ok, 1 soft limit (intake paused), 2 hard limit (draining)', registers: r }),
    memoryLimit: new Gauge({ name: 'docsift_memory_limit_bytes', help: 'Container memory limit in force (cgroup), or the configured hard limit', registers: r }),
    heartbeatAge: new Gauge({ name: 'docsift_heartbeat_age_seconds', help: 'Seconds since each component last beat', labelNames: ['component'] as const, registers: r }),
    queueMessages: new Gauge({ name: 'docsift_queue_messages', help: 'Approximate queue depth from GetQueueAttributes', labelNames: ['queue', 'state'] as const, registers: r }),
  };
}

export type Metrics = ReturnType<typeof build>;
