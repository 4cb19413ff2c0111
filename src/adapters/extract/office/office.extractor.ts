import mammoth from 'mammoth';
import { readFile } from 'node:fs/promises';
import { DocsiftError } from '../../../domain/errors.js';
import type { Extraction } from '../../../ports/extractor.port.js';
import { throwIfAborted } from '../signal.js';
import { attrsOf, childrenOf, collectText, parseXml, tagOf, tidy, type TextRules } from './xml-text.js';
import { openOfficeZip, type OfficeZip } from './zip.js';

export type OfficeKind = 'docx' | 'xlsx' | 'pptx' | 'odt' | 'ods' | 'odp';

export interface OfficeOptions {
  maxFileBytes: number;
  maxUncompressedBytes: number;
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
    // Annotations and change-tracking deletions are not the document's text.
    'office:annotation': () => '',
    'text:tracked-changes': () => '',
  },
};

const DRAWING_RULES: TextRules = {
  textTags: new Set(['a:t']),
  blockTags: new Set(['a:p']),
  charTags: { 'a:br': () => '\n' },
};

const numbered = (prefix: string) => (a: string, b: string) =>
  Number(a.slice(prefix.length).replace(/\D/g, '')) - Number(b.slice(prefix.length).replace(/\D/g, ''));

async function docx(zip: OfficeZip, path: string): Promise<string> {
  // mammoth inflates with JSZip, which trusts the sizes it reads: prove them first.
  await zip.verifyAll();
  const result = await mammoth.extractRawText({ buffer: await readFile(path) });
  return result.value;
}

function cellText(cell: Record<string, unknown>, shared: string[]): string {
  const attrs = attrsOf(cell);
  let text = '';
  for (const child of childrenOf(cell, 'c')) {
    const tag = tagOf(child);
    if (tag === 'v') text += collectText(childrenOf(child, 'v'), { textTags: null, blockTags: new Set() });
    else if (tag === 'is') text += collectText(childrenOf(child, 'is'), { textTags: new Set(['t']), blockTags: new Set() });
  }
  if (attrs['t'] === 's') return shared[Number(text)] ?? '';
  return text;
}

function rowsOf(nodes: Record<string, unknown>[], visit: (row: Record<string, unknown>) => void): void {
  for (const node of nodes) {
    const tag = tagOf(node);
    if (!tag) continue;
    if (tag === 'row') visit(node);
    else rowsOf(childrenOf(node, tag), visit);
  }
}

async function xlsx(zip: OfficeZip): Promise<string> {
  const shared: string[] = [];
  if (zip.has('xl/sharedStrings.xml')) {
    const sst = parseXml(await zip.read('xl/sharedStrings.xml'), 'sharedStrings.xml');
    const walk = (nodes: Record<string, unknown>[]) => {
      for (const node of nodes) {
        const tag = tagOf(node);
        if (tag === 'si') shared.push(collectText(childrenOf(node, 'si'), { textTags: new Set(['t']), blockTags: new Set(), charTags: { rPh: () => '' } }));
        else if (tag) walk(childrenOf(node, tag));
      }
    };
    walk(sst);
  }
  const names: string[] = [];
  if (zip.has('xl/workbook.xml')) {
    const wb = parseXml(await zip.read('xl/workbook.xml'), 'workbook.xml');
    const walk = (nodes: Record<string, unknown>[]) => {
      for (const node of nodes) {
        const tag = tagOf(node);
        if (tag === 'sheet') names.push(attrsOf(node)['name'] ?? '');
        else if (tag) walk(childrenOf(node, tag));
      }
    };
    walk(wb);
  }
  const sheets = zip.entries.map((e) => e.name).filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n)).sort(numbered('xl/worksheets/sheet'));
  const parts: string[] = [];
  for (const [i, name] of sheets.entries()) {
    const lines: string[] = [];
    rowsOf(parseXml(await zip.read(name), name), (row) => {
      const cells = childrenOf(row, 'row').filter((c) => tagOf(c) === 'c').map((c) => cellText(c, shared));
      if (cells.some((c) => c !== '')) lines.push(cells.join('\t'));
    });
    parts.push([names[i], ...lines].filter(Boolean).join('\n'));
  }
  return parts.join('\n\n');
}

async function pptx(zip: OfficeZip): Promise<string> {
  const names = zip.entries.map((e) => e.name);
  const slides = names.filter((n) => /^ppt\/slides\/slide\d+\.xml$/.test(n)).sort(numbered('ppt/slides/slide'));
  const parts: string[] = [];
  for (const name of slides) {
    let text = collectText(parseXml(await zip.read(name), name), DRAWING_RULES);
    const notes = name.replace('slides/slide', 'notesSlides/notesSlide');
    if (zip.has(notes)) text += `\n${collectText(parseXml(await zip.read(notes), notes), DRAWING_RULES)}`;
    parts.push(text);
  }
  return parts.join('\n\n');
}

async function odf(zip: OfficeZip): Promise<string> {
  return collectText(parseXml(await zip.read('content.xml'), 'content.xml'), ODF_RULES);
}

const CONTENT_TYPES: Record<OfficeKind, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
};

/**
 * docx through mammoth; xlsx, pptx and the OpenDocument formats by reading their XML parts with
 * yauzl and fast-xml-parser. Size and zip-bomb checks come first.
 */
export async function extractOffice(path: string, size: number, kind: OfficeKind, options: OfficeOptions, signal?: AbortSignal): Promise<Extraction> {
  const contentType = CONTENT_TYPES[kind];
  if (size > options.maxFileBytes) {
    throw new DocsiftError('too_large', 'extract', `${kind} of ${size} bytes is over MAX_OFFICE_SIZE_MB (${Math.floor(options.maxFileBytes / 1048576)} MiB)`);
  }
  const zip = await openOfficeZip(path, { maxUncompressed: options.maxUncompressedBytes, maxEntries: MAX_ENTRIES }, kind);
  try {
    throwIfAborted(signal);
    let raw: string;
    try {
      raw = kind === 'docx' ? await docx(zip, path) : kind === 'xlsx' ? await xlsx(zip) : kind === 'pptx' ? await pptx(zip) : await odf(zip);
    } catch (err) {
      if (err instanceof DocsiftError) throw err;
      throw new DocsiftError('corrupt_file', 'extract', `${kind} cannot be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const text = tidy(raw);
    return { contentType, text, method: 'office', status: text === '' ? 'empty' : 'ok' };
  } finally {
    zip.close();
  }
}
