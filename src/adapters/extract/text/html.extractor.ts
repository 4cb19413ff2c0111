import { convert, type HtmlToTextOptions } from 'html-to-text';
import type { Extraction } from '../../../ports/extractor.port.js';
import { readText } from './decode.js';

const NO_UPPERCASE = { uppercase: false };

/** Words only: no URLs after links, no image alt noise, headings kept in their case. */
const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: NO_UPPERCASE },
    { selector: 'h2', options: NO_UPPERCASE },
    { selector: 'h3', options: NO_UPPERCASE },
    { selector: 'h4', options: NO_UPPERCASE },
    { selector: 'h5', options: NO_UPPERCASE },
    { selector: 'h6', options: NO_UPPERCASE },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
};

/** Strips tags, scripts and styles; entities decoded. Also used for XML, whose text is its markup's content. */
export function htmlToText(html: string): string {
  return convert(html, OPTIONS).trim();
}

export async function extractHtml(path: string, contentType: string, maxChars: number): Promise<Extraction> {
  // Markup is several times longer than its text: read more than maxChars so the kept text is not short.
  const { text: html, truncated } = await readText(path, Math.max(maxChars * 4, 1024));
  const text = htmlToText(html);
  return {
    contentType,
    text,
    method: 'html',
    status: text === '' ? 'empty' : 'ok',
    truncated: truncated || undefined,
  };
}
