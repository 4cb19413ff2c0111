import { readFile } from 'node:fs/promises';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DocsiftError } from '../../../domain/errors.js';
import type { Extraction, Thumbnail } from '../../../ports/extractor.port.js';
import { makeThumbnail, type ThumbnailOptions } from '../image/thumbnail.js';
import type { OcrImage, OcrService } from '../ocr/ocr.types.js';
import { throwIfAborted } from '../signal.js';
import { TextBudget } from '../text-budget.js';
import { isPasswordError, openPdf } from './pdfjs.js';
import { scannedPageImage } from './pdf-image.js';
import { boundedOperatorList, TooManyOperatorsError } from './pdf-operators.js';
import { renderRgba, rgbaToPgm, type RenderLimits } from './pdf-render.js';
import { pageText, visibleChars } from './pdf-text.js';

export type PdfStrategy = 'auto' | 'ocr_and_text' | 'text_only' | 'ocr_only';

export interface PdfOptions {
  strategy: PdfStrategy;
  minTextChars: number;
  maxPages: number;
  /** Drawing operations (and text items) one page may expand to. */
  maxOperators: number;
  render: RenderLimits;
  /** Absent when OCR is disabled: pages without text stay empty. */
  ocr?: OcrService | undefined;
  /** Thumbnail of page 1, when THUMBNAIL_PDFS is on. */
  thumbnail?: ThumbnailOptions | undefined;
  onOcrPage?: ((ms: number) => void) | undefined;
  /** Runs one render-and-recognise step when the extractor-wide bound allows. */
  ocrSlot: <T>(task: () => Promise<T>) => Promise<T>;
}

const THUMBNAIL_DPI = 36;
/** After this many runaway pages the rest of the document is left out: each one costs a reopen. */
const MAX_RUNAWAY_PAGES = 3;

/** A page that expands past a cap: its pdf.js work is abandoned by destroying the document. */
class RunawayPage extends Error {}

interface Session {
  task: Awaited<ReturnType<typeof openPdf>>['task'];
  doc: PDFDocumentProxy;
}

interface Progress {
  budget: TextBudget;
  pagesOcr: number;
  failedPages: number;
  pagesWithoutText: number;
  confidences: number[];
  details: string[];
  runaway: string[];
}

function needsOcr(strategy: PdfStrategy, text: string, minTextChars: number): boolean {
  if (strategy === 'text_only') return false;
  if (strategy === 'auto') return visibleChars(text) < minTextChars;
  return true;
}

/** Errors that fail the whole document (retry later) rather than one page. */
function isDocumentFatal(err: unknown): boolean {
  return err instanceof DocsiftError && (err.code === 'ocr_timeout' || err.code === 'processing_timeout' || err.code === 'ocr_failed');
}

/** pdf.js takes ownership of (detaches) the bytes it is given, so every open gets its own copy. */
async function open(data: Buffer, options: PdfOptions): Promise<Session> {
  return openPdf(new Uint8Array(data), { maxImagePixels: options.render.maxPixels });
}

/** The page's operators, bounded: a page over the cap is never drawn. */
async function listOperators(page: PDFPageProxy, maxOperators: number) {
  try {
    return await boundedOperatorList(page, maxOperators);
  } catch (err) {
    if (err instanceof TooManyOperatorsError) throw new RunawayPage(`more than ${maxOperators} drawing operations (PDF_MAX_OPERATORS); not rendered`);
    throw err;
  }
}

async function firstPageThumbnail(doc: PDFDocumentProxy, options: PdfOptions & { thumbnail: ThumbnailOptions }): Promise<Thumbnail | undefined> {
  const page = await doc.getPage(1);
  try {
    await listOperators(page, options.maxOperators);
    const { rgba, width, height } = await renderRgba(doc, page, { dpi: THUMBNAIL_DPI, maxPixels: 4_000_000, maxSide: 2000 });
    return await makeThumbnail({ raw: rgba, width, height, channels: 4 }, options.thumbnail);
  } finally {
    page.cleanup();
  }
}

/** A scanned page's own image when that is all the page is, else the page rendered at the capped DPI. */
async function pageImage(doc: PDFDocumentProxy, page: PDFPageProxy, options: PdfOptions, signal?: AbortSignal): Promise<OcrImage> {
  const list = await listOperators(page, options.maxOperators);
  const scanned = await scannedPageImage(page, options.render, signal, list);
  if (scanned) return scanned;
  throwIfAborted(signal);
  const { rgba, width, height, dpi } = await renderRgba(doc, page, options.render);
  return { ...rgbaToPgm(rgba, width, height), dpi };
}

/** One page: its text layer, and OCR where the strategy says; the result goes into the budget. */
async function readPage(doc: PDFDocumentProxy, page: PDFPageProxy, options: PdfOptions, progress: Progress, signal?: AbortSignal): Promise<void> {
  let text = '';
  if (options.strategy !== 'ocr_only') {
    const read = await pageText(page, { maxChars: progress.budget.remaining + 1, maxItems: options.maxOperators });
    if (read.cut === 'items') throw new RunawayPage(`more than ${options.maxOperators} text items (PDF_MAX_OPERATORS)`);
    text = read.text;
  }
  if (!options.ocr && visibleChars(text) < options.minTextChars) progress.pagesWithoutText += 1;
  if (options.ocr && needsOcr(options.strategy, text, options.minTextChars)) {
    throwIfAborted(signal);
    const ocr = options.ocr;
    // Render inside the OCR slot: only as many rendered pages wait in memory as can be OCR'd.
    const result = await options.ocrSlot(async () => {
      throwIfAborted(signal);
      return ocr.recognize(await pageImage(doc, page, options, signal), signal);
    });
    progress.pagesOcr += 1;
    options.onOcrPage?.(result.ms);
    if (result.confidence !== null) progress.confidences.push(result.confidence);
    const ocrText = result.text.trim();
    text = visibleChars(text) > 0 && text !== ocrText ? `${text}\n${ocrText}` : ocrText;
  }
  progress.budget.add(text);
}

function summarise(pages: number, limit: number, options: PdfOptions, progress: Progress, thumbnail: Thumbnail | undefined): Extraction {
  const { budget, details } = progress;
  if (progress.runaway.length > 0) details.unshift(...progress.runaway);
  if (pages > limit) details.unshift(`pages ${limit + 1}-${pages} of ${pages} left out (MAX_PDF_PAGES=${options.maxPages})`);
  if (progress.failedPages > 0) details.unshift(`${progress.failedPages} page(s) failed`);
  if (progress.pagesWithoutText > 0) details.push(`${progress.pagesWithoutText} page(s) without a text layer were not OCR'd (OCR_ENABLED=false or PDF_STRATEGY=text_only)`);
  const text = budget.text().trim();
  const extraction: Extraction = {
    contentType: 'application/pdf',
    text,
    method: progress.pagesOcr > 0 ? 'pdf_ocr' : 'pdf_text',
    status: progress.failedPages > 0 ? 'partial' : text === '' ? 'empty' : 'ok',
    pages,
    truncated: pages > limit || budget.cut || progress.runaway.length > 0 || undefined,
  };
  if (details.length > 0) extraction.detail = details.join('; ');
  if (options.ocr && progress.pagesOcr > 0) {
    const c = progress.confidences;
    extraction.ocr = {
      engine: options.ocr.engine,
      languages: options.ocr.languages,
      pages_ocr: progress.pagesOcr,
      mean_confidence: c.length > 0 ? Math.round((c.reduce((a, b) => a + b, 0) / c.length) * 10) / 10 : null,
    };
  }
  if (thumbnail) extraction.thumbnail = thumbnail;
  return extraction;
}

async function openOrClassify(data: Buffer, options: PdfOptions): Promise<Session | Extraction> {
  try {
    return await open(data, options);
  } catch (err) {
    if (isPasswordError(err)) {
      return { contentType: 'application/pdf', text: '', method: 'none', status: 'encrypted', detail: 'PDF is encrypted with a password' };
    }
    const message = err instanceof Error ? err.message : String(err);
    throw new DocsiftError('corrupt_file', 'extract', `PDF cannot be opened: ${message}`, { cause: err });
  }
}

/**
 * Page by page into the document's text budget: only one page's text or pixels are held at a
 * time, and a page that expands past PDF_MAX_OPERATORS (drawing operations or text items) is
 * abandoned, the document reopened for the pages after it, and the result marked truncated.
 */
export async function extractPdf(path: string, maxChars: number, options: PdfOptions, signal?: AbortSignal): Promise<Extraction> {
  const data = await readFile(path);
  const opened = await openOrClassify(data, options);
  if (!('task' in opened)) return opened;
  let session = opened;
  const onAbort = () => void session.task.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const pages = session.doc.numPages;
    const limit = Math.min(pages, options.maxPages);
    const progress: Progress = { budget: new TextBudget(maxChars), pagesOcr: 0, failedPages: 0, pagesWithoutText: 0, confidences: [], details: [], runaway: [] };
    for (let n = 1; n <= limit; n += 1) {
      throwIfAborted(signal);
      if (progress.budget.exhausted) {
        progress.budget.cut = true;
        break;
      }
      if (n > 1) progress.budget.add('\n\n');
      try {
        const page = await session.doc.getPage(n);
        try {
          await readPage(session.doc, page, options, progress, signal);
        } finally {
          page.cleanup();
        }
      } catch (err) {
        if (err instanceof RunawayPage) {
          progress.runaway.push(`page ${n}: ${err.message}`);
          await session.task.destroy();
          if (progress.runaway.length >= MAX_RUNAWAY_PAGES && n < limit) {
            progress.runaway.push(`pages ${n + 1}-${limit} left out after ${MAX_RUNAWAY_PAGES} runaway pages`);
            break;
          }
          session = await open(data, options);
          continue;
        }
        if (isDocumentFatal(err)) throw err;
        throwIfAborted(signal);
        progress.failedPages += 1;
        if (progress.details.length < 3) progress.details.push(`page ${n}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    let thumbnail: Thumbnail | undefined;
    if (options.thumbnail && pages > 0 && progress.runaway.length < MAX_RUNAWAY_PAGES) {
      // A thumbnail is a nicety: the text is what the document is for.
      thumbnail = await firstPageThumbnail(session.doc, { ...options, thumbnail: options.thumbnail }).catch(() => undefined);
    }
    return summarise(pages, limit, options, progress, thumbnail);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await session.task.destroy().catch(() => undefined);
  }
}
