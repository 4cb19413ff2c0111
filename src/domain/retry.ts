import { exponentialBackoff } from './backoff.js';
import type { DocsiftError } from './errors.js';

/**
 * Why a message leaves for the DLQ: its failure is permanent, or it failed (transiently) on the
 * last receive the source queue's redrive policy allows.
 */
export type DeadLetterReason = 'permanent' | 'last_receive';

/** What to do with a message whose processing failed. */
export type FailureDecision =
  | { action: 'retry'; visibilitySeconds: number }
  | { action: 'dead_letter'; reason: DeadLetterReason }
  | { action: 'leave_for_redrive'; visibilitySeconds: number; reason: DeadLetterReason };

export interface BackoffPolicy {
  /** visibility after the first failed receive, seconds */
  baseSeconds: number;
  /** ceiling, seconds (SQS allows at most 12 hours) */
  maxSeconds: number;
}

/** What the decision needs to know besides the error. */
export interface FailureContext {
  /** ApproximateReceiveCount of this delivery: 1 on the first. */
  receiveCount: number;
  /** The source queue's RedrivePolicy maxReceiveCount as last read; null when unknown or there is none. */
  maxReceiveCount: number | null;
  /** DLQ_URL is set: docsift sends dead letters itself, with their error attributes. */
  hasDeadLetterQueue: boolean;
  backoff: BackoffPolicy;
}

export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Exponential backoff on the receive count: base * 2^(n-1), capped. Throttling and connection
 * faults start one step higher because the peer is already struggling.
 */
export function backoffSeconds(receiveCount: number, policy: BackoffPolicy, boost = 0): number {
  const attempt = Math.max(1, Math.floor(receiveCount)) + boost;
  const seconds = exponentialBackoff(attempt, { base: policy.baseSeconds, max: policy.maxSeconds });
  return Math.min(SQS_MAX_VISIBILITY_SECONDS, Math.max(0, Math.round(seconds)));
}

/**
 * SQS moves a message to the redrive policy's DLQ when a receive would exceed maxReceiveCount, so
 * the delivery numbered maxReceiveCount is the last one a consumer sees. ApproximateReceiveCount
 * can run ahead of the real count (it is approximate), hence `>=`.
 */
export function isLastReceive(receiveCount: number, maxReceiveCount: number | null): boolean {
  return maxReceiveCount !== null && receiveCount >= maxReceiveCount;
}

export function decideFailure(error: DocsiftError, ctx: FailureContext): FailureDecision {
  if (error.permanent) {
    // Without our own DLQ the queue's redrive policy moves it: make it visible again at once so it
    // reaches maxReceiveCount quickly instead of idling for a whole visibility timeout.
    return ctx.hasDeadLetterQueue ? { action: 'dead_letter', reason: 'permanent' } : { action: 'leave_for_redrive', visibilitySeconds: 0, reason: 'permanent' };
  }
  const boost = error.kind === 'throttled' || error.kind === 'connection' ? 1 : 0;
  const visibilitySeconds = backoffSeconds(ctx.receiveCount, ctx.backoff, boost);
  if (!isLastReceive(ctx.receiveCount, ctx.maxReceiveCount)) return { action: 'retry', visibilitySeconds };
  // The redrive policy would move it on the next receive without a word of why: label it ourselves.
  // Without a DLQ of our own it keeps its backoff (a stale maxReceiveCount then costs nothing) and
  // the settlement logs the class, the only place it is still known.
  return ctx.hasDeadLetterQueue ? { action: 'dead_letter', reason: 'last_receive' } : { action: 'leave_for_redrive', visibilitySeconds, reason: 'last_receive' };
}
