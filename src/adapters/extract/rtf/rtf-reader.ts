import type { DocumentMetadata } from '../../../domain/document.js';
import type { TextBudget } from '../text-budget.js';

/** Windows code page of each RTF \fcharset (font character set); 0 and unknown use \ansicpg. */
const CHARSET_CODEPAGE: Record<number, number> = { 128: 932, 129: 949, 130: 1361, 134: 936, 136: 950, 161: 1253, 162: 1254, 163: 1258, 177: 1255, 178: 1256, 186: 1257, 204: 1251, 222: 874, 238: 1250 };
const CODEPAGE_LABEL: Record<number, string> = { 932: 'shift_jis', 949: 'euc-kr', 936: 'gbk', 950: 'big5', 874: 'windows-874', 10000: 'macintosh' };

/** Destinations whose content is not the document's text (tables of fonts, pictures, field codes...). */
const SKIP = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'listtable', 'listoverridetable', 'rsidtbl', 'generator', 'pict', 'object', 'objdata', 'themedata',
  'colorschememapping', 'datastore', 'latentstyles', 'xmlnstbl', 'filetbl', 'revtbl', 'fldinst', 'bkmkstart', 'bkmkend', 'header', 'footer',
  'headerl', 'headerr', 'headerf', 'footerl', 'footerr', 'footerf', 'pgdsctbl', 'info', 'operator', 'company', 'comment', 'keywords', 'doccomm',
]);
/** \info fields kept as metadata. */
const INFO_FIELDS: Record<string, 'title' | 'author'> = { title: 'title', author: 'author' };
const BREAKS: Record<string, string> = { par: '\n', line: '\n', sect: '\n\n', page: '\n\n', row: '\n', cell: '\t', tab: '\t', emdash: '—', endash: '–', bullet: '•', lquote: '‘', rquote: '’', ldblquote: '“', rdblquote: '”', '~': '\u00a0', _: '-' };
/** Groups nested deeper than this share their parent's state: no stack grows without bound. */
const MAX_GROUP_DEPTH = 1000;

/** True when the last of `bytes` is the lead byte of a double-byte character still missing its trail byte. */
function awaitsTrailByte(bytes: readonly number[], codepage: number): boolean {
  if (bytes.length === 0 || ![932, 936, 949, 950].includes(codepage)) return false;
  const lead = codepage === 932 ? (b: number) => (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc) : (b: number) => b >= 0x81 && b <= 0xfe;
  let i = 0;
  while (i < bytes.length) i += lead(bytes[i]!) ? 2 : 1;
  return i > bytes.length;
}

interface GroupState {
  skip: boolean;
  /** Characters to drop after a \uN (its ANSI fallback), from \ucN. */
  uc: number;
  codepage: number;
  info?: 'title' | 'author' | 'creatim';
}

const CONTROL = /\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z])|([{}])|([^\\{}\r\n]+)|[\r\n]+/gy;

/**
 * A bounded RTF reader: one pass over the tokens with an explicit group stack (no recursion, the
 * stack capped at MAX_GROUP_DEPTH), text spent from the budget as it is read. It decodes \'hh
 * bytes in the code page of the current font (\fcharset, else \ansicpg, so Shift_JIS RTF reads as
 * Japanese), \uN with its \ucN fallback skipped, field results without their instructions, and
 * leaves out fonts, styles, pictures, objects, headers and footers.
 */
export class RtfReader {
  readonly metadata: DocumentMetadata = {};
  private stack: GroupState[] = [];
  private state: GroupState = { skip: false, uc: 1, codepage: 1252 };
  private overflow = 0;
  private ansiCodepage = 1252;
  private fonts = new Map<number, number>();
  private fontNumber: number | null = null;
  private bytes: number[] = [];
  private toSkip = 0;
  private starred = false;
  private info = '';
  private created: Record<string, number> = {};

  constructor(private readonly budget: TextBudget) {}

  /** Reads the whole source (RTF is 7-bit text: bytes as latin1 characters). */
  read(source: string): void {
    CONTROL.lastIndex = 0;
    let m: RegExpExecArray | null = null;
    while (!this.budget.exhausted && (m = CONTROL.exec(source)) !== null) {
      if (m[1] !== undefined) this.word(m[1], m[2] === undefined ? null : Number(m[2]));
      else if (m[3] !== undefined) this.byte(parseInt(m[3], 16));
      else if (m[4] !== undefined) this.symbol(m[4]);
      else if (m[5] === '{') this.open();
      else if (m[5] === '}') this.close();
      else if (m[6] !== undefined) this.plain(m[6]);
    }
    this.flush();
    if (this.budget.exhausted && m !== null && CONTROL.lastIndex < source.length) this.budget.cut = true;
  }

  private open(): void {
    this.flush();
    if (this.stack.length >= MAX_GROUP_DEPTH) {
      this.overflow += 1;
      return;
    }
    this.stack.push(this.state);
    this.state = { ...this.state, info: undefined };
    this.starred = false;
  }

  private close(): void {
    this.flush();
    if (this.overflow > 0) {
      this.overflow -= 1;
      return;
    }
    if (this.state.info) this.endInfo(this.state.info);
    this.state = this.stack.pop() ?? this.state;
    this.toSkip = 0;
  }

  private word(word: string, param: number | null): void {
    if (word !== 'u' && this.toSkip > 0 && word !== 'bin') this.toSkip = 0;
    this.flush();
    if (this.starred || SKIP.has(word)) {
      this.state.skip = true;
      this.starred = false;
    }
    if (INFO_FIELDS[word] || word === 'creatim') this.startInfo(word === 'creatim' ? 'creatim' : INFO_FIELDS[word]!);
    else if (this.state.info === 'creatim' && param !== null) this.created[word] = param;
    else if (word === 'ansicpg' && param !== null) this.ansiCodepage = this.state.codepage = param;
    else if (word === 'f' && param !== null) this.font(param);
    else if (word === 'fcharset' && param !== null && this.fontNumber !== null) this.fonts.set(this.fontNumber, CHARSET_CODEPAGE[param] ?? this.ansiCodepage);
    else if (word === 'uc' && param !== null) this.state.uc = Math.max(0, Math.min(param, 10));
    else if (word === 'u' && param !== null) this.unicode(param);
    else if (BREAKS[word] !== undefined) this.emit(BREAKS[word]!);
  }

  private font(n: number): void {
    this.fontNumber = n;
    this.state.codepage = this.fonts.get(n) ?? this.ansiCodepage;
  }

  private symbol(c: string): void {
    if (c === '*') {
      this.starred = true;
      return;
    }
    this.flush();
    if (c === '\\' || c === '{' || c === '}') this.emit(c);
    else if (BREAKS[c] !== undefined) this.emit(BREAKS[c]!);
    else if (c === '\n' || c === '\r') this.emit('\n');
  }

  private unicode(code: number): void {
    this.emit(String.fromCharCode(code < 0 ? code + 65536 : code));
    this.toSkip = this.state.uc;
  }

  private byte(b: number): void {
    if (this.toSkip > 0) {
      this.toSkip -= 1;
      return;
    }
    this.bytes.push(b);
  }

  private plain(run: string): void {
    let text = run;
    if (this.toSkip > 0) {
      const dropped = Math.min(this.toSkip, text.length);
      text = text.slice(dropped);
      this.toSkip -= dropped;
    }
    // A double-byte code page may carry a trail byte as a literal character after a \'hh lead byte.
    if (text.length > 0 && awaitsTrailByte(this.bytes, this.state.codepage)) {
      this.bytes.push(text.charCodeAt(0));
      text = text.slice(1);
    }
    this.flush();
    if (text !== '') this.emit(/[\x80-\xff]/.test(text) ? this.decode([...text].map((c) => c.charCodeAt(0))) : text);
  }

  private flush(): void {
    if (this.bytes.length === 0) return;
    const bytes = this.bytes;
    this.bytes = [];
    this.emit(this.decode(bytes));
  }

  private decode(bytes: number[]): string {
    const label = CODEPAGE_LABEL[this.state.codepage] ?? `windows-${this.state.codepage}`;
    try {
      return new TextDecoder(label).decode(Uint8Array.from(bytes));
    } catch {
      return new TextDecoder('windows-1252').decode(Uint8Array.from(bytes));
    }
  }

  private emit(text: string): void {
    if (this.state.info) {
      if (this.info.length < 1000) this.info += text;
    } else if (!this.state.skip) this.budget.add(text);
  }

  private startInfo(field: 'title' | 'author' | 'creatim'): void {
    this.state.info = field;
    this.state.skip = false;
    this.info = '';
    this.created = {};
  }

  private endInfo(field: 'title' | 'author' | 'creatim'): void {
    if (field === 'creatim') {
      const { yr, mo = 1, dy = 1, hr = 0, min = 0 } = this.created;
      if (yr) this.metadata.created_at = new Date(Date.UTC(yr, mo - 1, dy, hr, min)).toISOString();
    } else if (this.info.trim() !== '') this.metadata[field] = this.info.trim();
  }
}
