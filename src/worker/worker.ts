import { DocsiftError, toDocsiftError, truncateMessage } from '../domain/errors.js';
import { exponentialBackoff } from '../domain/backoff.js';
import { decideFailure, type BackoffPolicy } from '../domain/retry.js';
import { logStepFailure, type Logger } from '../observability/logger.js';
import { runCleanup, type CleanupStep } from '../platform/cleanup.js';
import { systemClock } from '../platform/clock.js';
import type { Clock } from '../ports/clock.port.js';
import type { Metrics, Outcome } from '../observability/metrics.js';
import type { MessageOutcome } from '../pipeline/process-message.js';
import type { DeadLetterQueue, QueueMessage, VisibilityChange, WorkQueue } from '../ports/queue.port.js';
import { MicroBatcher } from './micro-batcher.js';
import { IndexCircuit } from './index-circuit.js';
import { VisibilityKeeper } from './visibility-keeper.js';

export interface WorkerSettings {
  batchSize: number;
  waitSeconds: number;
  visibilitySeconds: number;
  heartbeatIntervalSeconds: number;
  maxInflight: number;
  processingTimeoutSeconds: number;
  shutdownTimeoutSeconds: number;
  retry: BackoffPolicy;
  /** Stop after this many consecutive empty receives with nothing in flight (0: never). */
  exitWhenIdle: number;
  /** How long acks wait to fill a batch of 10, ms. */
  ackDelayMs: number;
}

/** Memory guard view the loop consults before each receive. */
export interface IntakeGate {
  paused(): boolean;
  draining(): boolean;
}

export interface WorkerDeps {
  queue: WorkQueue;
  dlq?: DeadLetterQueue;
  handle: (message: QueueMessage, signal: AbortSignal) => Promise<MessageOutcome>;
  flushIndex: () => Promise<void>;
  settings: WorkerSettings;
  logger: Logger;
  metrics?: Metrics;
  beat?: (component: string) => void;
  gate?: IntakeGate;
  /** Pauses intake while the index keeps failing transiently (default: 3 failures, 5 s doubling to 60 s). */
  circuit?: IndexCircuit;
  /** @defaultValue systemClock */
  clock?: Clock;
}

export type StopReason = 'signal' | 'idle' | 'memory' | 'error';

/**
 * On stop, a receive already on the wire gets this long to come back before it is aborted: real
 * SQS may have picked messages for it, and an aborted answer leaves those invisible for the whole
 * VISIBILITY_TIMEOUT. What arrives is released at once (visibility 0).
 */
const POLL_ABORT_GRACE_MS = 200;
/** While the loop waits on purpose (slot, backoff, memory pause) it still beats this often. */
const WAITING_BEAT_MS = 1000;

interface InFlight {
  message: QueueMessage;
  controller: AbortController;
  receivedAt: number;
  done: Promise<void>;
}

/**
 * The generic loop: long poll while below MAX_INFLIGHT, process concurrently, keep visibility
 * extended, acknowledge in batches only after the handler says the message is done, and drain on
 * stop. Concurrency is bounded here, not in handlers.
 */
export class Worker {
  private readonly inflight = new Map<string, InFlight>();
  private readonly deletes: MicroBatcher<{ id: string; receiptHandle: string }>;
  private readonly visibility: MicroBatcher<VisibilityChange>;
  private readonly keeper: VisibilityKeeper;
  private readonly circuit: IndexCircuit;
  /** Aborts the receive on the wire (after a grace period). */
  private readonly pollAbort = new AbortController();
  /** Aborts the loop's own waits at once on stop. */
  private readonly stopAbort = new AbortController();
  private receiving = false;
  private intakeDone: (() => void) | null = null;
  private readonly intakeStopped: Promise<void>;
  private readonly clock: Clock;
  private stopping = false;
  private releasing = false;
  private stopReason: StopReason | null = null;
  private slotWaiters: Array<() => void> = [];
  private stopPromise: Promise<void> | null = null;
  private runPromise: Promise<StopReason> | null = null;
  /** performance.now() of the first message received and of the last one settled. */
  firstReceivedAt: number | null = null;
  lastSettledAt: number | null = null;
  readonly counts: Record<Outcome, number> = { indexed: 0, deleted: 0, ignored: 0, retried: 0, dead_lettered: 0, released: 0 };

  constructor(private readonly deps: WorkerDeps) {
    const s = deps.settings;
    this.clock = deps.clock ?? systemClock;
    this.intakeStopped = new Promise<void>((resolve) => (this.intakeDone = resolve));
    this.deletes = new MicroBatcher((items) => deps.queue.deleteBatch(items), { clock: this.clock, max: 10, delayMs: s.ackDelayMs, attempts: 4, backoff: { base: 250, max: 2000 } });
    this.visibility = new MicroBatcher((items) => deps.queue.changeVisibilityBatch(items), { clock: this.clock, max: 10, delayMs: s.ackDelayMs, attempts: 3, backoff: { base: 250, max: 2000 } });
    this.circuit = deps.circuit ?? new IndexCircuit();
    this.keeper = new VisibilityKeeper(
      async (change) => {
        const failure = await this.visibility.add(change);
        if (failure) deps.logger.warn({ event: 'visibility_failed', code: failure.code, reason: failure.message }, 'could not extend visibility');
      },
      { intervalMs: s.heartbeatIntervalSeconds * 1000, visibilitySeconds: s.visibilitySeconds, processingTimeoutMs: s.processingTimeoutSeconds * 1000 },
    );
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** True from the first stop() on: no more receives. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** Runs until stopped (signal, idle limit, memory guard). Resolves with the reason. */
  run(): Promise<StopReason> {
    this.runPromise ??= this.loop();
    return this.runPromise;
  }

  /** Awaits `wait` while beating `intake`, so a loop that waits on purpose is not taken for a stuck one. */
  private async waiting<T>(wait: Promise<T>): Promise<T> {
    const beat = this.deps.beat;
    if (!beat) return wait;
    const timer = setInterval(() => beat('intake'), WAITING_BEAT_MS);
    try {
      return await wait;
    } finally {
      clearInterval(timer);
    }
  }

  private async loop(): Promise<StopReason> {
    try {
      return await this.intake();
    } finally {
      this.intakeDone?.();
    }
  }

  private async intake(): Promise<StopReason> {
    const { settings: s, logger, metrics } = this.deps;
    this.keeper.start();
    let emptyPolls = 0;
    let failures = 0;
    while (!this.stopping) {
      this.deps.beat?.('intake');
      if (this.deps.gate?.draining()) {
        logger.warn({ event: 'memory_guard', state: 'hard' }, 'memory hard limit reached: draining and exiting');
        void this.stop('memory');
        break;
      }
      if (this.deps.gate?.paused() || this.circuit.isOpen()) {
        await this.waiting(this.clock.sleep(250, this.stopAbort.signal));
        continue;
      }
      if (this.inflight.size >= s.maxInflight) {
        await this.waiting(this.waitForSlot());
        continue;
      }
      const want = Math.min(s.batchSize, s.maxInflight - this.inflight.size);
      let messages: QueueMessage[];
      this.receiving = true;
      try {
        messages = await this.deps.queue.receive(want, s.waitSeconds, s.visibilitySeconds, this.pollAbort.signal);
        failures = 0;
      } catch (err) {
        this.receiving = false;
        if (this.stopping) break;
        const error = toDocsiftError(err, 'receive');
        failures += 1;
        metrics?.receiveErrors.inc({ error_class: error.code });
        // Back off on any receive failure: a refused connection must not become a tight loop.
        const delay = exponentialBackoff(failures, { base: 500, max: 30_000 });
        logger.warn({ event: 'receive_error', error_class: error.code, reason: truncateMessage(error.message, 200), retry_in_ms: delay }, 'receive failed');
        await this.waiting(this.clock.sleep(delay, this.stopAbort.signal));
        continue;
      }
      this.receiving = false;
      this.deps.beat?.('intake');
      if (this.stopping) {
        // Received while the stop was being requested: never started, so straight back (visibility 0).
        if (messages.length > 0) logger.info({ event: 'shutdown', released_unstarted: messages.length }, 'released messages received during stop');
        await Promise.all(messages.map((m) => this.release(m)));
        break;
      }
      if (messages.length === 0) {
        metrics?.receiveEmpty.inc();
        if (this.inflight.size === 0) emptyPolls += 1;
        if (s.exitWhenIdle > 0 && emptyPolls >= s.exitWhenIdle && this.inflight.size === 0) {
          void this.stop('idle');
          break;
        }
        continue;
      }
      emptyPolls = 0;
      for (const message of messages) this.start(message);
    }
    this.intakeDone?.();
    await this.stopPromise;
    return this.stopReason ?? 'signal';
  }

  private waitForSlot(): Promise<void> {
    if (this.stopAbort.signal.aborted) return Promise.resolve();
    // stop() calls freeSlot(), so an abort listener is not needed here.
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private freeSlot(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const w of waiters) w();
  }

  private start(message: QueueMessage): void {
    const { settings: s, metrics, logger } = this.deps;
    const controller = new AbortController();
    const receivedAt = performance.now();
    this.firstReceivedAt ??= receivedAt;
    this.keeper.track(message);
    metrics?.inflight.set(this.inflight.size + 1);
    logger.debug({ event: 'job_start', message_id: message.id, receive_count: message.receiveCount }, 'job start');
    const timeoutMs = s.processingTimeoutSeconds * 1000;
    const timer = setTimeout(() => controller.abort(new DocsiftError('processing_timeout', 'extract', 'PROCESSING_TIMEOUT reached')), timeoutMs);
    const done = (async () => {
      let outcome: MessageOutcome;
      try {
        outcome = await this.withDeadline(this.deps.handle(message, controller.signal), controller.signal);
      } catch (err) {
        outcome = { kind: 'failed', error: toDocsiftError(err, 'extract') };
      } finally {
        clearTimeout(timer);
      }
      this.keeper.untrack(message.id);
      try {
        await this.settle(message, outcome, receivedAt);
      } catch (err) {
        logger.error({ event: 'ack_failed', message_id: message.id, reason: (err as Error).message }, 'could not settle message');
      }
    })().finally(() => {
      this.inflight.delete(message.id);
      metrics?.inflight.set(this.inflight.size);
      this.freeSlot();
    });
    this.inflight.set(message.id, { message, controller, receivedAt, done });
  }

  /** A handler that ignores its abort signal still cannot hold a slot for ever. */
  private withDeadline(work: Promise<MessageOutcome>, signal: AbortSignal): Promise<MessageOutcome> {
    return new Promise((resolve, reject) => {
      let grace: NodeJS.Timeout | null = null;
      const onAbort = () => {
        grace = setTimeout(() => resolve({ kind: 'failed', error: new DocsiftError('processing_timeout', 'extract', 'processing timed out') }), 5000);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => {
        signal.removeEventListener('abort', onAbort);
        if (grace) clearTimeout(grace);
      });
    });
  }

  private async settle(message: QueueMessage, outcome: MessageOutcome, receivedAt: number): Promise<void> {
    const { logger, metrics, settings: s } = this.deps;
    const elapsed = (performance.now() - receivedAt) / 1000;
    const record = (o: Outcome) => {
      this.counts[o] += 1;
      this.lastSettledAt = performance.now();
      metrics?.messages.inc({ outcome: o });
      metrics?.messageDuration.observe(elapsed);
    };
    if (outcome.kind === 'done') {
      if (outcome.outcome === 'indexed' || outcome.outcome === 'deleted') this.circuit.recordSuccess();
      const started = performance.now();
      const failure = await this.deletes.add({ id: message.id, receiptHandle: message.receiptHandle });
      metrics?.stageDuration.observe({ stage: 'ack' }, (performance.now() - started) / 1000);
      if (failure) {
        // The document is safe; the message will come back and overwrite it with the same _id.
        logger.warn({ event: 'ack_failed', message_id: message.id, code: failure.code, reason: failure.message }, 'delete failed; redelivery will re-index idempotently');
      }
      record(outcome.outcome);
      logger.info({ event: 'job_done', message_id: message.id, outcome: outcome.outcome, ms: Math.round(elapsed * 1000) }, 'job done');
      return;
    }
    const error = outcome.error;
    metrics?.failures.inc({ error_class: error.code, stage: error.stage });
    if (error.code === 'index_unavailable') {
      const pauseMs = this.circuit.recordFailure();
      if (pauseMs > 0) logger.warn({ event: 'index_circuit', pause_ms: pauseMs }, 'index keeps failing: intake paused');
    }
    if (this.releasing) {
      await this.release(message);
      record('released');
      return;
    }
    const decision = decideFailure(error, message.receiveCount, this.deps.dlq !== undefined, s.retry);
    logger.warn(
      { event: 'job_failed', message_id: message.id, error_class: error.code, stage: error.stage, kind: error.kind, reason: truncateMessage(error.message, 300), decision: decision.action, receive_count: message.receiveCount },
      'job failed',
    );
    if (decision.action === 'dead_letter' && this.deps.dlq) {
      try {
        await this.deps.dlq.send(
          message.body ?? '',
          {
            errorClass: error.code,
            errorMessage: error.message,
            stage: error.stage,
            sourceQueue: this.deps.queue.url,
            failedAt: new Date().toISOString(),
            ...(outcome.contentType ? { contentType: outcome.contentType } : {}),
          },
          message.attributes,
        );
      } catch (err) {
        // Not yet safe in the DLQ: keep the original, retry later.
        logger.warn({ event: 'dlq_sent', ok: false, message_id: message.id, reason: (err as Error).message }, 'could not dead-letter; will retry');
        await this.visibility.add({ id: message.id, receiptHandle: message.receiptHandle, visibilitySeconds: s.retry.baseSeconds });
        record('retried');
        return;
      }
      const failure = await this.deletes.add({ id: message.id, receiptHandle: message.receiptHandle });
      if (failure) logger.warn({ event: 'ack_failed', message_id: message.id, code: failure.code }, 'dead-lettered but delete failed');
      metrics?.dlqMessages.inc({ error_class: error.code });
      logger.info({ event: 'dlq_sent', message_id: message.id, error_class: error.code, stage: error.stage }, 'dead-lettered');
      record('dead_lettered');
      return;
    }
    const visibilitySeconds = decision.action === 'dead_letter' ? 0 : decision.visibilitySeconds;
    const failure = await this.visibility.add({ id: message.id, receiptHandle: message.receiptHandle, visibilitySeconds });
    if (failure) logger.warn({ event: 'visibility_failed', message_id: message.id, code: failure.code }, 'could not set retry visibility');
    record(decision.action === 'retry' ? 'retried' : 'dead_lettered');
  }

  private async release(message: QueueMessage): Promise<void> {
    await this.visibility.add({ id: message.id, receiptHandle: message.receiptHandle, visibilitySeconds: 0 });
  }

  /**
   * Stops receiving at once, lets in-flight work finish within SHUTDOWN_TIMEOUT, hands back what
   * did not, flushes the index and the pending acks. Idempotent; every step runs even if one throws.
   */
  stop(reason: StopReason = 'signal'): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    this.stopping = true;
    this.stopReason = reason;
    this.stopAbort.abort();
    if (this.receiving) setTimeout(() => this.pollAbort.abort(), POLL_ABORT_GRACE_MS).unref();
    else this.pollAbort.abort();
    this.freeSlot();
    if (!this.runPromise) this.intakeDone?.();
    const { logger, settings: s } = this.deps;
    // The drain is bounded by SHUTDOWN_TIMEOUT; keep the liveness heartbeat fresh while it runs.
    const beat = this.deps.beat;
    const drainBeat = beat ? setInterval(() => beat('intake'), WAITING_BEAT_MS) : null;
    const stopStarted = performance.now();
    // Assigned before any step runs, so a stop() re-entered from a step gets this same promise.
    let finished!: () => void;
    this.stopPromise = new Promise<void>((resolve) => (finished = resolve));
    void (async () => {
      logger.info({ event: 'shutdown', reason, inflight: this.inflight.size }, 'stopping: no more receives');
      const steps: CleanupStep[] = [
        // A receive answered during the grace period is released before the visibility flush.
        [
          'stop_intake',
          async () => {
            const cancel = new AbortController();
            await Promise.race([this.intakeStopped, this.clock.sleep(POLL_ABORT_GRACE_MS + 5000, cancel.signal)]);
            cancel.abort();
          },
        ],
        [
          'drain_inflight',
          async () => {
            const all = Promise.allSettled([...this.inflight.values()].map((f) => f.done));
            const timedOut = await Promise.race([all.then(() => false), this.clock.sleep(s.shutdownTimeoutSeconds * 1000).then(() => true)]);
            if (timedOut && this.inflight.size > 0) {
              logger.warn({ event: 'shutdown', released: this.inflight.size }, 'shutdown timeout: releasing unfinished messages');
              this.releasing = true;
              for (const f of this.inflight.values()) f.controller.abort(new DocsiftError('processing_timeout', 'extract', 'shutting down'));
              await Promise.race([Promise.allSettled([...this.inflight.values()].map((f) => f.done)), this.clock.sleep(10_000)]);
            }
          },
        ],
        ['flush_index', () => this.deps.flushIndex()],
        ['flush_acks', () => this.deletes.drain()],
        ['flush_visibility', () => this.visibility.drain()],
        ['stop_keeper', async () => this.keeper.stop()],
      ];
      await runCleanup(steps, logStepFailure(logger, 'shutdown step failed'));
      logger.info({ event: 'drained', reason, counts: this.counts, drain_ms: Math.round(performance.now() - stopStarted) }, 'worker stopped');
    })().finally(() => {
      if (drainBeat) clearInterval(drainBeat);
      finished();
    });
    return this.stopPromise;
  }
}
