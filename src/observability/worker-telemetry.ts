import { truncateMessage } from '../domain/errors.js';
import type { EventOf, WorkerEvent, WorkerEventType } from '../worker/worker-events.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

type Handlers = { [T in WorkerEventType]?: (event: EventOf<T>) => void };

/** What the loop's events count in prom-client. */
function metricHandlers(m: Metrics): Handlers {
  return {
    receive_failed: (e) => m.receiveErrors.inc({ error_class: e.error.code }),
    receive_empty: () => m.receiveEmpty.inc(),
    job_started: (e) => m.inflight.set(e.inflight),
    inflight: (e) => m.inflight.set(e.count),
    job_failed: (e) => m.failures.inc({ error_class: e.error.code, stage: e.error.stage }),
    ack_timed: (e) => m.stageDuration.observe({ stage: 'ack' }, e.seconds),
    dead_lettered: (e) => m.dlqMessages.inc({ error_class: e.error.code }),
    message_settled: (e) => {
      m.messages.inc({ outcome: e.outcome });
      m.messageDuration.observe(e.seconds);
    },
  };
}

const DONE = new Set(['indexed', 'deleted', 'ignored']);

/** The log lines of the message path: one `event` field each, the names of ports/logger.port.ts. */
function messageLogHandlers(log: Logger): Handlers {
  return {
    receive_failed: (e) => log.warn({ event: 'receive_error', error_class: e.error.code, reason: truncateMessage(e.error.message, 200), retry_in_ms: e.retryInMs }, 'receive failed'),
    job_started: (e) => log.debug({ event: 'job_start', message_id: e.messageId, receive_count: e.receiveCount }, 'job start'),
    job_failed: (e) => {
      // A message released at shutdown is not a failure decision: only its metric counts it.
      if (e.action === 'release') return;
      const fields = { event: 'job_failed' as const, message_id: e.messageId, error_class: e.error.code, stage: e.error.stage, kind: e.error.kind, reason: truncateMessage(e.error.message, 300) };
      log.warn({ ...fields, decision: e.action, receive_count: e.receiveCount, max_receive_count: e.maxReceiveCount }, 'job failed');
    },
    left_for_redrive: (e) =>
      log.warn(
        { event: 'left_for_redrive', message_id: e.messageId, error_class: e.error.code, stage: e.error.stage, receive_count: e.receiveCount, max_receive_count: e.maxReceiveCount },
        "failed on its last receive: the queue's redrive policy moves it to its DLQ without error attributes (set DLQ_URL to label it)",
      ),
    index_circuit_opened: (e) => log.warn({ event: 'index_circuit', pause_ms: e.pauseMs }, 'index keeps failing: intake paused'),
    delete_failed: (e) =>
      e.after === 'ack'
        ? log.warn({ event: 'ack_failed', message_id: e.messageId, code: e.failure.code, reason: e.failure.message }, 'delete failed; redelivery will re-index idempotently')
        : log.warn({ event: 'ack_failed', message_id: e.messageId, code: e.failure.code }, 'dead-lettered but delete failed'),
    visibility_failed: (e) =>
      e.purpose === 'extend'
        ? log.warn({ event: 'visibility_failed', code: e.failure.code, reason: e.failure.message }, 'could not extend visibility')
        : log.warn({ event: 'visibility_failed', message_id: e.messageId, code: e.failure.code }, 'could not set retry visibility'),
    dead_letter_failed: (e) => log.warn({ event: 'dlq_sent', ok: false, message_id: e.messageId, reason: e.reason }, 'could not dead-letter; will retry'),
    dead_lettered: (e) => log.info({ event: 'dlq_sent', message_id: e.messageId, error_class: e.error.code, stage: e.error.stage, reason: e.reason }, 'dead-lettered'),
    redrive_policy: (e) => {
      const p = e.policy;
      if (p.kind === 'policy') log.info({ event: 'redrive_policy', max_receive_count: p.maxReceiveCount, dead_letter_target_arn: p.deadLetterTargetArn }, 'queue redrive policy read');
      else if (p.kind === 'none') log.warn({ event: 'redrive_policy', max_receive_count: null }, 'the queue has no redrive policy: transiently failing messages are retried until the retention period ends');
      else log.warn({ event: 'redrive_policy', max_receive_count: null, reason: p.reason }, 'the queue redrive policy cannot be read: last receives are not recognised');
    },
    redrive_policy_failed: (e) =>
      log.warn({ event: 'redrive_policy', ok: false, reason: truncateMessage(e.reason, 200), max_receive_count: e.kept }, 'could not read the queue redrive policy; keeping the last one'),
    settle_failed: (e) => log.error({ event: 'ack_failed', message_id: e.messageId, reason: e.reason }, 'could not settle message'),
    message_settled: (e) => {
      if (DONE.has(e.outcome)) log.info({ event: 'job_done', message_id: e.messageId, outcome: e.outcome, ms: Math.round(e.seconds * 1000) }, 'job done');
    },
  };
}

/** The log lines of memory pressure and shutdown. */
function lifecycleLogHandlers(log: Logger): Handlers {
  return {
    memory_drain: () => log.warn({ event: 'memory_guard', state: 'hard' }, 'memory hard limit reached: draining and exiting'),
    stopping: (e) => log.info({ event: 'shutdown', reason: e.reason, inflight: e.inflight }, 'stopping: no more receives'),
    released_unstarted: (e) => log.info({ event: 'shutdown', released_unstarted: e.count }, 'released messages received during stop'),
    shutdown_timeout: (e) => log.warn({ event: 'shutdown', released: e.released }, 'shutdown timeout: releasing unfinished messages'),
    cleanup_failed: (e) => log.error({ event: 'cleanup_result', step: e.step, ok: false, reason: e.reason }, 'shutdown step failed'),
    drained: (e) => log.info({ event: 'drained', reason: e.reason, counts: e.counts, drain_ms: e.drainMs, busy_ms: e.busyMs }, 'worker stopped'),
  };
}

/**
 * The one place the loop's events become log lines and metrics (the loop itself imports neither
 * pino nor prom-client). Metrics first, so a scrape never lags a log line it could be compared with.
 */
export function workerTelemetry(logger: Logger, metrics?: Metrics): (event: WorkerEvent) => void {
  const tables = [...(metrics ? [metricHandlers(metrics)] : []), messageLogHandlers(logger), lifecycleLogHandlers(logger)];
  return (event) => {
    for (const table of tables) (table[event.type] as ((e: WorkerEvent) => void) | undefined)?.(event);
  };
}
