import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DocsiftError } from '../../../src/domain/errors.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { workerTelemetry } from '../../../src/observability/worker-telemetry.js';
import type { EventOf, WorkerEvent, WorkerEventType } from '../../../src/worker/worker-events.js';

const error = new DocsiftError('not_found', 'fetch', 'NoSuchKey: line one\nline two');
const failure = { id: 'm1', code: 'ReceiptHandleIsInvalid', message: 'gone', senderFault: true };
const counts = { indexed: 3, deleted: 0, ignored: 1, retried: 0, dead_lettered: 1, released: 0 };

/** One sample of every event the loop emits: the mapped type makes a new event type fail to compile until it is covered here. */
const samples: { [T in WorkerEventType]: EventOf<T> } = {
  receive_failed: { type: 'receive_failed', error: new DocsiftError('connection', 'receive', 'ECONNREFUSED'), retryInMs: 500 },
  receive_empty: { type: 'receive_empty' },
  memory_drain: { type: 'memory_drain' },
  job_started: { type: 'job_started', messageId: 'm1', receiveCount: 2, inflight: 3 },
  inflight: { type: 'inflight', count: 2 },
  job_failed: { type: 'job_failed', messageId: 'm1', receiveCount: 1, maxReceiveCount: 5, error, action: 'dead_letter' },
  left_for_redrive: { type: 'left_for_redrive', messageId: 'm1', receiveCount: 5, maxReceiveCount: 5, error: new DocsiftError('index_unavailable', 'index', '503') },
  redrive_policy: { type: 'redrive_policy', policy: { kind: 'policy', maxReceiveCount: 5, deadLetterTargetArn: 'arn:aws:sqs:us-east-1:1:dlq' } },
  redrive_policy_failed: { type: 'redrive_policy_failed', reason: 'AccessDenied: no sqs:GetQueueAttributes', kept: 5 },
  index_circuit_opened: { type: 'index_circuit_opened', pauseMs: 5000 },
  ack_timed: { type: 'ack_timed', seconds: 0.02 },
  delete_failed: { type: 'delete_failed', messageId: 'm1', failure, after: 'ack' },
  visibility_failed: { type: 'visibility_failed', failure, purpose: 'extend' },
  dead_letter_failed: { type: 'dead_letter_failed', messageId: 'm1', reason: 'DLQ refused' },
  dead_lettered: { type: 'dead_lettered', messageId: 'm1', error, reason: 'permanent' },
  settle_failed: { type: 'settle_failed', messageId: 'm1', reason: 'bug' },
  message_settled: { type: 'message_settled', messageId: 'm1', outcome: 'indexed', seconds: 1.234 },
  stopping: { type: 'stopping', reason: 'signal', inflight: 2 },
  released_unstarted: { type: 'released_unstarted', count: 2 },
  shutdown_timeout: { type: 'shutdown_timeout', released: 1 },
  cleanup_failed: { type: 'cleanup_failed', step: 'flush_index', reason: 'flush failed' },
  drained: { type: 'drained', reason: 'idle', counts, drainMs: 12, busyMs: 3400 },
};

/** The log line each event writes (level, `event` and the fields the DLQ tools, dashboards and fault tests grep), or null. */
const lines: { [T in WorkerEventType]: Record<string, unknown> | null } = {
  receive_failed: { level: 'warn', event: 'receive_error', error_class: 'connection', reason: 'ECONNREFUSED', retry_in_ms: 500, msg: 'receive failed' },
  receive_empty: null,
  memory_drain: { level: 'warn', event: 'memory_guard', state: 'hard' },
  job_started: { level: 'debug', event: 'job_start', message_id: 'm1', receive_count: 2 },
  inflight: null,
  job_failed: { level: 'warn', event: 'job_failed', message_id: 'm1', error_class: 'not_found', stage: 'fetch', kind: 'permanent', reason: 'NoSuchKey: line one line two', decision: 'dead_letter', receive_count: 1, max_receive_count: 5 },
  left_for_redrive: { level: 'warn', event: 'left_for_redrive', message_id: 'm1', error_class: 'index_unavailable', stage: 'index', receive_count: 5, max_receive_count: 5 },
  redrive_policy: { level: 'info', event: 'redrive_policy', max_receive_count: 5, dead_letter_target_arn: 'arn:aws:sqs:us-east-1:1:dlq' },
  redrive_policy_failed: { level: 'warn', event: 'redrive_policy', ok: false, reason: 'AccessDenied: no sqs:GetQueueAttributes', max_receive_count: 5 },
  index_circuit_opened: { level: 'warn', event: 'index_circuit', pause_ms: 5000 },
  ack_timed: null,
  delete_failed: { level: 'warn', event: 'ack_failed', message_id: 'm1', code: 'ReceiptHandleIsInvalid', reason: 'gone' },
  visibility_failed: { level: 'warn', event: 'visibility_failed', code: 'ReceiptHandleIsInvalid', reason: 'gone', msg: 'could not extend visibility' },
  dead_letter_failed: { level: 'warn', event: 'dlq_sent', ok: false, message_id: 'm1', reason: 'DLQ refused' },
  dead_lettered: { level: 'info', event: 'dlq_sent', message_id: 'm1', error_class: 'not_found', stage: 'fetch', reason: 'permanent' },
  settle_failed: { level: 'error', event: 'ack_failed', message_id: 'm1', reason: 'bug' },
  message_settled: { level: 'info', event: 'job_done', message_id: 'm1', outcome: 'indexed', ms: 1234 },
  stopping: { level: 'info', event: 'shutdown', reason: 'signal', inflight: 2 },
  released_unstarted: { level: 'info', event: 'shutdown', released_unstarted: 2 },
  shutdown_timeout: { level: 'warn', event: 'shutdown', released: 1 },
  cleanup_failed: { level: 'error', event: 'cleanup_result', step: 'flush_index', ok: false, reason: 'flush failed' },
  drained: { level: 'info', event: 'drained', reason: 'idle', counts, drain_ms: 12, busy_ms: 3400 },
};

function capture() {
  const out: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) out.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const metrics = createMetrics({ defaultMetrics: false });
  return { out, metrics, emit: workerTelemetry(createLogger('debug', stream), metrics) };
}

const value = async (m: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> }, labels: Record<string, string> = {}) =>
  (await m.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;

describe('worker telemetry: the loop events as log lines and metrics', () => {
  it.each(Object.keys(samples) as WorkerEventType[])('%s', (type) => {
    const { out, emit } = capture();
    emit(samples[type] as WorkerEvent);
    const want = lines[type];
    if (want === null) expect(out).toEqual([]);
    else expect(out).toEqual([expect.objectContaining(want)]);
  });

  it('a message released at shutdown counts as a failure but logs no failure decision', async () => {
    const { out, metrics, emit } = capture();
    emit({ type: 'job_failed', messageId: 'm', receiveCount: 1, maxReceiveCount: null, error, action: 'release' });
    expect(out).toEqual([]);
    expect(await value(metrics.failures, { error_class: 'not_found', stage: 'fetch' })).toBe(1);
  });

  it('a queue without a redrive policy, or with one that cannot be read, is a warning with no receive limit', () => {
    const { out, emit } = capture();
    emit({ type: 'redrive_policy', policy: { kind: 'none' } });
    emit({ type: 'redrive_policy', policy: { kind: 'invalid', reason: 'RedrivePolicy is not JSON' } });
    expect(out).toEqual([
      expect.objectContaining({ level: 'warn', event: 'redrive_policy', max_receive_count: null, msg: expect.stringContaining('no redrive policy') }),
      expect.objectContaining({ level: 'warn', event: 'redrive_policy', max_receive_count: null, reason: 'RedrivePolicy is not JSON' }),
    ]);
  });

  it('only done outcomes log job_done; every outcome is counted and timed', async () => {
    const { out, metrics, emit } = capture();
    emit({ type: 'message_settled', messageId: 'a', outcome: 'retried', seconds: 2 });
    emit({ type: 'message_settled', messageId: 'b', outcome: 'deleted', seconds: 1 });
    expect(out.map((l) => l.event)).toEqual(['job_done']);
    expect(await value(metrics.messages, { outcome: 'retried' })).toBe(1);
    expect(await value(metrics.messages, { outcome: 'deleted' })).toBe(1);
    expect((await metrics.messageDuration.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(2);
  });

  it('maps the gauges and counters of the receive path', async () => {
    const { metrics, emit } = capture();
    for (const type of ['receive_failed', 'receive_empty', 'job_started', 'dead_lettered'] as const) emit(samples[type]);
    expect(await value(metrics.receiveErrors, { error_class: 'connection' })).toBe(1);
    expect(await value(metrics.receiveEmpty)).toBe(1);
    expect(await value(metrics.inflight)).toBe(3);
    expect(await value(metrics.dlqMessages, { error_class: 'not_found' })).toBe(1);
    emit(samples.inflight);
    expect(await value(metrics.inflight)).toBe(2);
    emit(samples.ack_timed);
    expect((await metrics.stageDuration.get()).values.find((v) => v.labels.stage === 'ack' && v.metricName?.endsWith('_count'))?.value).toBe(1);
  });
});
