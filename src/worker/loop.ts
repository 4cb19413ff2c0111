import { exponentialBackoff } from '../domain/backoff.js';
import { DocsiftError, toDocsiftError } from '../domain/errors.js';
import { systemClock } from '../platform/clock.js';
import type { Clock } from '../ports/clock.port.js';
import type { MessageOutcome } from '../ports/message-handler.port.js';
import type { QueueMessage, VisibilityChange } from '../ports/queue.port.js';
import { IndexCircuit } from './index-circuit.js';
import { InFlightSet, withDeadline } from './inflight.js';
import { MicroBatcher } from './micro-batcher.js';
import { ReceiveLimit } from './receive-limit.js';
import { Settler } from './settlement.js';
import { drain, POLL_ABORT_GRACE_MS } from './shutdown.js';
import { VisibilityKeeper } from './visibility-keeper.js';
import type { WorkerDeps } from './worker-deps.js';
import { OUTCOMES, type Outcome, type OutcomeCounts, type StopReason, type WorkerEvent } from './worker-events.js';

/** While the loop waits on purpose (slot, backoff, memory pause, drain) it still beats this often. */
const WAITING_BEAT_MS = 1000;
/** How long the loop waits before looking again while intake is paused. */
const PAUSED_POLL_MS = 250;
const RECEIVE_BACKOFF = { base: 500, max: 30_000 };
/** SQS takes at most 10 entries per batch call. */
const SQS_BATCH = 10;

interface IntakeState {
  emptyPolls: number;
  failures: number;
}

/**
 * The generic loop: long poll while below MAX_INFLIGHT, process concurrently, keep visibility
 * extended, settle each message when its handler is done (worker/settlement.ts), and drain on stop
 * (worker/shutdown.ts). Concurrency is bounded here, not in handlers.
 */
export class Worker {
  private readonly inflight = new InFlightSet();
  private readonly deletes: MicroBatcher<{ id: string; receiptHandle: string }>;
  private readonly visibility: MicroBatcher<VisibilityChange>;
  private readonly keeper: VisibilityKeeper;
  private readonly circuit: IndexCircuit;
  private readonly receiveLimit: ReceiveLimit | null;
  private readonly settler: Settler;
  private readonly clock: Clock;
  private readonly emit: (event: WorkerEvent) => void;
  /** Aborts the receive on the wire (after a grace period). */
  private readonly pollAbort = new AbortController();
  /** Aborts the loop's own waits at once on stop. */
  private readonly stopAbort = new AbortController();
  private receiving = false;
  private releasing = false;
  private intakeDone: () => void = () => {};
  private readonly intakeStopped = new Promise<void>((resolve) => (this.intakeDone = resolve));
  private stopReason: StopReason | null = null;
  private stopPromise: Promise<void> | null = null;
  private runPromise: Promise<StopReason> | null = null;
  /** clock.now() of the first message received and of the last one settled. */
  firstReceivedAt: number | null = null;
  lastSettledAt: number | null = null;
  readonly counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;

  constructor(private readonly deps: WorkerDeps) {
    const s = deps.settings;
    const clock = (this.clock = deps.clock ?? systemClock);
    this.emit = deps.onEvent ?? (() => {});
    const batch = { clock, max: SQS_BATCH, delayMs: s.ackDelayMs, backoff: { base: 250, max: 2000 } };
    this.deletes = new MicroBatcher((items) => deps.queue.deleteBatch(items), { ...batch, attempts: 4 });
    this.visibility = new MicroBatcher((items) => deps.queue.changeVisibilityBatch(items), { ...batch, attempts: 3 });
    this.circuit = deps.circuit ?? new IndexCircuit({ now: () => clock.now() });
    this.keeper = new VisibilityKeeper(
      async (change) => {
        const failure = await this.visibility.add(change);
        if (failure) this.emit({ type: 'visibility_failed', failure, purpose: 'extend' });
      },
      { intervalMs: s.heartbeatIntervalSeconds * 1000, visibilitySeconds: s.visibilitySeconds, processingTimeoutMs: s.processingTimeoutSeconds * 1000, now: () => clock.now() },
    );
    const source = deps.redrivePolicy;
    this.receiveLimit = source ? new ReceiveLimit(() => source.redrivePolicy(), { intervalMs: s.redrivePolicyIntervalSeconds * 1000, clock, emit: this.emit }) : null;
    const ports = { queueUrl: deps.queue.url, dlq: deps.dlq, delete: (m: { id: string; receiptHandle: string }) => this.deletes.add(m), changeVisibility: (c: VisibilityChange) => this.visibility.add(c) };
    const maxReceiveCount = () => this.receiveLimit?.current() ?? null;
    this.settler = new Settler(ports, { retry: s.retry, circuit: this.circuit, clock, emit: this.emit, releasing: () => this.releasing, maxReceiveCount });
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** True from the first stop() on: no more receives. */
  get isStopping(): boolean {
    return this.stopReason !== null;
  }

  /** Runs until stopped (signal, idle limit, memory guard). Resolves with the reason. */
  run(): Promise<StopReason> {
    this.runPromise ??= this.intake().finally(() => this.intakeDone());
    return this.runPromise;
  }

  /**
   * Stops receiving at once, lets in-flight work finish within SHUTDOWN_TIMEOUT, hands back what
   * did not, flushes the index and the pending acks. Idempotent; every step runs even if one throws.
   */
  stop(reason: StopReason = 'signal'): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    this.stopReason = reason;
    this.stopAbort.abort();
    if (this.receiving) setTimeout(() => this.pollAbort.abort(), POLL_ABORT_GRACE_MS).unref();
    else this.pollAbort.abort();
    this.inflight.wake();
    if (!this.runPromise) this.intakeDone();
    // Assigned before any step runs, so a stop() re-entered from a step gets this same promise.
    let finished!: () => void;
    this.stopPromise = new Promise<void>((resolve) => (finished = resolve));
    // The drain is bounded by SHUTDOWN_TIMEOUT; the liveness heartbeat stays fresh while it runs.
    void this.waiting(drain(this.drainTarget(reason))).finally(finished);
    return this.stopPromise;
  }

  private drainTarget(reason: StopReason) {
    return {
      reason,
      shutdownTimeoutSeconds: this.deps.settings.shutdownTimeoutSeconds,
      intakeStopped: this.intakeStopped,
      inflight: this.inflight,
      startReleasing: () => (this.releasing = true),
      flushIndex: () => this.deps.flushIndex(),
      flushAcks: () => this.deletes.drain(),
      flushVisibility: () => this.visibility.drain(),
      stopKeeper: () => this.keeper.stop(),
      counts: this.counts,
      busyMs: () => (this.firstReceivedAt === null ? null : (this.lastSettledAt ?? this.clock.now()) - this.firstReceivedAt),
      clock: this.clock,
      emit: this.emit,
    };
  }

  private async intake(): Promise<StopReason> {
    this.keeper.start();
    if (this.receiveLimit) {
      // Known before the first message settles; then re-read in the background until stop.
      await this.waiting(this.receiveLimit.refresh());
      void this.receiveLimit.watch(this.stopAbort.signal);
    }
    const state: IntakeState = { emptyPolls: 0, failures: 0 };
    while (!this.isStopping && (await this.intakeRound(state))) {
      // next round
    }
    this.intakeDone();
    await this.stopPromise;
    return this.stopReason ?? 'signal';
  }

  /** One round: wait while paused or full, else receive and start what came. False ends the intake. */
  private async intakeRound(state: IntakeState): Promise<boolean> {
    const s = this.deps.settings;
    this.deps.beat?.('intake');
    if (this.deps.gate?.draining()) {
      this.emit({ type: 'memory_drain' });
      void this.stop('memory');
      return false;
    }
    if (this.deps.gate?.paused() || this.circuit.isOpen()) {
      await this.waiting(this.clock.sleep(PAUSED_POLL_MS, this.stopAbort.signal));
      return true;
    }
    if (this.inflight.size >= s.maxInflight) {
      // stop() wakes the waiters, so no abort listener is needed here.
      if (!this.stopAbort.signal.aborted) await this.waiting(this.inflight.waitForSlot());
      return true;
    }
    const messages = await this.receive(state);
    if (messages === null) return !this.isStopping;
    this.deps.beat?.('intake');
    if (this.isStopping) {
      // Received while the stop was being requested: never started, so straight back (visibility 0).
      if (messages.length > 0) this.emit({ type: 'released_unstarted', count: messages.length });
      await Promise.all(messages.map((m) => this.visibility.add({ id: m.id, receiptHandle: m.receiptHandle, visibilitySeconds: 0 })));
      return false;
    }
    if (messages.length === 0) return this.emptyReceive(state);
    state.emptyPolls = 0;
    for (const message of messages) this.start(message);
    return true;
  }

  /** One ReceiveMessage for the free slots; null when it failed (after the backoff, unless stopping). */
  private async receive(state: IntakeState): Promise<QueueMessage[] | null> {
    const s = this.deps.settings;
    const want = Math.min(s.batchSize, s.maxInflight - this.inflight.size);
    this.receiving = true;
    let messages: QueueMessage[];
    try {
      messages = await this.deps.queue.receive(want, s.waitSeconds, s.visibilitySeconds, this.pollAbort.signal);
    } catch (err) {
      this.receiving = false;
      if (this.isStopping) return null;
      state.failures += 1;
      // Back off on any receive failure: a refused connection must not become a tight loop.
      const retryInMs = exponentialBackoff(state.failures, RECEIVE_BACKOFF);
      this.emit({ type: 'receive_failed', error: toDocsiftError(err, 'receive'), retryInMs });
      await this.waiting(this.clock.sleep(retryInMs, this.stopAbort.signal));
      return null;
    }
    this.receiving = false;
    state.failures = 0;
    return messages;
  }

  private emptyReceive(state: IntakeState): boolean {
    const s = this.deps.settings;
    this.emit({ type: 'receive_empty' });
    if (this.inflight.size === 0) state.emptyPolls += 1;
    if (s.exitWhenIdle > 0 && state.emptyPolls >= s.exitWhenIdle && this.inflight.size === 0) {
      void this.stop('idle');
      return false;
    }
    return true;
  }

  private start(message: QueueMessage): void {
    const controller = new AbortController();
    const receivedAt = this.clock.now();
    this.firstReceivedAt ??= receivedAt;
    this.keeper.track(message);
    this.emit({ type: 'job_started', messageId: message.id, receiveCount: message.receiveCount, inflight: this.inflight.size + 1 });
    const done = this.process(message, controller, receivedAt).finally(() => {
      this.inflight.remove(message.id);
      this.emit({ type: 'inflight', count: this.inflight.size });
    });
    this.inflight.add({ message, controller, receivedAt, done });
  }

  /** Handler (bounded by PROCESSING_TIMEOUT), then settlement. Never rejects. */
  private async process(message: QueueMessage, controller: AbortController, receivedAt: number): Promise<void> {
    const timeoutMs = this.deps.settings.processingTimeoutSeconds * 1000;
    const timer = setTimeout(() => controller.abort(new DocsiftError('processing_timeout', 'extract', 'PROCESSING_TIMEOUT reached')), timeoutMs);
    let outcome: MessageOutcome;
    try {
      outcome = await withDeadline(this.deps.handle(message, controller.signal), controller.signal);
    } catch (err) {
      outcome = { kind: 'failed', error: toDocsiftError(err, 'extract') };
    } finally {
      clearTimeout(timer);
    }
    this.keeper.untrack(message.id);
    try {
      const settled = await this.settler.settle(message, outcome, receivedAt);
      this.record(message.id, settled.outcome, settled.seconds);
    } catch (err) {
      this.emit({ type: 'settle_failed', messageId: message.id, reason: (err as Error).message });
    }
  }

  private record(messageId: string, outcome: Outcome, seconds: number): void {
    this.counts[outcome] += 1;
    this.lastSettledAt = this.clock.now();
    this.emit({ type: 'message_settled', messageId, outcome, seconds });
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
}
