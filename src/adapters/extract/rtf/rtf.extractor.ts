import { readFile } from 'node:fs/promises';
import type { Extraction } from '../../../ports/extractor.port.js';
import { tooLarge } from '../mail/mail-text.js';
import { tidy } from '../office/xml-text.js';
import { TextBudget } from '../text-budget.js';
import { RtfReader } from './rtf-reader.js';

/**
 * RTF through a bounded reader of our own (rtf-reader.ts): the npm RTF parsers are unmaintained
 * (rtf-parser, and @iarna/rtf-to-html on top of it), build a whole document tree first, or need a
 * browser DOM (rtf.js), and none decodes \'hh bytes in a font's double-byte code page, which is how
 * Japanese Word writes RTF. The file is at most MAX_OFFICE_SIZE_MB; the text stops at the budget.
 */
export async function extractRtf(path: string, size: number, maxChars: number, maxFileBytes: number): Promise<Extraction> {
  if (size > maxFileBytes) throw tooLarge('rtf', size, maxFileBytes);
  const budget = new TextBudget(maxChars);
  const reader = new RtfReader(budget);
  reader.read((await readFile(path)).toString('latin1'));
  const text = tidy(budget.text());
  const extraction: Extraction = { contentType: 'application/rtf', text, method: 'office', status: text === '' ? 'empty' : 'ok' };
  if (budget.cut) extraction.truncated = true;
  if (Object.keys(reader.metadata).length > 0) extraction.metadata = { ...reader.metadata };
  return extraction;
}
