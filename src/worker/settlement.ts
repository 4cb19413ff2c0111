import { decideFailure, isLastReceive, type BackoffPolicy, type DeadLetterReason } from '../domain/retry.js';
import type { Clock } from '../ports/clock.port.js';
import type { HandledOutcome, MessageOutcome } from '../ports/message-handler.port.js';
import type { BatchFailure, DeadLetterQueue, QueueMessage, VisibilityChange } from '../ports/queue.port.js';
import type { IndexCircuit } from './index-circuit.js';
import type { Outcome, WorkerEvent } from './worker-events.js';

type Failed = Extract<MessageOutcome, { kind: 'failed' }>;

/** What to do with a finished message. */
export type SettlementPlan =
  | { action: 'ack'; outcome: HandledOutcome }
  | { action: 'release' }
  | { action: 'dead_letter'; failure: Failed; reason: DeadLetterReason }
  | { action: 'retry'; visibilitySeconds: number }
  | { action: 'leave_for_redrive'; visibilitySeconds: number; reason: DeadLetterReason };

export interface PlanContext {
  /** The shutdown timeout passed: whatever fails now goes straight back to the queue. */
  releasing: boolean;
  hasDeadLetterQueue: boolean;
  /** The source queue's maxReceiveCount as last read (null: unknown, or no redrive policy). */
  maxReceiveCount: number | null;
  retry: BackoffPolicy;
}

/**
 * Pure: done messages are acknowledged; failures follow the domain's FailureDecision, unless the
 * worker is releasing. A failure released on its last receive would reach the DLQ through the
 * redrive policy without its label, so with a DLQ it is dead-lettered, labelled, even then.
 */
export function planSettlement(outcome: MessageOutcome, receiveCount: number, ctx: PlanContext): SettlementPlan {
  if (outcome.kind === 'done') return { action: 'ack', outcome: outcome.outcome };
  const last = isLastReceive(receiveCount, ctx.maxReceiveCount);
  if (ctx.releasing && !(last && ctx.hasDeadLetterQueue)) return { action: 'release' };
  const decision = decideFailure(outcome.error, { receiveCount, maxReceiveCount: ctx.maxReceiveCount, hasDeadLetterQueue: ctx.hasDeadLetterQueue, backoff: ctx.retry });
  return decision.action === 'dead_letter' ? { action: 'dead_letter', failure: outcome, reason: decision.reason } : decision;
}

/** The queue calls settlement makes, one message each (batched behind these by the MicroBatchers). */
export interface SettlementPorts {
  queueUrl: string;
  delete(message: Pick<QueueMessage, 'id' | 'receiptHandle'>): Promise<BatchFailure | null>;
  changeVisibility(change: VisibilityChange): Promise<BatchFailure | null>;
  dlq?: DeadLetterQueue | undefined;
}

export interface SettlerOptions {
  retry: BackoffPolicy;
  circuit: IndexCircuit;
  clock: Clock;
  emit: (event: WorkerEvent) => void;
  releasing: () => boolean;
  /** The source queue's maxReceiveCount as last read (worker/receive-limit.ts). @defaultValue unknown */
  maxReceiveCount?: () => number | null;
}

export interface Settled {
  outcome: Outcome;
  /** Receive to the start of settlement. */
  seconds: number;
}

/**
 * Applies a plan through the ports. Nothing is deleted before it is safe: a document before it is
 * indexed (the handler resolved), a dead letter before the DLQ accepted the copy.
 */
export class Settler {
  constructor(
    private readonly ports: SettlementPorts,
    private readonly options: SettlerOptions,
  ) {}

  async settle(message: QueueMessage, outcome: MessageOutcome, receivedAt: number): Promise<Settled> {
    const { circuit, clock, emit, retry } = this.options;
    const seconds = (clock.now() - receivedAt) / 1000;
    if (outcome.kind === 'done' && (outcome.outcome === 'indexed' || outcome.outcome === 'deleted')) circuit.recordSuccess();
    if (outcome.kind === 'failed' && outcome.error.code === 'index_unavailable') {
      const pauseMs = circuit.recordFailure();
      if (pauseMs > 0) emit({ type: 'index_circuit_opened', pauseMs });
    }
    const maxReceiveCount = this.options.maxReceiveCount?.() ?? null;
    const plan = planSettlement(outcome, message.receiveCount, { releasing: this.options.releasing(), hasDeadLetterQueue: this.ports.dlq !== undefined, maxReceiveCount, retry });
    if (outcome.kind === 'failed') {
      const { receiveCount } = message;
      emit({ type: 'job_failed', messageId: message.id, receiveCount, maxReceiveCount, error: outcome.error, action: plan.action });
      if (plan.action === 'leave_for_redrive' && plan.reason === 'last_receive' && maxReceiveCount !== null) {
        emit({ type: 'left_for_redrive', messageId: message.id, receiveCount, maxReceiveCount, error: outcome.error });
      }
    }
    return { outcome: await this.apply(message, plan), seconds };
  }

  private async apply(message: QueueMessage, plan: SettlementPlan): Promise<Outcome> {
    switch (plan.action) {
      case 'ack':
        return this.ack(message, plan.outcome);
      case 'release':
        await this.ports.changeVisibility({ id: message.id, receiptHandle: message.receiptHandle, visibilitySeconds: 0 });
        return 'released';
      case 'dead_letter':
        return this.deadLetter(message, plan.failure, plan.reason);
      case 'retry':
      case 'leave_for_redrive': {
        const failure = await this.ports.changeVisibility({ id: message.id, receiptHandle: message.receiptHandle, visibilitySeconds: plan.visibilitySeconds });
        if (failure) this.options.emit({ type: 'visibility_failed', messageId: message.id, failure, purpose: 'retry' });
        // Left for the queue's redrive policy, it is on its way to the DLQ: count it there.
        return plan.action === 'retry' ? 'retried' : 'dead_lettered';
      }
    }
  }

  private async ack(message: QueueMessage, outcome: HandledOutcome): Promise<Outcome> {
    const { clock, emit } = this.options;
    const started = clock.now();
    const failure = await this.ports.delete(message);
    emit({ type: 'ack_timed', seconds: (clock.now() - started) / 1000 });
    // The document is safe; the message will come back and overwrite it with the same _id.
    if (failure) emit({ type: 'delete_failed', messageId: message.id, failure, after: 'ack' });
    return outcome;
  }

  private async deadLetter(message: QueueMessage, outcome: Failed, reason: DeadLetterReason): Promise<Outcome> {
    const { clock, emit, retry } = this.options;
    const { error } = outcome;
    try {
      // planSettlement dead-letters only when there is a DLQ.
      await this.ports.dlq!.send(
        message.body ?? '',
        {
          errorClass: error.code,
          errorMessage: error.message,
          stage: error.stage,
          sourceQueue: this.ports.queueUrl,
          failedAt: new Date(clock.now()).toISOString(),
          ...(error.contentType ? { contentType: error.contentType } : {}),
        },
        message.attributes,
      );
    } catch (err) {
      // Not yet safe in the DLQ: keep the original, retry later.
      emit({ type: 'dead_letter_failed', messageId: message.id, reason: (err as Error).message });
      await this.ports.changeVisibility({ id: message.id, receiptHandle: message.receiptHandle, visibilitySeconds: retry.baseSeconds });
      return 'retried';
    }
    const failure = await this.ports.delete(message);
    if (failure) emit({ type: 'delete_failed', messageId: message.id, failure, after: 'dead_letter' });
    emit({ type: 'dead_lettered', messageId: message.id, error, reason });
    return 'dead_lettered';
  }
}
