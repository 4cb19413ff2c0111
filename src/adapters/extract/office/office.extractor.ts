import { DocsiftError } from '../../../domain/errors.js';
import type { Extraction } from '../../../ports/extractor.port.js';
import { throwIfAborted } from '../signal.js';
import { TextBudget } from '../text-budget.js';
import { tooComplexIfStackOverflow } from '../too-complex.js';
import { docxText } from './docx.js';
import { officeMetadata } from './properties.js';
import { xlsxText } from './xlsx.js';
import { MAX_XML_DEPTH, streamXml } from './xml-stream.js';
import { TextCollector, tidy, type TextRules } from './xml-text.js';
import { openOfficeZip, type OfficeZip } from './zip.js';

export type OfficeKind = 'docx' | 'xlsx' | 'pptx' | 'odt' | 'ods' | 'odp';

export interface OfficeOptions {
  maxFileBytes: number;
  maxUncompressedBytes: number;
  /** Cells read per sheet (every shared-string reference is a cell). */
  maxCells: number;
}

const MAX_ENTRIES = 20_000;

const ODF_RULES: TextRules = {
  textTags: null,
  blockTags: new Set(['text:p', 'text:h', 'table:table-row', 'draw:page', 'table:table']),
  cellTags: new Set(['table:table-cell']),
  charTags: {
    'text:s': (a) => ' '.repeat(Math.min(Number(a['text:c'] ?? 1) || 1, 100)),
    'text:tab': () => '\t',
    'text:line-break': () => '\n',
  },
  // Annotations and change-tracking deletions are not the document's text.
  skipTags: new Set(['office:annotation', 'text:tracked-changes']),
};

const DRAWING_RULES: TextRules = {
  textTags: new Set(['a:t']),
  blockTags: new Set(['a:p']),
  charTags: { 'a:br': () => '\n' },
};

const numbered = (prefix: string) => (a: string, b: string) =>
  Number(a.slice(prefix.length).replace(/\D/g, '')) - Number(b.slice(prefix.length).replace(/\D/g, ''));

/** Streams one part into the budget; a part nested past MAX_XML_DEPTH is cut there, with a note. */
async function part(zip: OfficeZip, name: string, rules: TextRules, budget: TextBudget, notes: string[]): Promise<void> {
  const { tooDeep } = await streamXml(zip, name, new TextCollector(rules, budget));
  if (tooDeep) notes.push(`${name}: elements nested deeper than ${MAX_XML_DEPTH} left out`);
}

async function pptx(zip: OfficeZip, budget: TextBudget): Promise<string[]> {
  const notes: string[] = [];
  const slides = zip.entries.map((e) => e.name).filter((n) => /^ppt\/slides\/slide\d+\.xml$/.test(n)).sort(numbered('ppt/slides/slide'));
  for (const name of slides) {
    if (budget.exhausted) {
      budget.cut = true;
      break;
    }
    await part(zip, name, DRAWING_RULES, budget, notes);
    const speaker = name.replace('slides/slide', 'notesSlides/notesSlide');
    if (zip.has(speaker)) {
      budget.add('\n');
      await part(zip, speaker, DRAWING_RULES, budget, notes);
    }
    budget.add('\n\n');
  }
  return notes;
}

async function odf(zip: OfficeZip, budget: TextBudget): Promise<string[]> {
  const notes: string[] = [];
  await part(zip, 'content.xml', ODF_RULES, budget, notes);
  return notes;
}

const CONTENT_TYPES: Record<OfficeKind, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
};

function read(kind: OfficeKind, zip: OfficeZip, budget: TextBudget, options: OfficeOptions): Promise<string[]> {
  if (kind === 'docx') return docxText(zip, budget);
  if (kind === 'xlsx') return xlsxText(zip, budget, options.maxCells);
  if (kind === 'pptx') return pptx(zip, budget);
  return odf(zip, budget);
}

/**
 * OOXML (macro-enabled and templates too) and the OpenDocument formats streamed from their XML
 * parts (yauzl, htmlparser2) into the document's text budget, so a part is inflated and parsed
 * only as far as its text is kept. Size and zip-bomb checks come first. `contentType` is what
 * detection found (a .docm keeps its own); it defaults to the plain format's.
 */
export async function extractOffice(path: string, size: number, kind: OfficeKind, maxChars: number, options: OfficeOptions, signal?: AbortSignal, detectedType?: string): Promise<Extraction> {
  const contentType = detectedType ?? CONTENT_TYPES[kind];
  if (size > options.maxFileBytes) {
    throw new DocsiftError('too_large', 'extract', `${kind} of ${size} bytes is over MAX_OFFICE_SIZE_MB (${Math.floor(options.maxFileBytes / 1048576)} MiB)`);
  }
  const zip = await openOfficeZip(path, { maxUncompressed: options.maxUncompressedBytes, maxEntries: MAX_ENTRIES }, kind);
  const budget = new TextBudget(maxChars);
  try {
    throwIfAborted(signal);
    let notes: string[];
    try {
      notes = await read(kind, zip, budget, options);
    } catch (err) {
      if (err instanceof DocsiftError) throw err;
      throw tooComplexIfStackOverflow(err, kind) ?? new DocsiftError('corrupt_file', 'extract', `${kind} cannot be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const text = tidy(budget.text());
    const truncated = budget.cut || notes.length > 0;
    const extraction: Extraction = { contentType, text, method: 'office', status: text === '' ? 'empty' : 'ok' };
    if (truncated) extraction.truncated = true;
    if (notes.length > 0) extraction.detail = notes.join('; ');
    const metadata = await officeMetadata(zip);
    if (metadata) extraction.metadata = metadata;
    return extraction;
  } finally {
    zip.close();
  }
}
