import WordExtractor from 'word-extractor';
import type { TextBudget } from '../text-budget.js';

/**
 * A Word 97-2003 document through word-extractor: the body (its piece table decoded, field
 * instructions dropped and their results kept), then footnotes, endnotes and text boxes.
 */
export async function docText(bytes: Buffer, budget: TextBudget): Promise<void> {
  const document = await new WordExtractor().extract(bytes);
  const options = { filterUnicode: true };
  const parts = [document.getBody(options), document.getFootnotes(options), document.getEndnotes(options), document.getTextboxes({ ...options, includeHeadersAndFooters: false })];
  for (const part of parts) {
    if (part.trim() === '') continue;
    if (!budget.add(`${part.trim()}\n\n`)) break;
  }
}

/** What the File Information Block at the start of the WordDocument stream says before any parsing. */
export function wordFormat(stream: ArrayLike<number> | undefined): 'word97' | 'word95' | 'encrypted' | 'unknown' {
  if (!stream || stream.length < 12) return 'unknown';
  const magic = (stream[0] ?? 0) | ((stream[1] ?? 0) << 8);
  // Word 6 and Word 95 write 0xA5DC: a format word-extractor (and docsift) does not read.
  if (magic === 0xa5dc) return 'word95';
  if (magic !== 0xa5ec) return 'unknown';
  return ((stream[11] ?? 0) & 0x01) !== 0 ? 'encrypted' : 'word97'; // fEncrypted: bit 8 of the flags at 0x0A
}
