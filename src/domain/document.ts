import { createHash } from 'node:crypto';

export type ExtractionStatus = 'ok' | 'empty' | 'unsupported' | 'encrypted' | 'partial' | 'failed';
export type ExtractionMethod = 'text' | 'html' | 'pdf_text' | 'ocr' | 'pdf_ocr' | 'office' | 'none';

export interface OcrSummary {
  engine: string;
  languages: string;
  pages_ocr: number;
  mean_confidence: number | null;
}

/** One search document per S3 object version. Field names are the index mapping's. */
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
  extraction: { method: ExtractionMethod; status: ExtractionStatus; ms: number; detail?: string };
  indexed_at: string;
  sequencer?: string | null;
  pages?: number;
  ocr?: OcrSummary;
  language?: string;
  truncated?: boolean;
  thumbnail_key?: string;
}

/** S3 reports the absent version of an unversioned bucket as the string "null". */
export function normaliseVersion(versionId: string | null | undefined): string | null {
  if (versionId === undefined || versionId === null || versionId === '' || versionId === 'null') return null;
  return versionId;
}

/**
 * Stable `_id`: sha256 over bucket, key and version, NUL-separated so no two distinct triples can
 * collide by concatenation. A redelivery therefore overwrites the same document.
 */
export function documentId(bucket: string, key: string, versionId: string | null | undefined): string {
  const version = normaliseVersion(versionId) ?? '';
  return createHash('sha256').update(`${bucket}\u0000${key}\u0000${version}`).digest('hex');
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
