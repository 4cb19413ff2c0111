import { DocsiftError, toDocsiftError } from '../domain/errors.js';
import { parseMessageBody, type ObjectEvent } from '../domain/message.js';
import type { HandledOutcome, MessageOutcome } from '../ports/message-handler.port.js';
import type { QueueMessage } from '../ports/queue.port.js';
import type { PipelineContext } from './context.js';
import { deleteObject, upsertObject } from './process-object.js';

function ignored(event: ObjectEvent, ctx: PipelineContext): boolean {
  return ctx.ignoreKeyPrefixes.some((prefix) => prefix !== '' && event.key.startsWith(prefix));
}

/**
 * One message → every object change it carries, in order. It is done only when all of them are
 * durably indexed; any failure fails the whole message (re-running the ones that succeeded is an
 * idempotent overwrite).
 */
export async function processMessage(message: QueueMessage, ctx: PipelineContext, signal?: AbortSignal): Promise<MessageOutcome> {
  let events: ObjectEvent[];
  try {
    const parsed = parseMessageBody(message.body);
    if (parsed.kind === 'ignore') return { kind: 'done', outcome: 'ignored', objects: 0 };
    events = parsed.events.filter((e) => !ignored(e, ctx));
    if (events.length === 0) return { kind: 'done', outcome: 'ignored', objects: 0 };
  } catch (err) {
    return { kind: 'failed', error: toDocsiftError(err, 'parse') };
  }
  let last: HandledOutcome = 'ignored';
  for (const event of events) {
    if (signal?.aborted) return { kind: 'failed', error: new DocsiftError('processing_timeout', 'extract', 'processing timed out') };
    try {
      if (event.action === 'delete') last = await deleteObject(event, ctx);
      else last = (await upsertObject(event, ctx, signal)).outcome;
    } catch (err) {
      const error = signal?.aborted && !(err instanceof DocsiftError && err.permanent)
        ? new DocsiftError('processing_timeout', err instanceof DocsiftError ? err.stage : 'extract', 'processing timed out', { cause: err })
        : toDocsiftError(err, 'extract');
      const contentType = (err as { contentType?: string }).contentType;
      return contentType ? { kind: 'failed', error, contentType } : { kind: 'failed', error };
    }
  }
  return { kind: 'done', outcome: last, objects: events.length };
}
