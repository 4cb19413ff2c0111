import type { DocsiftError } from '../domain/errors.js';
import type { RedrivePolicyRead } from '../domain/redrive-policy.js';
import type { DeadLetterReason } from '../domain/retry.js';
import type { BatchFailure } from '../ports/queue.port.js';

/** How a message left the worker; `counts` and docsift_messages_total{outcome} use these. */
export type Outcome = 'indexed' | 'deleted' | 'ignored' | 'retried' | 'dead_lettered' | 'released';
export const OUTCOMES: readonly Outcome[] = ['indexed', 'deleted', 'ignored', 'retried', 'dead_lettered', 'released'];
export type OutcomeCounts = Record<Outcome, number>;

export type StopReason = 'signal' | 'idle' | 'memory' | 'error';

/** What settlement does with a finished message (worker/settlement.ts decides, table-tested). */
export type SettlementAction = 'ack' | 'release' | 'retry' | 'dead_letter' | 'leave_for_redrive';

/**
 * Everything the loop reports. The loop only emits these; observability/worker-telemetry.ts is the
 * one place that turns them into log lines and metrics, so the loop imports neither pino nor
 * prom-client and its tests can assert on events.
 */
export type WorkerEvent =
  | { type: 'receive_failed'; error: DocsiftError; retryInMs: number }
  | { type: 'receive_empty' }
  | { type: 'memory_drain' }
  | { type: 'job_started'; messageId: string; receiveCount: number; inflight: number }
  | { type: 'inflight'; count: number }
  | { type: 'job_failed'; messageId: string; receiveCount: number; maxReceiveCount: number | null; error: DocsiftError; action: SettlementAction }
  /** Failed on its last allowed receive with no DLQ_URL: the queue's redrive policy moves it unlabelled, so this is the class's last trace. */
  | { type: 'left_for_redrive'; messageId: string; receiveCount: number; maxReceiveCount: number; error: DocsiftError }
  | { type: 'index_circuit_opened'; pauseMs: number }
  | { type: 'ack_timed'; seconds: number }
  | { type: 'delete_failed'; messageId: string; failure: BatchFailure; after: 'ack' | 'dead_letter' }
  | { type: 'visibility_failed'; messageId?: string; failure: BatchFailure; purpose: 'extend' | 'retry' }
  | { type: 'dead_letter_failed'; messageId: string; reason: string }
  | { type: 'dead_lettered'; messageId: string; error: DocsiftError; reason: DeadLetterReason }
  | { type: 'settle_failed'; messageId: string; reason: string }
  | { type: 'redrive_policy'; policy: RedrivePolicyRead }
  | { type: 'redrive_policy_failed'; reason: string; kept: number | null }
  | { type: 'message_settled'; messageId: string; outcome: Outcome; seconds: number }
  | { type: 'stopping'; reason: StopReason; inflight: number }
  | { type: 'released_unstarted'; count: number }
  | { type: 'shutdown_timeout'; released: number }
  | { type: 'cleanup_failed'; step: string; reason: string }
  /** `busyMs`: first receive to last settlement (null before the first message), the run's working time without its idle polls. */
  | { type: 'drained'; reason: StopReason; counts: OutcomeCounts; drainMs: number; busyMs: number | null };

export type WorkerEventType = WorkerEvent['type'];
export type EventOf<T extends WorkerEventType> = Extract<WorkerEvent, { type: T }>;
