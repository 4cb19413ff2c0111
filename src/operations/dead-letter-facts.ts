import type { DeadLetterFacts } from '../domain/dlq/dlq-stats.js';
import type { DeadLetter } from '../ports/dead-letter-reader.port.js';
import { DLQ_ATTRIBUTE } from '../ports/queue.port.js';

/** The string value of one DLQ attribute, or null. */
export function attributeOf(message: DeadLetter, name: string): string | null {
  const value = message.attributes[name]?.stringValue;
  return value === undefined || value === '' ? null : value;
}

/** Reads the worker's DLQ attributes (DLQ_ATTRIBUTE) off one message. */
export function factsOf(message: DeadLetter): DeadLetterFacts {
  return {
    id: message.id,
    errorClass: attributeOf(message, DLQ_ATTRIBUTE.errorClass),
    stage: attributeOf(message, DLQ_ATTRIBUTE.stage),
    contentType: attributeOf(message, DLQ_ATTRIBUTE.contentType),
    failedAt: attributeOf(message, DLQ_ATTRIBUTE.failedAt),
    sentAt: message.sentAt,
    receiveCount: message.receiveCount,
  };
}

export const ERROR_ATTRIBUTE_NAMES: readonly string[] = Object.values(DLQ_ATTRIBUTE);
