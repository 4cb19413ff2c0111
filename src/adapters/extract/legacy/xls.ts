import * as XLSX from '@e965/xlsx';
import * as cptable from '@e965/xlsx/dist/cpexcel.full.mjs';
import type { DocumentMetadata } from '../../../domain/document.js';
import type { TextBudget } from '../text-budget.js';

// BIFF5 and older workbooks store strings in their code page (Shift_JIS for Japanese Excel 95).
XLSX.set_cptable(cptable);

const iso = (d: Date | undefined): string | undefined => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined);

/**
 * A BIFF workbook (.xls) through SheetJS: sheets in order, rows as tab-separated lines of the
 * displayed values, at most `maxCells` cells per sheet (rows beyond them are not even parsed:
 * `sheetRows`). No formulas, styles, HTML or VBA are read.
 */
export function xlsText(bytes: Buffer, budget: TextBudget, maxCells: number): { notes: string[]; metadata: DocumentMetadata } {
  const book = XLSX.read(bytes, { type: 'buffer', dense: true, cellFormula: false, cellHTML: false, cellStyles: false, bookVBA: false, sheetRows: maxCells });
  const notes: string[] = [];
  for (const [i, name] of book.SheetNames.entries()) {
    if (budget.exhausted) {
      budget.cut = true;
      break;
    }
    const sheet = book.Sheets[name];
    if (!sheet) continue;
    budget.add(`${i > 0 ? '\n' : ''}${name}\n`);
    let cells = 0;
    const rows = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: false, blankrows: false, defval: '' });
    for (const row of rows) {
      cells += row.length;
      if (cells > maxCells) {
        notes.push(`sheet ${i + 1}: cells after the first ${maxCells} left out (SHEET_MAX_CELLS)`);
        break;
      }
      if (!budget.add(`${row.map((c) => String(c ?? '')).join('\t').replace(/\t+$/, '')}\n`)) break;
    }
  }
  const props = book.Props;
  const metadata: DocumentMetadata = {};
  if (props?.Title) metadata.title = props.Title;
  if (props?.Author) metadata.author = props.Author;
  const created = iso(props?.CreatedDate);
  if (created) metadata.created_at = created;
  return { notes, metadata };
}

/** The part of SheetJS's compound-file reader (typed `any` by SheetJS) that docsift uses. */
export interface CompoundFile {
  FullPaths: string[];
}
export const CFB = XLSX.CFB as {
  read(data: Buffer, options: { type: 'buffer' }): CompoundFile;
  find(container: CompoundFile, path: string): { content?: ArrayLike<number> } | null;
};
