import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

export interface PageTextLimits {
  /** Characters still allowed for the document. */
  maxChars: number;
  /** Text items the page may list (each form XObject drawn re-lists its text). */
  maxItems: number;
}

export interface PageText {
  text: string;
  /** Why reading stopped early, if it did. */
  cut: 'chars' | 'items' | null;
}

/**
 * The text layer of one page, lines kept (pdf.js marks line ends with `hasEOL`), read from pdf.js's
 * stream of text chunks and cancelled at the limits: a page of forms drawing forms repeats its text
 * fan-out times, and without the stream the whole repetition was built before anything was cut.
 */
export async function pageText(page: PDFPageProxy, limits: PageTextLimits): Promise<PageText> {
  const reader = page.streamTextContent().getReader();
  let text = '';
  let items = 0;
  let cut: PageText['cut'] = null;
  try {
    while (cut === null) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const item of (value as { items: TextItemLike[] }).items) {
        items += 1;
        if (typeof item.str === 'string') text += item.str;
        if (item.hasEOL) text += '\n';
        if (text.length >= limits.maxChars) cut = 'chars';
        else if (items >= limits.maxItems) cut = 'items';
        if (cut) break;
      }
    }
  } finally {
    // Not cancel(): pdf.js then answers the cancelled stream's close with a throw of its own
    // ("Controller is already closed"). An unread stream stops its producer by backpressure, and
    // the caller destroys the document right after a cut, which ends it.
    reader.releaseLock();
  }
  const tidy = text.replace(/[ \t]+\n/g, '\n').trim();
  return { text: cut === 'chars' ? tidy.slice(0, limits.maxChars) : tidy, cut };
}

/** Characters that are not whitespace: a page with fewer than the threshold counts as scanned. */
export function visibleChars(text: string): number {
  return text.replace(/\s+/g, '').length;
}
