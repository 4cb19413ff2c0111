import { open } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';

/** What docsift does with a file, decided from its bytes first and its extension only for text. */
export type Kind =
  | 'empty'
  | 'text'
  | 'markdown'
  | 'csv'
  | 'json'
  | 'html'
  | 'xml'
  | 'pdf'
  | 'image'
  | 'docx'
  | 'xlsx'
  | 'pptx'
  | 'odt'
  | 'ods'
  | 'odp'
  | 'email'
  | 'rtf'
  | 'zip'
  | 'gzip'
  /** OLE compound file: legacy .doc/.xls/.ppt or Outlook .msg, told apart by its streams. */
  | 'cfb'
  | 'binary';

export interface Detected {
  kind: Kind;
  contentType: string;
  /** The extension file-type matched, when the bytes had a signature. */
  ext?: string;
}

const SNIFF_BYTES = 64 * 1024;

const IMAGE_MIMES = new Set(['image/png', 'image/jpeg', 'image/tiff', 'image/webp', 'image/gif', 'image/bmp']);

const BY_MIME: Record<string, Kind> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  // Macro-enabled OOXML and templates are the same packages: their macros are never run, only their text read.
  'application/vnd.openxmlformats-officedocument.wordprocessingml.template': 'docx',
  'application/vnd.ms-word.document.macroenabled.12': 'docx',
  'application/vnd.ms-word.template.macroenabled.12': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.template': 'xlsx',
  'application/vnd.ms-excel.sheet.macroenabled.12': 'xlsx',
  'application/vnd.ms-excel.template.macroenabled.12': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.slideshow': 'pptx',
  'application/vnd.openxmlformats-officedocument.presentationml.template': 'pptx',
  'application/vnd.ms-powerpoint.presentation.macroenabled.12': 'pptx',
  'application/vnd.ms-powerpoint.slideshow.macroenabled.12': 'pptx',
  'application/vnd.ms-powerpoint.template.macroenabled.12': 'pptx',
  'application/rtf': 'rtf',
  'application/zip': 'zip',
  'application/gzip': 'gzip',
  'application/x-cfb': 'cfb',
  'application/xml': 'xml',
  'text/xml': 'xml',
};

const TEXT_BY_EXTENSION: Record<string, { kind: Kind; contentType: string }> = {
  md: { kind: 'markdown', contentType: 'text/markdown' },
  markdown: { kind: 'markdown', contentType: 'text/markdown' },
  csv: { kind: 'csv', contentType: 'text/csv' },
  tsv: { kind: 'csv', contentType: 'text/tab-separated-values' },
  json: { kind: 'json', contentType: 'application/json' },
  ndjson: { kind: 'json', contentType: 'application/x-ndjson' },
  jsonl: { kind: 'json', contentType: 'application/x-ndjson' },
  html: { kind: 'html', contentType: 'text/html' },
  htm: { kind: 'html', contentType: 'text/html' },
  xhtml: { kind: 'html', contentType: 'application/xhtml+xml' },
  xml: { kind: 'xml', contentType: 'application/xml' },
  svg: { kind: 'xml', contentType: 'image/svg+xml' },
  eml: { kind: 'email', contentType: 'message/rfc822' },
};

/** RFC 5322 header fields a mail starts with; two of them in the first lines make it an e-mail. */
const MAIL_HEADER = /^(from|to|subject|date|message-id|mime-version|received|return-path|delivered-to|reply-to|content-type):/gim;

function looksLikeMail(start: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9-]*:/.test(start)) return false;
  const head = start.split(/\r?\n\r?\n/, 1)[0] ?? '';
  return new Set(head.match(MAIL_HEADER)?.map((h) => h.toLowerCase())).size >= 2;
}

const HTML_START = /^\s*(<!--[\s\S]*?-->\s*)*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i;

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** True when the head looks like text: a UTF-16 BOM, or no NUL and few control bytes. */
export function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return true;
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return true;
  let control = 0;
  for (const byte of head) {
    if (byte === 0) return false;
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) control += 1;
  }
  return control / head.length < 0.01;
}

/**
 * Detects the type from the bytes (file-type's signatures); only text, which has no signature,
 * falls back to the extension and a look at the first characters. A file whose extension lies is
 * therefore handled as what it is.
 */
export async function detectType(path: string, size: number, extension: string): Promise<Detected> {
  if (size === 0) return { kind: 'empty', contentType: 'application/octet-stream' };
  const found = await fileTypeFromFile(path);
  if (found) {
    if (IMAGE_MIMES.has(found.mime)) return { kind: 'image', contentType: found.mime, ext: found.ext };
    const kind = BY_MIME[found.mime];
    if (kind === 'xml' && (extension === 'html' || extension === 'htm' || extension === 'xhtml')) {
      return { kind: 'html', contentType: 'application/xhtml+xml', ext: found.ext };
    }
    if (kind) return { kind, contentType: found.mime, ext: found.ext };
    return { kind: 'binary', contentType: found.mime, ext: found.ext };
  }
  const head = await readHead(path, Math.min(size, SNIFF_BYTES));
  if (!looksLikeText(head)) return { kind: 'binary', contentType: 'application/octet-stream' };
  const byExtension = TEXT_BY_EXTENSION[extension];
  const start = head.subarray(0, 4096).toString('utf8');
  if (HTML_START.test(start)) return { kind: 'html', contentType: 'text/html' };
  if (byExtension) return byExtension;
  if (looksLikeMail(start)) return { kind: 'email', contentType: 'message/rfc822' };
  const trimmed = start.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (size <= SNIFF_BYTES) {
      try {
        JSON.parse(head.toString('utf8'));
        return { kind: 'json', contentType: 'application/json' };
      } catch {
        // Not JSON after all: plain text.
      }
    }
  }
  return { kind: 'text', contentType: 'text/plain' };
}

export { readHead };
