import type { TextBudget } from '../text-budget.js';
import { MAX_XML_DEPTH, streamXml, type SaxHandler } from './xml-stream.js';
import type { OfficeZip } from './zip.js';

/** Elements of SpreadsheetML by local name: some writers prefix them (`x:c`), most do not. */
const local = (name: string): string => name.slice(name.indexOf(':') + 1);

/**
 * The shared-string table, kept only as far as the document's text could use it: each string cut
 * at the budget, and reading stops once the strings kept add up to `maxTotal` characters. Excel
 * writes strings in order of first use, so the first cells read find theirs.
 */
class SharedStrings implements SaxHandler {
  readonly strings: string[] = [];
  private current: string | null = null;
  private inText = 0;
  private inPhonetic = 0;
  private kept = 0;

  constructor(
    private readonly perString: number,
    private readonly maxTotal: number,
  ) {}

  get cut(): boolean {
    return this.kept >= this.maxTotal;
  }

  open(name: string): void {
    const tag = local(name);
    if (tag === 'si') this.current = '';
    else if (tag === 't') this.inText += 1;
    else if (tag === 'rPh') this.inPhonetic += 1; // phonetic guides repeat the text in kana
  }

  text(text: string): void {
    if (this.current === null || this.inText === 0 || this.inPhonetic > 0 || this.current.length >= this.perString) return;
    this.current += text.slice(0, this.perString - this.current.length);
  }

  close(name: string): void {
    const tag = local(name);
    if (tag === 't') this.inText -= 1;
    else if (tag === 'rPh') this.inPhonetic -= 1;
    else if (tag === 'si' && this.current !== null) {
      this.strings.push(this.current);
      this.kept += this.current.length;
      this.current = null;
    }
  }

  done(): boolean {
    return this.cut;
  }
}

/** Rows of one sheet as tab-separated lines, spent from the budget; at most `maxCells` cells. */
class SheetRows implements SaxHandler {
  cells = 0;
  capped = false;
  private row: string[] | null = null;
  private cell: { type: string | undefined; value: string } | null = null;
  private inValue = 0;
  private inInline = 0;
  private inText = 0;
  private inPhonetic = 0;

  constructor(
    private readonly shared: readonly string[],
    private readonly budget: TextBudget,
    private readonly maxCells: number,
  ) {}

  open(name: string, attrs: Record<string, string>): void {
    const tag = local(name);
    if (tag === 'row') this.row = [];
    else if (tag === 'c') {
      this.cells += 1;
      if (this.cells > this.maxCells) this.capped = true;
      else this.cell = { type: attrs['t'], value: '' };
    } else if (tag === 'v') this.inValue += 1;
    else if (tag === 'is') this.inInline += 1;
    else if (tag === 't') this.inText += 1;
    else if (tag === 'rPh') this.inPhonetic += 1;
  }

  text(text: string): void {
    const cell = this.cell;
    if (!cell || cell.value.length > this.budget.remaining) return;
    if (this.inValue > 0 || (this.inInline > 0 && this.inText > 0 && this.inPhonetic === 0)) cell.value += text;
  }

  close(name: string): void {
    const tag = local(name);
    if (tag === 'v') this.inValue -= 1;
    else if (tag === 'is') this.inInline -= 1;
    else if (tag === 't') this.inText -= 1;
    else if (tag === 'rPh') this.inPhonetic -= 1;
    else if (tag === 'c' && this.cell) {
      const { type, value } = this.cell;
      this.row?.push(type === 's' ? (this.shared[Number(value)] ?? '') : value);
      this.cell = null;
    } else if (tag === 'row' && this.row) {
      if (this.row.some((c) => c !== '')) this.budget.add(`${this.row.join('\t')}\n`);
      this.row = null;
    }
  }

  done(): boolean {
    return this.capped || this.budget.exhausted;
  }
}

class SheetNames implements SaxHandler {
  readonly names: string[] = [];
  open(name: string, attrs: Record<string, string>): void {
    if (local(name) === 'sheet') this.names.push(attrs['name'] ?? '');
  }
  text(): void {}
  close(): void {}
  done(): boolean {
    return false;
  }
}

const sheetNumber = (name: string) => Number(name.replace(/\D/g, ''));

/**
 * Every sheet of a workbook, rows in order, streamed: no sheet or string table is ever held as a
 * tree, a cell's shared string is looked up as the cell is read, and reading stops at the text
 * budget or after `maxCells` cells of a sheet. Returns notes on what was left out.
 */
export async function xlsxText(zip: OfficeZip, budget: TextBudget, maxCells: number): Promise<string[]> {
  const notes: string[] = [];
  const shared = new SharedStrings(budget.max, budget.max * 4);
  if (zip.has('xl/sharedStrings.xml') && (await streamXml(zip, 'xl/sharedStrings.xml', shared)).tooDeep) {
    notes.push(`shared strings nested deeper than ${MAX_XML_DEPTH} left out`);
  }
  if (shared.cut) notes.push(`shared strings past ${budget.max * 4} characters left out`);
  const names = new SheetNames();
  if (zip.has('xl/workbook.xml')) await streamXml(zip, 'xl/workbook.xml', names);
  const sheets = zip.entries
    .map((e) => e.name)
    .filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n))
    .sort((a, b) => sheetNumber(a) - sheetNumber(b));
  for (const [i, part] of sheets.entries()) {
    if (budget.exhausted) {
      budget.cut = true;
      break;
    }
    if (i > 0) budget.add('\n');
    if (names.names[i]) budget.add(`${names.names[i]}\n`);
    const rows = new SheetRows(shared.strings, budget, maxCells);
    const { tooDeep } = await streamXml(zip, part, rows);
    if (tooDeep) notes.push(`sheet ${i + 1}: elements nested deeper than ${MAX_XML_DEPTH} left out`);
    if (rows.capped) notes.push(`sheet ${i + 1}: cells after the first ${maxCells} left out (SHEET_MAX_CELLS)`);
  }
  return notes;
}
