import type { ErrorClass, Stage } from '../domain/errors.js';
import type { RedrivePolicyRead } from '../domain/redrive-policy.js';

export interface QueueMessage {
  id: string;
  receiptHandle: string;
  body: string | undefined;
  /** ApproximateReceiveCount: 1 on first delivery. */
  receiveCount: number;
  /** SentTimestamp, ms since epoch, when known. */
  sentAt: number | null;
  attributes: Record<string, string>;
}

export interface BatchFailure {
  id: string;
  code: string;
  message: string;
  senderFault: boolean;
}

export interface VisibilityChange {
  id: string;
  receiptHandle: string;
  visibilitySeconds: number;
}

export interface DeadLetterAttributes {
  errorClass: ErrorClass;
  errorMessage: string;
  stage: Stage;
  sourceQueue: string;
  failedAt: string;
  /** Content type of the object, when the failure happened after detection. */
  contentType?: string;
}

/** SQS message attribute names used on dead-lettered messages; the DLQ tools read them back. */
export const DLQ_ATTRIBUTE = {
  errorClass: 'error_class',
  errorMessage: 'error_message',
  stage: 'stage',
  sourceQueue: 'source_queue',
  failedAt: 'failed_at',
  contentType: 'content_type',
} as const;

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** The work queue as the worker loop needs it. Adapters translate SDK errors to DocsiftError. */
export interface WorkQueue {
  readonly url: string;
  receive(max: number, waitSeconds: number, visibilitySeconds: number, signal?: AbortSignal): Promise<QueueMessage[]>;
  /** Deletes up to 10 messages; returns the per-message failures (never throws for partial failure). */
  deleteBatch(messages: Array<Pick<QueueMessage, 'id' | 'receiptHandle'>>): Promise<BatchFailure[]>;
  changeVisibilityBatch(changes: VisibilityChange[]): Promise<BatchFailure[]>;
  depth(): Promise<QueueDepth>;
}

/** The source queue's redrive policy, read at start-up and periodically (its maxReceiveCount marks a message's last receive). */
export interface RedrivePolicySource {
  /** Throws a classified DocsiftError when the queue cannot be asked; a queue without a policy is `{ kind: 'none' }`. */
  redrivePolicy(): Promise<RedrivePolicyRead>;
}

/** Where failed messages go (permanent ones, and transient ones on their last receive), with the error attached as message attributes. */
export interface DeadLetterQueue {
  readonly url: string;
  send(body: string, attributes: DeadLetterAttributes, original: Record<string, string>): Promise<void>;
  depth(): Promise<QueueDepth>;
}
