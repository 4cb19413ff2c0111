import { createHash } from 'node:crypto';
import type { ExtractedText, ReuseSource, SearchDocument } from '../document.js';

/**
 * Outcomes final enough to keep. A failed or partial extraction is worth another try, and so is
 * `unsupported`: a later docsift may read the format (or OCR be switched on).
 */
export const REUSABLE_STATUSES = ['ok', 'empty', 'encrypted'] as const;
const FINAL = new Set<string>(REUSABLE_STATUSES);

/**
 * Bump when a docsift release extracts different text from the same bytes under the same settings
 * (a decoder fixed, a reader added to a format that was already read): documents of the previous
 * generation are then extracted again instead of reused.
 */
export const EXTRACTION_GENERATION = 1;

/**
 * What decided an extraction, as a short hash stored in `extraction.profile`: the settings that
 * change the text extracted from given bytes (OCR on or off, its languages, the PDF strategy and
 * limits, thumbnails) and the generation. Text is reused only from a document of the same profile,
 * so switching OCR on, raising MAX_PDF_PAGES or enabling thumbnails is not undone by reuse.
 */
export function extractionProfile(settings: Record<string, string | number | boolean | readonly string[]>): string {
  const canonical = JSON.stringify(Object.keys(settings).sort().map((k) => [k, settings[k]]));
  return createHash('sha256').update(`${EXTRACTION_GENERATION}\u0000${canonical}`).digest('hex').slice(0, 16);
}

/**
 * The text of an indexed document, to stand in for extracting the same bytes again, or null when
 * it cannot: another checksum, another extraction profile, an extraction that did not finish, or
 * content cut shorter than INDEXED_CHARS now keeps (the index holds only the cut text).
 */
export function reusableText(stored: Partial<SearchDocument> | null, sha256: string, indexedChars: number, source: ReuseSource, profile: string | undefined): ExtractedText | null {
  if (!stored || stored.checksum !== sha256 || typeof stored.content !== 'string') return null;
  const extraction = stored.extraction;
  if (!extraction || !FINAL.has(extraction.status) || extraction.profile !== profile) return null;
  const fullLength = typeof stored.content_length === 'number' ? stored.content_length : stored.content.length;
  if (fullLength > stored.content.length && stored.content.length < indexedChars) return null;
  const text: ExtractedText = {
    contentType: stored.content_type ?? 'application/octet-stream',
    text: stored.content,
    method: extraction.method,
    status: extraction.status,
    fullLength,
    reused: source,
  };
  if (extraction.detail) text.detail = extraction.detail;
  if (stored.pages !== undefined) text.pages = stored.pages;
  if (stored.ocr) text.ocr = stored.ocr;
  if (stored.language) text.language = stored.language;
  if (stored.truncated) text.truncated = true;
  // What the reader found besides the text: a reused document must not lose it.
  const metadata = { ...(stored.title ? { title: stored.title } : {}), ...(stored.author ? { author: stored.author } : {}), ...(stored.created_at ? { created_at: stored.created_at } : {}) };
  if (Object.keys(metadata).length > 0) text.metadata = metadata;
  if (stored.members?.length) text.members = stored.members;
  if (extraction.ocr_pages?.length) text.ocrPages = extraction.ocr_pages;
  return text;
}
