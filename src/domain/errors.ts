/**
 * The closed set of error classes. Every failure anywhere in docsift is translated at the
 * adapter edge into exactly one of these; the DLQ tools (stats, redrive by class) rely on the
 * codes being stable, so never rename one.
 */
export const ERROR_CLASSES = {
  bad_message: 'permanent',
  not_found: 'permanent',
  access_denied: 'permanent',
  too_large: 'permanent',
  corrupt_file: 'permanent',
  decompression_bomb: 'permanent',
  index_rejected: 'permanent',
  too_complex: 'permanent',
  extract_crashed: 'permanent',
  poison: 'permanent',
  processing_timeout: 'transient',
  ocr_timeout: 'transient',
  ocr_failed: 'transient',
  fetch_failed: 'transient',
  index_unavailable: 'transient',
  throttled: 'throttled',
  connection: 'connection',
  internal: 'transient',
} as const satisfies Record<string, ErrorKind>;

export type ErrorClass = keyof typeof ERROR_CLASSES;
/** transient: retry later; permanent: DLQ now; throttled/connection: back off and retry. */
export type ErrorKind = 'transient' | 'permanent' | 'throttled' | 'connection';
export type Stage = 'parse' | 'fetch' | 'extract' | 'ocr' | 'thumbnail' | 'index' | 'ack' | 'receive' | 'dlq';

export const ERROR_CLASS_NAMES = Object.keys(ERROR_CLASSES) as ErrorClass[];

export function isErrorClass(value: string): value is ErrorClass {
  return Object.prototype.hasOwnProperty.call(ERROR_CLASSES, value);
}

export function kindOf(code: ErrorClass): ErrorKind {
  return ERROR_CLASSES[code];
}

export class DocsiftError extends Error {
  override readonly name = 'DocsiftError';
  /** The object's detected content type, when the failure came after detection (a DLQ attribute, for grouping failures by type). */
  contentType?: string;

  constructor(
    readonly code: ErrorClass,
    readonly stage: Stage,
    message: string,
    options?: { cause?: unknown; contentType?: string | undefined },
  ) {
    super(message, options);
    if (options?.contentType) this.contentType = options.contentType;
  }

  /** Records the content type unless the error already carries one (the innermost knows best). */
  withContentType(contentType: string | undefined): this {
    if (contentType && !this.contentType) this.contentType = contentType;
    return this;
  }

  get kind(): ErrorKind {
    return kindOf(this.code);
  }

  get permanent(): boolean {
    return this.kind === 'permanent';
  }
}

/** Anything that is not already classified is an internal, retryable fault at the given stage. */
export function toDocsiftError(err: unknown, stage: Stage): DocsiftError {
  if (err instanceof DocsiftError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DocsiftError('internal', stage, message, { cause: err });
}

/** Bounded, single-line error text for logs and DLQ attributes. */
export function truncateMessage(message: string, max = 500): string {
  const flat = message.replace(/[\r\n\t]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
