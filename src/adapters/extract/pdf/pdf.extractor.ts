import { readFile } from 'node:fs/promises';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DocsiftError } from '../../../domain/errors.js';
import type { Extraction, Thumbnail } from '../../../ports/extractor.port.js';
import { makeThumbnail, type ThumbnailOptions } from '../image/thumbnail.js';
import type { OcrImage, OcrService } from '../ocr/ocr.types.js';
import { throwIfAborted } from '../signal.js';
import { isPasswordError, openPdf } from './pdfjs.js';
import { scannedPageImage } from './pdf-image.js';
import { renderRgba, rgbaToPgm, type RenderLimits } from './pdf-render.js';
import { pageText, visibleChars } from './pdf-text.js';

export type PdfStrategy = 'auto' | 'ocr_and_text' | 'text_only' | 'ocr_only';

export interface PdfOptions {
  strategy: PdfStrategy;
  minTextChars: number;
  maxPages: number;
  render: RenderLimits;
  /** Absent when OCR is disabled: pages without text stay empty. */
  ocr?: OcrService;
  /** Thumbnail of page 1, when THUMBNAIL_PDFS is on. */
  thumbnail?: ThumbnailOptions;
  onOcrPage?: (ms: number) => void;
  /** Runs one render-and-recognise step when the extractor-wide bound allows. */
  ocrSlot: <T>(task: () => Promise<T>) => Promise<T>;
}

const THUMBNAIL_DPI = 36;

function needsOcr(strategy: PdfStrategy, text: string, minTextChars: number): boolean {
  if (strategy === 'text_only') return false;
  if (strategy === 'auto') return visibleChars(text) < minTextChars;
  return true;
}

/** Errors that fail the whole document (retry later) rather than one page. */
function isDocumentFatal(err: unknown): boolean {
  return err instanceof DocsiftError && (err.code === 'ocr_timeout' || err.code === 'processing_timeout' || err.code === 'ocr_failed');
}

async function firstPageThumbnail(doc: PDFDocumentProxy, options: ThumbnailOptions): Promise<Thumbnail | undefined> {
  const page = await doc.getPage(1);
  try {
    const { rgba, width, height } = await renderRgba(doc, page, { dpi: THUMBNAIL_DPI, maxPixels: 4_000_000, maxSide: 2000 });
    return await makeThumbnail({ raw: rgba, width, height, channels: 4 }, options);
  } finally {
    page.cleanup();
  }
}

/** A scanned page's own image when that is all the page is, else the page rendered at the capped DPI. */
async function pageImage(doc: PDFDocumentProxy, page: PDFPageProxy, limits: RenderLimits, signal?: AbortSignal): Promise<OcrImage> {
  const scanned = await scannedPageImage(page, limits, signal);
  if (scanned) return scanned;
  throwIfAborted(signal);
  const { rgba, width, height, dpi } = await renderRgba(doc, page, limits);
  return { ...rgbaToPgm(rgba, width, height), dpi };
}

/**
 * Page by page: only one page's text content or pixels are held at a time. The text layer is used
 * where a page has one; pages without text are rendered and OCR'd according to the strategy.
 */
export async function extractPdf(path: string, maxChars: number, options: PdfOptions, signal?: AbortSignal): Promise<Extraction> {
  const data = new Uint8Array(await readFile(path));
  let opened: Awaited<ReturnType<typeof openPdf>>;
  try {
    opened = await openPdf(data, { maxImagePixels: options.render.maxPixels });
  } catch (err) {
    if (isPasswordError(err)) {
      return { contentType: 'application/pdf', text: '', method: 'none', status: 'encrypted', detail: 'PDF is encrypted with a password' };
    }
    const message = err instanceof Error ? err.message : String(err);
    throw new DocsiftError('corrupt_file', 'extract', `PDF cannot be opened: ${message}`, { cause: err });
  }
  const { task, doc } = opened;
  const onAbort = () => void task.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const pages = doc.numPages;
    const limit = Math.min(pages, options.maxPages);
    const parts: string[] = [];
    let chars = 0;
    let pagesOcr = 0;
    let failedPages = 0;
    let pagesWithoutText = 0;
    let truncated = pages > limit;
    const confidences: number[] = [];
    const details: string[] = [];
    for (let n = 1; n <= limit; n += 1) {
      throwIfAborted(signal);
      if (chars >= maxChars) {
        truncated = true;
        break;
      }
      try {
        const page = await doc.getPage(n);
        try {
          let text = options.strategy === 'ocr_only' ? '' : await pageText(page);
          if (!options.ocr && visibleChars(text) < options.minTextChars) pagesWithoutText += 1;
          if (options.ocr && needsOcr(options.strategy, text, options.minTextChars)) {
            throwIfAborted(signal);
            const ocr = options.ocr;
            // Render inside the OCR slot: only as many rendered pages wait in memory as can be OCR'd.
            const result = await options.ocrSlot(async () => {
              throwIfAborted(signal);
              return ocr.recognize(await pageImage(doc, page, options.render, signal), signal);
            });
            pagesOcr += 1;
            options.onOcrPage?.(result.ms);
            if (result.confidence !== null) confidences.push(result.confidence);
            const ocrText = result.text.trim();
            text = visibleChars(text) > 0 && text !== ocrText ? `${text}\n${ocrText}` : ocrText;
          }
          parts.push(text);
          chars += text.length + 2;
        } finally {
          page.cleanup();
        }
      } catch (err) {
        if (isDocumentFatal(err)) throw err;
        throwIfAborted(signal);
        failedPages += 1;
        parts.push('');
        if (details.length < 3) details.push(`page ${n}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (pages > limit) details.unshift(`pages ${limit + 1}-${pages} of ${pages} left out (MAX_PDF_PAGES=${options.maxPages})`);
    if (failedPages > 0) details.unshift(`${failedPages} page(s) failed`);
    if (pagesWithoutText > 0) details.push(`${pagesWithoutText} page(s) without a text layer were not OCR'd (OCR_ENABLED=false or PDF_STRATEGY=text_only)`);
    let thumbnail: Thumbnail | undefined;
    if (options.thumbnail && pages > 0) {
      try {
        thumbnail = await firstPageThumbnail(doc, options.thumbnail);
      } catch {
        // A thumbnail is a nicety: the text is what the document is for.
      }
    }
    const text = parts.join('\n\n').trim();
    const extraction: Extraction = {
      contentType: 'application/pdf',
      text,
      method: pagesOcr > 0 ? 'pdf_ocr' : 'pdf_text',
      status: failedPages > 0 ? 'partial' : text === '' ? 'empty' : 'ok',
      pages,
      truncated: truncated || undefined,
    };
    if (details.length > 0) extraction.detail = details.join('; ');
    if (options.ocr && pagesOcr > 0) {
      extraction.ocr = {
        engine: options.ocr.engine,
        languages: options.ocr.languages,
        pages_ocr: pagesOcr,
        mean_confidence: confidences.length > 0 ? round1(confidences.reduce((a, b) => a + b, 0) / confidences.length) : null,
      };
    }
    if (thumbnail) extraction.thumbnail = thumbnail;
    return extraction;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await task.destroy().catch(() => undefined);
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
