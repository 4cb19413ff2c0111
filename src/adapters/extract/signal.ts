import { DocsiftError, type Stage } from '../../domain/errors.js';

/** The caller's PROCESSING_TIMEOUT fired: stop at the next step boundary. */
export function throwIfAborted(signal: AbortSignal | undefined, stage: Stage = 'extract'): void {
  if (signal?.aborted) throw abortedError(signal, stage);
}

export function abortedError(signal: AbortSignal | undefined, stage: Stage = 'extract'): DocsiftError {
  const reason = signal?.reason;
  if (reason instanceof DocsiftError) return reason;
  const why = reason instanceof Error ? reason.message : 'aborted';
  return new DocsiftError('processing_timeout', stage, `processing aborted: ${why}`, { cause: reason });
}
