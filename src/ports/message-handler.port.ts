import type { DocsiftError } from '../domain/errors.js';
import type { QueueMessage } from './queue.port.js';

/** What a handled message did to the index. */
export type HandledOutcome = 'indexed' | 'deleted' | 'ignored';

/** The result the loop settles a message by: acknowledge it, or apply the failure decision. */
export type MessageOutcome =
  | { kind: 'done'; outcome: HandledOutcome; objects: number }
  | { kind: 'failed'; error: DocsiftError };

/**
 * The use case the loop runs for one message (pipeline/process-message.ts, bound to its ports in
 * main.ts). It resolves, never rejects, for anything it can classify; `signal` aborts on
 * PROCESSING_TIMEOUT and on shutdown.
 */
export type MessageHandler = (message: QueueMessage, signal: AbortSignal) => Promise<MessageOutcome>;
