import type { DocumentMetadata } from '../../../domain/document.js';
import { streamXml, type SaxHandler } from './xml-stream.js';
import type { OfficeZip } from './zip.js';

/** Characters kept of one property: a title is a line, not a document. */
const MAX_PROPERTY_CHARS = 1000;

/** Which element holds which field, in OOXML core properties and ODF meta.xml. */
const FIELDS: Record<string, keyof DocumentMetadata> = {
  'dc:title': 'title',
  'dc:creator': 'author',
  'meta:initial-creator': 'author',
  'dcterms:created': 'created_at',
  'meta:creation-date': 'created_at',
};

class Properties implements SaxHandler {
  readonly found: DocumentMetadata = {};
  private field: keyof DocumentMetadata | undefined;
  private value = '';

  open(name: string): void {
    this.field = FIELDS[name];
    this.value = '';
  }
  text(text: string): void {
    if (this.field && this.value.length < MAX_PROPERTY_CHARS) this.value += text.slice(0, MAX_PROPERTY_CHARS - this.value.length);
  }
  close(name: string): void {
    const field = FIELDS[name];
    const value = this.value.trim();
    // ODF's meta:initial-creator is the author; dc:creator there is the last editor, kept only without one.
    if (field && field === this.field && value !== '' && (this.found[field] === undefined || name === 'meta:initial-creator')) this.found[field] = value;
    this.field = undefined;
  }
  done(): boolean {
    return false;
  }
}

/** An ISO 8601 date as the index stores it, or nothing when the property is not one. */
export function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * Title, author and creation date from `docProps/core.xml` (OOXML) or `meta.xml` (ODF). A missing
 * or unreadable part gives no metadata: it never fails the document, whose text is what matters.
 */
export async function officeMetadata(zip: OfficeZip): Promise<DocumentMetadata | undefined> {
  const part = ['docProps/core.xml', 'meta.xml'].find((name) => zip.has(name));
  if (!part) return undefined;
  const properties = new Properties();
  try {
    await streamXml(zip, part, properties);
  } catch {
    return undefined;
  }
  const { title, author } = properties.found;
  const created = isoDate(properties.found.created_at);
  const metadata: DocumentMetadata = { ...(title ? { title } : {}), ...(author ? { author } : {}), ...(created ? { created_at: created } : {}) };
  return Object.keys(metadata).length > 0 ? metadata : undefined;
}
