import { DocsiftError, toDocsiftError } from '../domain/errors.js';
import { parseMessageBody, type ObjectEvent } from '../domain/message.js';
import type { HandledOutcome, MessageOutcome } from '../ports/message-handler.port.js';
import type { QueueMessage } from '../ports/queue.port.js';
import type { PipelineContext } from './context.js';
import { deleteObject, upsertObject } from './process-object.js';

function ignored(event: ObjectEvent, ctx: PipelineContext): boolean {
  if (ctx.ignoreKeyPrefixes.some((prefix) => prefix !== '' && event.key.startsWith(prefix))) return true;
  const verdict = ctx.keyFilter?.verdict(event.bucket, event.key) ?? 'keep';
  if (verdict === 'keep') return false;
  ctx.onFiltered?.(verdict);
  return true;
}

/** A failure after an abort is the timeout's doing, unless it is permanent anyway; the content type survives either way. */
function classify(err: unknown, signal: AbortSignal | undefined): DocsiftError {
  if (!signal?.aborted || (err instanceof DocsiftError && err.permanent)) return toDocsiftError(err, 'extract');
  const original = err instanceof DocsiftError ? err : undefined;
  return new DocsiftError('processing_timeout', original?.stage ?? 'extract', 'processing timed out', { cause: err, contentType: original?.contentType });
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
      if (event.action === 'delete') last = await deleteObject(event, ctx, signal);
      else last = await upsertObject(event, ctx, signal);
    } catch (err) {
      return { kind: 'failed', error: classify(err, signal) };
    }
  }
  return { kind: 'done', outcome: last, objects: events.length };
}
