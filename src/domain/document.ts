import { createHash } from 'node:crypto';

export type ExtractionStatus = 'ok' | 'empty' | 'unsupported' | 'encrypted' | 'partial' | 'failed';
export type ExtractionMethod = 'text' | 'html' | 'pdf_text' | 'ocr' | 'pdf_ocr' | 'office' | 'email' | 'archive' | 'none';

export interface OcrSummary {
  engine: string;
  languages: string;
  pages_ocr: number;
  mean_confidence: number | null;
}

/** What a file says about itself (PDF Info, office core properties, mail headers); dates in ISO 8601. */
export interface DocumentMetadata {
  title?: string;
  author?: string;
  created_at?: string;
}

/** Names listed of one archive (every level, in order): the index keeps at most this many. */
export const MAX_MEMBERS_LISTED = 1000;

/** Why a PDF page was OCR'd: it had no text layer, its text layer was garbage, or PDF_STRATEGY says every page. */
export type OcrPageReason = 'no_text' | 'garbled_text' | 'strategy';

export interface OcrPage {
  page: number;
  reason: OcrPageReason;
}

/** Pages listed per document in `extraction.ocr_pages`; a longer document keeps the first ones (its `ocr.pages_ocr` counts all). */
export const MAX_OCR_PAGES_LISTED = 100;

/** What extraction found, as the document needs it (the extractor port returns this and a thumbnail). */
export interface ExtractedText {
  contentType: string;
  text: string;
  method: ExtractionMethod;
  status: ExtractionStatus;
  detail?: string;
  pages?: number;
  /** Pages read (text layer or OCR) when fewer than `pages`: the document budget ran out. */
  pagesRead?: number;
  ocr?: OcrSummary;
  language?: string;
  truncated?: boolean;
  metadata?: DocumentMetadata;
  /** An archive's or a mail's members (paths inside it), each read into `text`. */
  members?: string[];
  /** The PDF pages that were OCR'd and why (at most MAX_OCR_PAGES_LISTED). */
  ocrPages?: OcrPage[];
  /** Length of the whole text when `text` is already cut (text reused from the index). */
  fullLength?: number;
  /** Set when the text was taken from an indexed document instead of being extracted again. */
  reused?: ReuseSource;
}

/** Where reused text came from: the document of the same key, or any document with the same checksum. */
export type ReuseSource = 'same_key' | 'content_hash';

/** One search document per S3 key, describing its current version. Field names are the index mapping's. */
export interface SearchDocument {
  bucket: string;
  key: string;
  version_id: string | null;
  etag: string | null;
  size: number;
  last_modified: string | null;
  filename: string;
  extension: string;
  content_type: string;
  content: string;
  content_length: number;
  checksum: string;
  extraction: { method: ExtractionMethod; status: ExtractionStatus; ms: number; detail?: string; ocr_pages?: OcrPage[]; reused?: ReuseSource; profile?: string };
  indexed_at: string;
  sequencer?: string | null;
  pages?: number;
  /** In _source only (the mapping is unchanged): pages read when the document budget ran out. */
  pages_read?: number;
  ocr?: OcrSummary;
  language?: string;
  truncated?: boolean;
  thumbnail_key?: string;
  title?: string;
  author?: string;
  created_at?: string;
  members?: string[];
  /** User metadata (x-amz-meta-*, names without the prefix). */
  s3_metadata?: Record<string, string>;
  /** Object tags, when S3_TAGS_ENABLED. */
  s3_tags?: Record<string, string>;
}

/** S3 reports the absent version of an unversioned bucket as the string "null". */
export function normaliseVersion(versionId: string | null | undefined): string | null {
  if (versionId === undefined || versionId === null || versionId === '' || versionId === 'null') return null;
  return versionId;
}

/**
 * Stable `_id` of a key's one document: sha256 over bucket and key, NUL-separated so no two
 * distinct pairs can collide by concatenation. A redelivery, and a newer version of the same key,
 * overwrite the same document (which version wins is the S3 sequencer's to say: domain/sequencer.ts).
 *
 * The trailing NUL keeps the ids of unversioned objects what they were when the version was part
 * of the hash (then empty for them): only documents of versioned buckets changed id (README,
 * "Versioned buckets").
 */
export function documentId(bucket: string, key: string): string {
  return createHash('sha256').update(`${bucket}\u0000${key}\u0000`).digest('hex');
}

export function filenameOf(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash >= 0 ? key.slice(slash + 1) : key;
}

export function extensionOf(key: string): string {
  const name = filenameOf(key);
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return '';
  const ext = name.slice(dot + 1).toLowerCase();
  return /^[a-z0-9]{1,10}$/.test(ext) ? ext : '';
}

/** Cap content at `maxChars` without splitting a surrogate pair. */
export function capContent(text: string, maxChars: number): { content: string; truncated: boolean } {
  if (text.length <= maxChars) return { content: text, truncated: false };
  let end = maxChars;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return { content: text.slice(0, end), truncated: true };
}

/** The stored object a document describes: the event's identity, the HEAD's metadata, the download's size and hash. */
export interface ObjectFacts {
  bucket: string;
  key: string;
  versionId: string | null;
  etag: string | null;
  lastModified: string | null;
  size: number;
  sha256: string;
  sequencer: string | null;
  /** User metadata from the HEAD, already a keyword map (coverage/s3-metadata.ts). */
  metadata?: Record<string, string>;
  /** Object tags, when they were read. */
  tags?: Record<string, string>;
}

/**
 * The search document of one object version, without its thumbnail key (set once the upload
 * succeeded). Pure: the same facts always give the same document.
 */
export function buildDocument(object: ObjectFacts, extraction: ExtractedText, opts: { extractMs: number; indexedChars: number; indexedAt: Date; profile?: string }): SearchDocument {
  const { content, truncated } = capContent(extraction.text, opts.indexedChars);
  const document: SearchDocument = {
    bucket: object.bucket,
    key: object.key,
    version_id: object.versionId,
    etag: object.etag,
    size: object.size,
    last_modified: object.lastModified,
    filename: filenameOf(object.key),
    extension: extensionOf(object.key),
    content_type: extraction.contentType,
    content,
    content_length: extraction.fullLength ?? extraction.text.length,
    checksum: object.sha256,
    extraction: {
      method: extraction.method,
      status: extraction.status,
      ms: opts.extractMs,
      ...(extraction.detail ? { detail: extraction.detail } : {}),
      ...(extraction.ocrPages?.length ? { ocr_pages: extraction.ocrPages.slice(0, MAX_OCR_PAGES_LISTED) } : {}),
      ...(extraction.reused ? { reused: extraction.reused } : {}),
      ...(opts.profile ? { profile: opts.profile } : {}),
    },
    indexed_at: opts.indexedAt.toISOString(),
    sequencer: object.sequencer,
  };
  if (extraction.pages !== undefined) document.pages = extraction.pages;
  if (extraction.pagesRead !== undefined) document.pages_read = extraction.pagesRead;
  if (extraction.ocr) document.ocr = extraction.ocr;
  if (extraction.language) document.language = extraction.language;
  if (truncated || extraction.truncated) document.truncated = true;
  const { title, author, created_at } = extraction.metadata ?? {};
  if (title) document.title = title;
  if (author) document.author = author;
  if (created_at) document.created_at = created_at;
  if (extraction.members && extraction.members.length > 0) document.members = extraction.members.slice(0, MAX_MEMBERS_LISTED);
  if (object.metadata) document.s3_metadata = object.metadata;
  if (object.tags) document.s3_tags = object.tags;
  return document;
}
