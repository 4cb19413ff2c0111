import type { SearchDocument } from '../domain/document.js';

export type IndexOperation =
  | { type: 'index'; id: string; document: SearchDocument }
  | { type: 'delete'; id: string };

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
