import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

/** The text layer of one page, lines kept; pdfjs marks line ends with `hasEOL`. */
export async function pageText(page: PDFPageProxy): Promise<string> {
  const content = await page.getTextContent();
  let text = '';
  for (const item of content.items as TextItemLike[]) {
    if (typeof item.str === 'string') text += item.str;
    if (item.hasEOL) text += '\n';
  }
  return text.replace(/[ \t]+\n/g, '\n').trim();
}

/** Characters that are not whitespace: a page with fewer than the threshold counts as scanned. */
export function visibleChars(text: string): number {
  return text.replace(/\s+/g, '').length;
}
