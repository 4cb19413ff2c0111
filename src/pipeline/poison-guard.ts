import { DocsiftError, toDocsiftError } from '../domain/errors.js';
import { poisonVerdict } from '../domain/poison.js';
import type { InflightJournal } from '../ports/inflight-journal.port.js';
import { ExclusiveLock } from './exclusive-lock.js';
import type { MessageHandler } from '../ports/message-handler.port.js';

export interface PoisonGuardDeps {
  journal: InflightJournal;
  warn: (event: 'poison_suspect' | 'journal_failed', fields: Record<string, unknown>) => void;
}

/**
 * Wraps the message handler so that a message which kills the worker process is recognised and
 * dead-lettered instead of killing every process that receives it. Each message is written to the
 * journal while it is processed. After a death, the messages that were in flight are suspects:
 * each is processed alone, every other message held back, so if the process dies again the
 * journal names the one it died with, and the next receive dead-letters it as `poison` without
 * running it. Suspects that finish are cleared; their neighbours never noticed.
 */
export function guardAgainstPoison(handle: MessageHandler, deps: PoisonGuardDeps): MessageHandler {
  const lock = new ExclusiveLock();
  return async (message, signal) => {
    const verdict = poisonVerdict(deps.journal.suspect(message.id));
    if (verdict.action === 'dead_letter') {
      deps.warn('poison_suspect', { message_id: message.id, action: 'dead_letter', crashes: verdict.crashes, receive_count: message.receiveCount });
      const error = new DocsiftError(
        'poison',
        'extract',
        `the worker process died ${verdict.crashes} time(s) while this message was being processed, the last time with it alone: not processed again`,
      );
      return { kind: 'failed', error };
    }
    const isolated = verdict.action === 'isolate';
    try {
      return await lock.run(isolated, signal, async () => {
        // Logged once it runs alone: if the process dies now, this message is the one.
        if (isolated) deps.warn('poison_suspect', { message_id: message.id, action: 'isolate', crashes: verdict.crashes, receive_count: message.receiveCount });
        await deps.journal.begin(message.id, isolated);
        try {
          return await handle(message, signal);
        } finally {
          // The outcome stands even if the entry cannot be removed: at worst the message is a suspect once.
          await deps.journal.end(message.id).catch((err: unknown) => deps.warn('journal_failed', { message_id: message.id, reason: (err as Error).message }));
        }
      });
    } catch (err) {
      // The lock's wait was aborted (PROCESSING_TIMEOUT), or the journal could not be written.
      const error = signal.aborted ? new DocsiftError('processing_timeout', 'extract', 'timed out waiting behind a suspect message', { cause: err }) : toDocsiftError(err, 'extract');
      return { kind: 'failed', error };
    }
  };
}
