import type { KeyFilter, KeyVerdict } from '../domain/coverage/key-filter.js';
import type { ReuseSource } from '../domain/document.js';
import type { Stage } from '../domain/errors.js';
import type { IndexLookup } from '../ports/index-lookup.port.js';
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
  /** INCLUDE_KEYS / EXCLUDE_KEYS (and docsift's own objects): a key it does not keep is acknowledged unread. */
  keyFilter?: KeyFilter;
  onFiltered?: (verdict: Exclude<KeyVerdict, 'keep'>) => void;
  /** S3_TAGS_ENABLED: one GetObjectTagging per object, into `s3_tags`. */
  s3Tags?: boolean;
  /** EXTRACTION_REUSE: where indexed text is looked up before extracting again. */
  reuse?: IndexLookup;
  /** The settings behind an extraction (config/extraction-profile.ts): stored with each document, and text is reused only from a document of the same profile. */
  extractionProfile?: string;
  onReuse?: (source: ReuseSource) => void;
  observe: (stage: Stage, seconds: number) => void;
  onBytes?: (n: number) => void;
  warn: (event: LogEvent, fields: Record<string, unknown>) => void;
  now?: () => Date;
}
