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
