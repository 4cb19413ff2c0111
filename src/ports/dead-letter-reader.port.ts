import type { BatchFailure } from './queue.port.js';

/** One SQS message attribute as it must be sent back: type and value kept exactly. */
export interface MessageAttribute {
  dataType: string;
  stringValue?: string;
  binaryValue?: Uint8Array;
}

/** A message read from the DLQ with everything a redrive must preserve. */
export interface DeadLetter {
  id: string;
  receiptHandle: string;
  body: string;
  /** ApproximateReceiveCount: every read of the DLQ raises it. */
  receiveCount: number;
  /** SentTimestamp, ms since epoch. */
  sentAt: number | null;
  attributes: Record<string, MessageAttribute>;
}

export type Held = Pick<DeadLetter, 'id' | 'receiptHandle'>;

/** The DLQ as the operations read it: receive with a visibility, give back, remove. */
export interface DeadLetterReader {
  readonly url: string;
  receive(max: number, visibilitySeconds: number, waitSeconds: number): Promise<DeadLetter[]>;
  /** Visible again now (visibility 0); up to 10 per call; returns per-message failures. */
  release(messages: Held[]): Promise<BatchFailure[]>;
  /** Keeps messages invisible for another `visibilitySeconds`; up to 10 per call. */
  extend(messages: Held[], visibilitySeconds: number): Promise<BatchFailure[]>;
  /** Deletes up to 10; returns per-message failures. */
  remove(messages: Held[]): Promise<BatchFailure[]>;
  /** ApproximateNumberOfMessages (visible), for "sampled N of about M". */
  approximateVisible(): Promise<number>;
}
