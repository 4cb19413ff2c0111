import type { TextBudget } from '../text-budget.js';
import { MAX_XML_DEPTH, streamXml, type SaxHandler } from './xml-stream.js';
import { TextCollector, type TextRules } from './xml-text.js';
import type { OfficeZip } from './zip.js';

/**
 * WordprocessingML by its elements: text runs, paragraphs, table cells and rows. A field's result
 * (`w:fldSimple` children, or the runs between `w:fldChar` separate and end) is ordinary runs and
 * is read; its instruction (`w:instrText`) is not text. `mc:Fallback` repeats its `mc:Choice`.
 */
const WORD_RULES: TextRules = {
  textTags: new Set(['w:t']),
  blockTags: new Set(['w:p', 'w:tr']),
  cellTags: new Set(['w:tc']),
  charTags: { 'w:tab': () => '\t', 'w:br': () => '\n', 'w:cr': () => '\n', 'w:noBreakHyphen': () => '-' },
  skipTags: new Set(['mc:Fallback']),
};

const OFFICE_DOCUMENT = /\/officeDocument$/;

/** The main part's name from the package relationships (`_rels/.rels`). */
class MainPart implements SaxHandler {
  target: string | undefined;
  open(name: string, attrs: Record<string, string>): void {
    if (name.endsWith('Relationship') && OFFICE_DOCUMENT.test(attrs['Type'] ?? '') && !this.target) this.target = attrs['Target'];
  }
  text(): void {}
  close(): void {}
  done(): boolean {
    return this.target !== undefined;
  }
}

async function mainPart(zip: OfficeZip): Promise<string> {
  if (zip.has('_rels/.rels')) {
    const rels = new MainPart();
    await streamXml(zip, '_rels/.rels', rels);
    const target = rels.target?.replace(/^\//, '');
    if (target && zip.has(target)) return target;
  }
  return 'word/document.xml';
}

/**
 * A Word document (docx, docm, dotx) streamed like the other office parts: the body, then
 * footnotes and endnotes, spent from the budget as they are read. No tree is built, so a deeply
 * nested body is cut at MAX_XML_DEPTH instead of overflowing a recursive reader.
 */
export async function docxText(zip: OfficeZip, budget: TextBudget): Promise<string[]> {
  const notes: string[] = [];
  const parts = [await mainPart(zip), 'word/footnotes.xml', 'word/endnotes.xml'];
  for (const [i, name] of parts.entries()) {
    if (i > 0 && !zip.has(name)) continue;
    if (budget.exhausted) {
      budget.cut = true;
      break;
    }
    if (i > 0) budget.add('\n');
    const { tooDeep } = await streamXml(zip, name, new TextCollector(WORD_RULES, budget));
    if (tooDeep) notes.push(`${name}: elements nested deeper than ${MAX_XML_DEPTH} left out`);
  }
  return notes;
}
