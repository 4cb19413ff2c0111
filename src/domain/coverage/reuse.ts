import type { ExtractedText, ReuseSource, SearchDocument } from '../document.js';

/** Outcomes final enough to keep: a failed or partial extraction is worth another try. */
const FINAL = new Set(['ok', 'empty', 'unsupported', 'encrypted']);

/**
 * The text of an indexed document, to stand in for extracting the same bytes again, or null when
 * it cannot: another checksum, an extraction that did not finish, or content cut shorter than
 * INDEXED_CHARS now keeps (the index holds only the cut text).
 */
export function reusableText(stored: Partial<SearchDocument> | null, sha256: string, indexedChars: number, source: ReuseSource): ExtractedText | null {
  if (!stored || stored.checksum !== sha256 || typeof stored.content !== 'string') return null;
  const extraction = stored.extraction;
  if (!extraction || !FINAL.has(extraction.status)) return null;
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
  return text;
}
