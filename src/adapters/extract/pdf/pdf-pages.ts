import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { MAX_OCR_PAGES_LISTED, type OcrPage, type OcrPageReason } from '../../../domain/document.js';
import { DocsiftError } from '../../../domain/errors.js';
import { isBlankPage } from '../blank-page.js';
import type { OcrImage, OcrResult } from '../ocr/ocr.types.js';
import { throwIfAborted } from '../signal.js';
import type { PageOrder } from './page-order.js';

/** What the page loop needs from the reader of one page (pdf.extractor.ts). */
export interface PageSource {
  /** Why this page's text calls for OCR, or null. */
  wantsOcr(text: string): OcrPageReason | null;
  /** The page's text from its text layer and its OCR, normalised. */
  combine(layerText: string, ocrText: string, reason: OcrPageReason): string;
  /** The page as an image for OCR; throws RunawayPage past a cap. */
  image(page: PDFPageProxy, signal: AbortSignal): Promise<OcrImage>;
  recognize(image: OcrImage, signal: AbortSignal): Promise<OcrResult>;
  /** Bounds rendered pages per OCR worker (the extractor-wide p-limit). */
  ocrSlot: <T>(task: () => Promise<T>) => Promise<T>;
}

/** Counts a document's pages end in, for its summary. */
export interface PageTally {
  /** The numbers of the pages read (pages finish OCR out of order, so these need not be 1..N). */
  readPages: number[];
  pagesOcr: number;
  pagesBlank: number;
  failedPages: number;
  confidences: number[];
  ocrPages: OcrPage[];
  details: string[];
}

/** One page on its way to OCR: its number, its text layer and why it is OCR'd. */
export interface OcrPageJob {
  n: number;
  page: PDFPageProxy;
  text: string;
  reason: OcrPageReason;
}

/** The document's OCR pages in flight, its deadline and the first error that ends it. */
export class PageFlight {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** Set when DOCUMENT_BUDGET ran out: no new page starts, pages in OCR are cancelled. */
  budgetOut = false;
  fatal: unknown;
  readonly signal: AbortSignal;

  constructor(
    private readonly order: PageOrder,
    private readonly tally: PageTally,
    private readonly outer: AbortSignal | undefined,
    deadline: number | undefined,
  ) {
    this.signal = outer ? AbortSignal.any([outer, this.stop.signal]) : this.stop.signal;
    if (deadline !== undefined) {
      this.timer = setTimeout(() => this.endBudget(), Math.max(0, deadline - Date.now()));
      this.timer.unref();
    }
  }

  /** True when no further page should be started. */
  get stopped(): boolean {
    return this.budgetOut || this.fatal !== undefined || this.signal.aborted;
  }

  /** Throws what ended the document: the caller's abort (PROCESSING_TIMEOUT) or a document-fatal OCR error. */
  throwIfFatal(): void {
    throwIfAborted(this.outer);
    if (this.fatal !== undefined) throw this.fatal;
  }

  private endBudget(): void {
    this.budgetOut = true;
    this.stop.abort(new DocsiftError('processing_timeout', 'ocr', 'DOCUMENT_BUDGET ran out'));
  }

  /**
   * Renders page `n` in a free OCR slot and returns once it is rendered (so the next page can be
   * read); its OCR goes on in the pool and puts the page's text in order when it ends.
   */
  async start(job: OcrPageJob, source: PageSource, isFatal: (err: unknown) => boolean): Promise<void> {
    const { n, page } = job;
    let rendered!: () => void;
    let renderFailed!: (err: unknown) => void;
    let renderedOk = false;
    const renderedP = new Promise<void>((res, rej) => ((rendered = res), (renderFailed = rej)));
    const ocr = source.ocrSlot(async (): Promise<OcrResult | null> => {
      let image: OcrImage;
      try {
        throwIfAborted(this.signal);
        image = await source.image(page, this.signal);
      } catch (err) {
        renderFailed(err);
        throw err;
      }
      renderedOk = true;
      rendered();
      // Nothing to read on a blank page (a scan's empty back side): no OCR run.
      if (isBlankPage(image)) return null;
      return source.recognize(image, this.signal);
    });
    const settled = ocr.then(
      (result) => this.done(job, source, result),
      // A render that failed is the page loop's to count (it awaits `renderedP`).
      (err: unknown) => (renderedOk ? this.failed(n, err, isFatal) : undefined),
    );
    const tracked = settled.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    await renderedP;
  }

  private done(job: OcrPageJob, source: PageSource, result: OcrResult | null): void {
    this.tally.readPages.push(job.n);
    if (result === null) {
      this.tally.pagesBlank += 1;
      this.order.put(job.n, job.reason === 'garbled_text' ? '' : source.combine(job.text, '', job.reason));
      return;
    }
    this.tally.pagesOcr += 1;
    if (this.tally.ocrPages.length < MAX_OCR_PAGES_LISTED) this.tally.ocrPages.push({ page: job.n, reason: job.reason });
    if (result.confidence !== null) this.tally.confidences.push(result.confidence);
    this.order.put(job.n, source.combine(job.text, result.text.trim(), job.reason));
  }

  private failed(n: number, err: unknown, isFatal: (err: unknown) => boolean): void {
    this.order.put(n, null);
    // A page cancelled because the budget ran out is unread, not failed.
    if (this.budgetOut && !this.outer?.aborted) return;
    if (isFatal(err)) {
      this.fatal ??= err;
      this.stop.abort(err);
      return;
    }
    this.tally.failedPages += 1;
    if (this.tally.details.length < 3) this.tally.details.push(`page ${n}: ${err instanceof Error ? err.message : String(err)}`);
  }

  /** The document failed: pages still in OCR are not wanted any more. */
  cancel(): void {
    if (!this.stop.signal.aborted) this.stop.abort(new DocsiftError('processing_timeout', 'ocr', 'document abandoned'));
  }

  /** Waits for every page still in OCR; clears the deadline. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.timer) clearTimeout(this.timer);
  }
}

/** Page numbers as ranges: [13, 14, 16, 17, 18] -> "13-14, 16-18". */
export function pageRanges(pages: readonly number[]): string {
  const sorted = [...new Set(pages)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j += 1;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}
