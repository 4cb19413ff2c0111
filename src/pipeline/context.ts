import type { Stage } from '../domain/errors.js';
import type { Extractor } from '../ports/extractor.port.js';
import type { LogEvent } from '../ports/logger.port.js';
import type { ObjectStore } from '../ports/object-store.port.js';
import type { SearchIndex } from '../ports/search-index.port.js';

/** Everything the use case needs, as ports and plain values. Built in main.ts. */
export interface PipelineContext {
  objects: ObjectStore;
  extractor: Extractor;
  index: SearchIndex;
  tempDir: string;
  maxFileBytes: number;
  indexedChars: number;
  /** DOCUMENT_BUDGET in ms: how long one document may read pages, from the start of its message. */
  documentBudgetMs?: number;
  /** Where thumbnails go; null bucket means the source object's bucket. Undefined: no uploads. */
  thumbnails?: { bucket: string | null; prefix: string };
  /** Events for keys under these prefixes are acknowledged and ignored (our own thumbnails). */
  ignoreKeyPrefixes: string[];
  observe: (stage: Stage, seconds: number) => void;
  onBytes?: (n: number) => void;
  warn: (event: LogEvent, fields: Record<string, unknown>) => void;
  now?: () => Date;
}
