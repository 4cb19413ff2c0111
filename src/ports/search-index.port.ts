import type { SearchDocument } from '../domain/document.js';

/**
 * `version`, when set, makes the write conditional (OpenSearch `version_type: external`): it applies
 * only if it is higher than the stored one, so a late, older event cannot undo a newer one. It
 * comes from the S3 event `sequencer` (domain/sequencer.ts); a lower-or-equal version means a newer
 * event already won, and the sink reports that as success.
 */
export type IndexOperation =
  | { type: 'index'; id: string; document: SearchDocument; version?: bigint }
  | { type: 'delete'; id: string; version?: bigint };

export interface SearchIndex {
  /** Applies the index template when missing; never overwrites a newer one. */
  ensureReady(): Promise<void>;
  /**
   * Queues an operation into the next bulk request and resolves once it is durably applied
   * (file sink: written and fsynced). Rejects with a classified DocsiftError for that item only.
   */
  write(op: IndexOperation): Promise<void>;
  /** Sends whatever is buffered now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
