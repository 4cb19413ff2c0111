import { readFile } from 'node:fs/promises';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { OcrPageReason } from '../../../domain/document.js';
import { DocsiftError } from '../../../domain/errors.js';
import { normaliseExtractedText } from '../../../domain/text-normalise.js';
import { textLayerQuality } from '../../../domain/text-quality.js';
import type { Extraction, Thumbnail } from '../../../ports/extractor.port.js';
import { makeThumbnail, type ThumbnailOptions } from '../image/thumbnail.js';
import type { OcrImage, OcrService } from '../ocr/ocr.types.js';
import { throwIfAborted } from '../signal.js';
import { TextBudget } from '../text-budget.js';
import { pdfMetadata, withMetadata } from './pdf-info.js';
import { isPasswordError, openPdf } from './pdfjs.js';
import { scannedPageImage } from './pdf-image.js';
import { boundedOperatorList, TooManyOperatorsError } from './pdf-operators.js';
import { renderRgba, rgbaToPgm, type RenderLimits } from './pdf-render.js';
import { pageText, visibleChars } from './pdf-text.js';
import { PageOrder } from './page-order.js';
import { PageFlight, pageRanges, type PageSource, type PageTally } from './pdf-pages.js';

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

interface Progress extends PageTally {
  budget: TextBudget;
  pagesWithoutText: number;
  runaway: string[];
  /** DOCUMENT_BUDGET ran out after this many pages were started. */
  budgetOutAt?: number;
}

/** Why the page goes to OCR, or null: under `auto`, a short text layer or one the quality score calls garbage. */
function ocrReason(strategy: PdfStrategy, text: string, minTextChars: number): OcrPageReason | null {
  if (strategy === 'text_only') return null;
  if (strategy !== 'auto') return 'strategy';
  if (visibleChars(text) < minTextChars) return 'no_text';
  return textLayerQuality(text, { minChars: minTextChars, minScore: 0.8 }).reason ? 'garbled_text' : null;
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

/** How one page of this document is read: its text layer, and OCR where the strategy says. */
function pageSource(session: () => Session, options: PdfOptions, ocr: OcrService): PageSource {
  return {
    wantsOcr: (text) => ocrReason(options.strategy, text, options.minTextChars),
    image: (page, signal) => pageImage(session().doc, page, options, signal),
    recognize: async (image, signal) => {
      const result = await ocr.recognize(image, signal);
      options.onOcrPage?.(result.ms);
      return result;
    },
    // A garbage text layer is replaced, not kept beside the OCR: its characters match nothing.
    combine: (text, ocrText, reason) => normaliseExtractedText(reason !== 'garbled_text' && visibleChars(text) > 0 && text !== ocrText ? `${text}\n${ocrText}` : ocrText),
    ocrSlot: options.ocrSlot,
  };
}

function summarise(pages: number, limit: number, options: PdfOptions, progress: Progress, thumbnail: Thumbnail | undefined): Extraction {
  const { budget, details } = progress;
  if (progress.runaway.length > 0) details.unshift(...progress.runaway);
  if (pages > limit) details.unshift(`pages ${limit + 1}-${pages} of ${pages} left out (MAX_PDF_PAGES=${options.maxPages})`);
  if (progress.failedPages > 0) details.unshift(`${progress.failedPages} page(s) failed`);
  const budgetOut = progress.budgetOutAt !== undefined;
  if (budgetOut) {
    // Pages finish OCR out of order: every page read is kept, and the ones that were not are named.
    const read = new Set(progress.readPages);
    const unread = Array.from({ length: limit }, (_, i) => i + 1).filter((n) => !read.has(n));
    details.unshift(`DOCUMENT_BUDGET ran out: ${progress.readPages.length} of ${pages} pages read${unread.length > 0 ? ` (not read: ${unread.length === 1 ? 'page' : 'pages'} ${pageRanges(unread)})` : ''}`);
  }
  if (progress.pagesBlank > 0) details.push(`${progress.pagesBlank} blank page(s) not OCR'd`);
  if (progress.pagesWithoutText > 0) details.push(`${progress.pagesWithoutText} page(s) without a text layer were not OCR'd (OCR_ENABLED=false or PDF_STRATEGY=text_only)`);
  const text = budget.text().trim();
  const extraction: Extraction = {
    contentType: 'application/pdf',
    text,
    method: progress.pagesOcr > 0 ? 'pdf_ocr' : 'pdf_text',
    status: progress.failedPages > 0 || budgetOut ? 'partial' : text === '' ? 'empty' : 'ok',
    pages,
    truncated: pages > limit || budget.cut || progress.runaway.length > 0 || budgetOut || undefined,
  };
  if (budgetOut) extraction.pagesRead = progress.readPages.length;
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
  // Pages finish OCR out of order: listed in page order.
  if (progress.ocrPages.length > 0) extraction.ocrPages = progress.ocrPages.sort((a, b) => a.page - b.page);
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
 * Page by page into the document's text budget, in page order: text layers are read one page at
 * a time, and pages that need OCR are rendered one at a time and recognised concurrently across
 * the OCR pool (at most two rendered pages per OCR worker, the `ocrSlot` bound). A page that
 * expands past PDF_MAX_OPERATORS (drawing operations or text items) is abandoned, the document
 * reopened for the pages after it, and the result marked truncated. At `deadline` (DOCUMENT_BUDGET)
 * no new page is started and pages in OCR are cancelled: what was read is returned as partial.
 */
export async function extractPdf(path: string, maxChars: number, options: PdfOptions, signal?: AbortSignal, deadline?: number): Promise<Extraction> {
  const data = await readFile(path);
  const opened = await openOrClassify(data, options);
  if (!('task' in opened)) return opened;
  let session = opened;
  const onAbort = () => void session.task.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  const progress: Progress = { budget: new TextBudget(maxChars), readPages: [], pagesOcr: 0, pagesBlank: 0, failedPages: 0, pagesWithoutText: 0, confidences: [], ocrPages: [], details: [], runaway: [] };
  const order = new PageOrder(progress.budget);
  const flight = new PageFlight(order, progress, signal, deadline);
  try {
    const pages = session.doc.numPages;
    const metadata = await pdfMetadata(session.doc);
    const limit = Math.min(pages, options.maxPages);
    const source = options.ocr ? pageSource(() => session, options, options.ocr) : undefined;
    for (let n = 1; n <= limit; n += 1) {
      flight.throwIfFatal();
      if (flight.budgetOut) {
        progress.budgetOutAt = n;
        break;
      }
      if (order.exhausted) {
        progress.budget.cut = true;
        break;
      }
      try {
        await readOnePage(n, session, options, progress, { order, flight, source });
      } catch (err) {
        order.put(n, null);
        if (!(err instanceof RunawayPage)) {
          pageFailed(n, err, flight, progress);
          continue;
        }
        progress.runaway.push(`page ${n}: ${err.message}`);
        await session.task.destroy();
        if (progress.runaway.length >= MAX_RUNAWAY_PAGES && n < limit) {
          progress.runaway.push(`pages ${n + 1}-${limit} left out after ${MAX_RUNAWAY_PAGES} runaway pages`);
          break;
        }
        session = await open(data, options);
      }
    }
    await flight.drain();
    flight.throwIfFatal();
    if (flight.budgetOut) progress.budgetOutAt ??= limit;
    order.finish();
    let thumbnail: Thumbnail | undefined;
    if (options.thumbnail && pages > 0 && progress.runaway.length < MAX_RUNAWAY_PAGES && !flight.budgetOut) {
      // A thumbnail is a nicety: the text is what the document is for.
      thumbnail = await firstPageThumbnail(session.doc, { ...options, thumbnail: options.thumbnail }).catch(() => undefined);
    }
    return withMetadata(summarise(pages, limit, options, progress, thumbnail), metadata);
  } finally {
    flight.cancel();
    await flight.drain();
    signal?.removeEventListener('abort', onAbort);
    await session.task.destroy().catch(() => undefined);
  }
}

/** A page that failed to read: the document's end when fatal, unread when the budget ran out, else a failed page. */
function pageFailed(n: number, err: unknown, flight: PageFlight, progress: Progress): void {
  flight.throwIfFatal();
  if (flight.budgetOut) return;
  if (isDocumentFatal(err)) throw err;
  progress.failedPages += 1;
  if (progress.details.length < 3) progress.details.push(`page ${n}: ${err instanceof Error ? err.message : String(err)}`);
}

interface Loop {
  order: PageOrder;
  flight: PageFlight;
  source: PageSource | undefined;
}

/** Page `n`: its text goes in order now, or, when it needs OCR, once its OCR ends (returns when it is rendered). */
async function readOnePage(n: number, session: Session, options: PdfOptions, progress: Progress, { order, flight, source }: Loop): Promise<void> {
  const page = await session.doc.getPage(n);
  try {
    let text = '';
    if (options.strategy !== 'ocr_only') {
      const read = await pageText(page, { maxChars: order.room + 1, maxItems: options.maxOperators });
      if (read.cut === 'items') throw new RunawayPage(`more than ${options.maxOperators} text items (PDF_MAX_OPERATORS)`);
      text = read.text;
    }
    const reason = source ? source.wantsOcr(text) : null;
    if (!source || !reason) {
      if (!options.ocr && visibleChars(text) < options.minTextChars) progress.pagesWithoutText += 1;
      progress.readPages.push(n);
      order.put(n, normaliseExtractedText(text));
      return;
    }
    await flight.start({ n, page, text, reason }, source, isDocumentFatal);
  } finally {
    page.cleanup();
  }
}
