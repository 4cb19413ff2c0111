import { exponentialBackoff } from './backoff.js';
import type { DocsiftError } from './errors.js';

/** What to do with a message whose processing failed. */
export type FailureDecision =
  | { action: 'retry'; visibilitySeconds: number }
  | { action: 'dead_letter' }
  | { action: 'leave_for_redrive'; visibilitySeconds: number };

export interface BackoffPolicy {
  /** visibility after the first failed receive, seconds */
  baseSeconds: number;
  /** ceiling, seconds (SQS allows at most 12 hours) */
  maxSeconds: number;
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

export function decideFailure(
  error: DocsiftError,
  receiveCount: number,
  hasDeadLetterQueue: boolean,
  policy: BackoffPolicy,
): FailureDecision {
  if (error.permanent) {
    // Without our own DLQ the queue's redrive policy moves it: make it visible again at once so it
    // reaches maxReceiveCount quickly instead of idling for a whole visibility timeout.
    return hasDeadLetterQueue ? { action: 'dead_letter' } : { action: 'leave_for_redrive', visibilitySeconds: 0 };
  }
  const boost = error.kind === 'throttled' || error.kind === 'connection' ? 1 : 0;
  return { action: 'retry', visibilitySeconds: backoffSeconds(receiveCount, policy, boost) };
}
