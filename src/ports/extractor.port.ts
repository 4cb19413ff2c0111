import type { ExtractedText } from '../domain/document.js';

export interface ExtractInput {
  /** Local temp file holding the object's bytes. */
  path: string;
  size: number;
  filename: string;
  extension: string;
  /** Content-Type the uploader declared, if any; the bytes decide. */
  declaredContentType: string | null;
  /** Upper bound on characters the caller will keep, so extractors can stop early. */
  maxChars: number;
  /**
   * Epoch ms after which no new page is started (DOCUMENT_BUDGET from the message's start): what was
   * read by then is returned as partial. Absent: no budget.
   */
  deadline?: number;
}

export interface Thumbnail {
  data: Buffer;
  contentType: string;
  extension: string;
}

export interface Extraction extends ExtractedText {
  thumbnail?: Thumbnail;
}

export interface Extractor {
  /** Throws a DocsiftError for failures that must not be indexed (timeouts, bombs). */
  extract(input: ExtractInput, signal?: AbortSignal): Promise<Extraction>;
  close(): Promise<void>;
}
