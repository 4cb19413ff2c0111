import { readFile } from 'node:fs/promises';
import { DocsiftError } from '../../../domain/errors.js';
import type { Extraction } from '../../../ports/extractor.port.js';
import type { ArchiveScope, MemberReader } from '../archive/members.js';
import { tooLarge } from '../mail/mail-text.js';
import type { OfficeOptions } from '../office/office.extractor.js';
import { tidy } from '../office/xml-text.js';
import { TextBudget } from '../text-budget.js';
import { tooComplexIfStackOverflow } from '../too-complex.js';
import { pptText } from './ppt.js';
import type { CompoundFile } from './xls.js';

/**
 * The readers are loaded when a compound file first needs them: SheetJS with its code pages alone
 * adds about 0.3 s and 30 MiB to a sandbox's start, which every document would pay otherwise.
 */
const readers = () => Promise.all([import('./xls.js'), import('./word.js'), import('../mail/msg.extractor.js')]);

type Legacy = 'doc' | 'xls' | 'ppt' | 'msg' | 'encrypted' | 'unknown';

const CONTENT_TYPES: Record<Legacy, string> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  msg: 'application/vnd.ms-outlook',
  encrypted: 'application/x-cfb',
  unknown: 'application/x-cfb',
};

/** Which program wrote a compound file, from the names of its root streams (never from the extension). */
function kindOf(names: ReadonlySet<string>): Legacy {
  if (names.has('EncryptedPackage')) return 'encrypted'; // an encrypted OOXML file is a compound file
  if (names.has('WordDocument')) return 'doc';
  if (names.has('Workbook') || names.has('Book')) return 'xls';
  if (names.has('PowerPoint Document')) return 'ppt';
  if ([...names].some((n) => n.startsWith('__substg1.0_') || n === '__properties_version1.0')) return 'msg';
  return 'unknown';
}

interface Context {
  bytes: Buffer;
  path: string;
  maxChars: number;
  options: OfficeOptions;
  scope: ArchiveScope;
  reader: MemberReader;
}

async function read(kind: Legacy, container: CompoundFile, ctx: Context): Promise<Extraction> {
  const [{ CFB, xlsText }, { docText, wordFormat }, { extractMsg }] = await readers();
  if (kind === 'msg') return extractMsg(ctx.bytes, ctx.path, ctx.maxChars, ctx.scope, ctx.reader);
  const budget = new TextBudget(ctx.maxChars);
  const extraction: Extraction = { contentType: CONTENT_TYPES[kind], text: '', method: 'office', status: 'ok' };
  const notes: string[] = [];
  if (kind === 'doc') {
    const format = wordFormat(CFB.find(container, 'WordDocument')?.content);
    if (format === 'encrypted') return { ...extraction, method: 'none', status: 'encrypted', detail: 'encrypted Word document' };
    if (format !== 'word97') return { ...extraction, method: 'none', status: 'unsupported', detail: `${format === 'word95' ? 'Word 6/95' : 'pre-97 or unknown'} Word document: no reader for this version` };
    await docText(ctx.bytes, budget);
  }
  else if (kind === 'xls') {
    const { notes: sheetNotes, metadata } = xlsText(ctx.bytes, budget, ctx.options.maxCells);
    notes.push(...sheetNotes);
    if (Object.keys(metadata).length > 0) extraction.metadata = metadata;
  } else {
    const stream = CFB.find(container, 'PowerPoint Document');
    if (stream?.content && pptText(Uint8Array.from(stream.content), budget).cutShort) notes.push('records past the end of the stream left out');
  }
  extraction.text = tidy(budget.text());
  if (extraction.text === '') extraction.status = 'empty';
  if (budget.cut || notes.length > 0) extraction.truncated = true;
  if (notes.length > 0) extraction.detail = notes.join('; ');
  return extraction;
}

/**
 * An OLE compound file: Word, Excel and PowerPoint 97-2003 and Outlook .msg, told apart by their
 * streams. The file (at most MAX_OFFICE_SIZE_MB) is read whole, as every reader of the format
 * does; an encrypted or unknown compound file is indexed by name.
 */
export async function extractCfb(path: string, size: number, maxChars: number, options: OfficeOptions, scope: ArchiveScope, reader: MemberReader): Promise<Extraction> {
  if (size > options.maxFileBytes) throw tooLarge('compound file', size, options.maxFileBytes);
  const bytes = await readFile(path);
  let kind: Legacy = 'unknown';
  let container: CompoundFile;
  try {
    container = (await readers())[0].CFB.read(bytes, { type: 'buffer' });
  } catch (err) {
    // Not even the container reads: what wrote it is unknown, so it is indexed by name as before.
    return { contentType: CONTENT_TYPES.unknown, text: '', method: 'none', status: 'unsupported', detail: `compound file not readable: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}` };
  }
  try {
    kind = kindOf(new Set(container.FullPaths.map((p) => p.replace(/\/$/, '').split('/').slice(1).join('/'))));
    if (kind === 'encrypted') return { contentType: CONTENT_TYPES[kind], text: '', method: 'none', status: 'encrypted', detail: 'encrypted office document' };
    if (kind === 'unknown') return { contentType: CONTENT_TYPES[kind], text: '', method: 'none', status: 'unsupported', detail: 'compound file of an unknown program' };
    return await read(kind, container, { bytes, path, maxChars, options, scope, reader });
  } catch (err) {
    if (err instanceof DocsiftError) throw err.withContentType(CONTENT_TYPES[kind]);
    const message = err instanceof Error ? err.message : String(err);
    if (/password|encrypt/i.test(message)) return { contentType: CONTENT_TYPES[kind], text: '', method: 'none', status: 'encrypted', detail: `encrypted: ${message.slice(0, 200)}` };
    throw tooComplexIfStackOverflow(err, kind) ?? new DocsiftError('corrupt_file', 'extract', `${kind} cannot be read: ${message.slice(0, 300)}`, { cause: err, contentType: CONTENT_TYPES[kind] });
  }
}
