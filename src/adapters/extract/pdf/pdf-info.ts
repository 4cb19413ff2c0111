import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { DocumentMetadata } from '../../../domain/document.js';
import type { Extraction } from '../../../ports/extractor.port.js';

const MAX_FIELD_CHARS = 1000;
/** A PDF date: `D:YYYYMMDDHHmmSS` with an optional `Z` or `+HH'mm'` offset; every part after the year optional. */
const PDF_DATE = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(?:([Zz])|([+-])(\d{2})'?(\d{2})?'?)?/;

/** A PDF date string as ISO 8601, or nothing when it is not one. */
export function pdfDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = PDF_DATE.exec(value.trim());
  if (!m) return undefined;
  const [year, month = 1, day = 1, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((p) => (p === undefined ? undefined : Number(p)));
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10] ?? 0)) : 0;
  const time = Date.UTC(year!, month - 1, day, hour, minute, second) - offset * 60_000;
  return Number.isNaN(time) || month > 12 || day > 31 ? undefined : new Date(time).toISOString();
}

const field = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, MAX_FIELD_CHARS) : undefined);

/** Title, Author and CreationDate from the document information dictionary; none when it cannot be read. */
export async function pdfMetadata(doc: PDFDocumentProxy): Promise<DocumentMetadata | undefined> {
  const info = (await doc.getMetadata().catch(() => undefined))?.info as Record<string, unknown> | undefined;
  if (!info) return undefined;
  const title = field(info['Title']);
  const author = field(info['Author']);
  const created = pdfDate(info['CreationDate']);
  const metadata: DocumentMetadata = { ...(title ? { title } : {}), ...(author ? { author } : {}), ...(created ? { created_at: created } : {}) };
  return Object.keys(metadata).length > 0 ? metadata : undefined;
}

export function withMetadata(extraction: Extraction, metadata: DocumentMetadata | undefined): Extraction {
  if (metadata) extraction.metadata = metadata;
  return extraction;
}
