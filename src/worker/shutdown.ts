import { DocsiftError } from '../domain/errors.js';
import { runCleanup, type CleanupStep } from '../platform/cleanup.js';
import type { Clock } from '../ports/clock.port.js';
import type { InFlightSet } from './inflight.js';
import type { OutcomeCounts, StopReason, WorkerEvent } from './worker-events.js';

/**
 * On stop, a receive already on the wire gets this long to come back before it is aborted: real
 * SQS may have picked messages for it, and an aborted answer leaves those invisible for the whole
 * VISIBILITY_TIMEOUT. What arrives is released at once (visibility 0).
 */
export const POLL_ABORT_GRACE_MS = 200;
/** After the shutdown timeout, aborted handlers get this long to hand their messages back. */
const RELEASE_WAIT_MS = 10_000;

/** What the drain needs of the worker. */
export interface DrainTarget {
  reason: StopReason;
  shutdownTimeoutSeconds: number;
  /** Resolves when the intake loop has left its last receive. */
  intakeStopped: Promise<void>;
  inflight: InFlightSet;
  /** From now on, failures are released rather than retried or dead-lettered. */
  startReleasing(): void;
  flushIndex(): Promise<void>;
  flushAcks(): Promise<void>;
  flushVisibility(): Promise<void>;
  stopKeeper(): void;
  counts: OutcomeCounts;
  busyMs(): number | null;
  clock: Clock;
  emit: (event: WorkerEvent) => void;
}

/** Waits for `work` or `ms`, whichever first; true when the time ran out. The timer never outlives the race. */
async function timedOut(clock: Clock, work: Promise<unknown>, ms: number): Promise<boolean> {
  const cancel = new AbortController();
  try {
    return await Promise.race([work.then(() => false), clock.sleep(ms, cancel.signal).then(() => true)]);
  } finally {
    cancel.abort();
  }
}

/** In-flight work finishes within SHUTDOWN_TIMEOUT; what does not is aborted and handed back. */
async function drainInflight(t: DrainTarget): Promise<void> {
  if (!(await timedOut(t.clock, t.inflight.settled(), t.shutdownTimeoutSeconds * 1000)) || t.inflight.size === 0) return;
  t.emit({ type: 'shutdown_timeout', released: t.inflight.size });
  t.startReleasing();
  t.inflight.abortAll(new DocsiftError('processing_timeout', 'extract', 'shutting down'));
  await timedOut(t.clock, t.inflight.settled(), RELEASE_WAIT_MS);
}

/**
 * The drain after stop(): no more receives, in-flight work finishes (or is released), then the
 * index, the acks and the visibility changes are flushed. Every step runs even if one throws.
 */
export async function drain(t: DrainTarget): Promise<void> {
  const started = t.clock.now();
  t.emit({ type: 'stopping', reason: t.reason, inflight: t.inflight.size });
  const steps: CleanupStep[] = [
    // A receive answered during the grace period is released before the visibility flush.
    ['stop_intake', () => timedOut(t.clock, t.intakeStopped, POLL_ABORT_GRACE_MS + 5000)],
    ['drain_inflight', () => drainInflight(t)],
    ['flush_index', () => t.flushIndex()],
    ['flush_acks', () => t.flushAcks()],
    ['flush_visibility', () => t.flushVisibility()],
    ['stop_keeper', () => t.stopKeeper()],
  ];
  await runCleanup(steps, (step, error) => t.emit({ type: 'cleanup_failed', step, reason: error.message }));
  t.emit({ type: 'drained', reason: t.reason, counts: t.counts, drainMs: Math.round(t.clock.now() - started), busyMs: t.busyMs() });
}
