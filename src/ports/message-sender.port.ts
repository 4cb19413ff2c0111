import type { MessageAttribute } from './dead-letter-reader.port.js';
import type { BatchFailure } from './queue.port.js';

export interface OutgoingMessage {
  /** Batch entry id, unique within one call. */
  id: string;
  body: string;
  attributes: Record<string, MessageAttribute>;
}

/** Sends messages to a queue given by URL (the redrive's destination varies per message). */
export interface MessageSender {
  /** Up to 10 per call; returns per-message failures and never throws for a partial failure. */
  sendBatch(queueUrl: string, messages: OutgoingMessage[]): Promise<BatchFailure[]>;
}
