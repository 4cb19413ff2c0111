import { afterAll, describe, expect, it } from 'vitest';
import { createExtractionEngine } from '../../../src/adapters/extract/engine.js';
import { engineOptions } from '../../../src/adapters/extract/engine-options.js';
import type { OcrImage, OcrResult, OcrService } from '../../../src/adapters/extract/ocr/ocr.types.js';
import { pageRanges } from '../../../src/adapters/extract/pdf/pdf-pages.js';
import { abortedError } from '../../../src/adapters/extract/signal.js';
import { DocsiftError } from '../../../src/domain/errors.js';
import { buildPdf, type PdfPage } from '../../fixtures/pdf.fixture.js';
import { tempFiles, testConfig } from './helpers.js';

const W = 120;
const H = 170;
const BANDS = 40;

/** A scanned page whose dark band is `n` fortieths of its height: the fake OCR reads `n` back from the pixels. */
function scan(n: number): PdfPage {
  const grey = Buffer.alloc(W * H, 255);
  const rows = Math.round((n / BANDS) * H);
  for (let y = 0; y < rows; y += 1) grey.fill(0, y * W + 10, y * W + W - 10);
  return { image: { grey, width: W, height: H } };
}

/** The page number a `scan(n)` image carries: the share of rows that are dark in the middle column. */
function pageOf(image: OcrImage): number {
  const pixels = image.data.subarray(image.data.length - image.width * image.height);
  let dark = 0;
  for (let y = 0; y < image.height; y += 1) if (pixels[y * image.width + Math.floor(image.width / 2)]! < 128) dark += 1;
  return Math.round((dark / image.height) * BANDS);
}

/** An OCR pool double of `size` workers: answers `page <n>` after `delay(n)` ms, records how many pages it held at once. */
class SlowOcr implements OcrService {
  readonly engine = 'native' as const;
  readonly languages = 'eng';
  active = 0;
  maxActive = 0;
  seen: number[] = [];
  cancelled = 0;
  constructor(
    readonly size: number,
    private readonly delay: (n: number) => number,
    private readonly fail?: (n: number) => DocsiftError | undefined,
  ) {}

  recognize(image: OcrImage, signal?: AbortSignal): Promise<OcrResult> {
    const n = pageOf(image);
    this.seen.push(n);
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    return new Promise((resolve, reject) => {
      const end = () => {
        this.active -= 1;
        signal?.removeEventListener('abort', onAbort);
      };
      const timer = setTimeout(() => {
        end();
        const err = this.fail?.(n);
        if (err) reject(err);
        else resolve({ text: `page ${n}`, confidence: 90, ms: 1 });
      }, this.delay(n));
      const onAbort = () => {
        clearTimeout(timer);
        end();
        this.cancelled += 1;
        reject(abortedError(signal, 'ocr'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {}
}

const files = await tempFiles();
afterAll(() => files.cleanup());

function engine(ocr: OcrService) {
  return createExtractionEngine(engineOptions(testConfig({ OCR_ENABLED: 'true', THUMBNAIL_PDFS: 'false' })), ocr);
}

describe('the pages of one PDF across the OCR pool', () => {
  it('OCRs pages concurrently (a bounded window: two rendered pages per OCR worker) and keeps the text in page order', async () => {
    const ocr = new SlowOcr(2, (n) => 20 + ((n * 37) % 5) * 25);
    const pdf = buildPdf(Array.from({ length: 12 }, (_, i) => scan(i + 1)));
    const out = await engine(ocr).extract(await files.input('scan.pdf', pdf));
    expect(out.text.split('\n\n')).toEqual(Array.from({ length: 12 }, (_, i) => `page ${i + 1}`));
    expect(out).toMatchObject({ status: 'ok', pages: 12, method: 'pdf_ocr', ocr: { pages_ocr: 12 } });
    expect(out.truncated).toBeUndefined();
    expect(out.pagesRead).toBeUndefined();
    expect(ocr.maxActive).toBeGreaterThanOrEqual(2);
    expect(ocr.maxActive).toBeLessThanOrEqual(4);
  });

  it('skips OCR for a blank page and keeps its place', async () => {
    const ocr = new SlowOcr(2, () => 5);
    const blank: PdfPage = { image: { grey: Buffer.alloc(W * H, 250), width: W, height: H } };
    const out = await engine(ocr).extract(await files.input('blank.pdf', buildPdf([scan(1), blank, scan(3)])));
    expect(out.text).toBe('page 1\n\n\n\npage 3');
    expect(ocr.seen.sort()).toEqual([1, 3]);
    expect(out.detail).toMatch(/1 blank page\(s\) not OCR'd/);
    expect(out.ocr?.pages_ocr).toBe(2);
  });

  it('when DOCUMENT_BUDGET runs out: no new page, pages in OCR cancelled, what was read indexed as partial with page counts', async () => {
    const ocr = new SlowOcr(2, () => 150);
    const pdf = buildPdf(Array.from({ length: 30 }, (_, i) => scan((i % 39) + 1)));
    const input = { ...(await files.input('long.pdf', pdf)), deadline: Date.now() + 700 };
    const started = performance.now();
    const out = await engine(ocr).extract(input);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(out.status).toBe('partial');
    expect(out.truncated).toBe(true);
    expect(out.pages).toBe(30);
    expect(out.pagesRead).toBeGreaterThan(2);
    expect(out.pagesRead).toBeLessThan(30);
    expect(out.ocr?.pages_ocr).toBe(out.pagesRead);
    expect(ocr.cancelled).toBeGreaterThan(0);
    // Every page read is kept, in page order; pages finish OCR out of order, so under load a later
    // page can be read while an earlier one is cancelled, and the detail names what was not read.
    const read = out.text.split('\n\n').filter(Boolean).map((t) => Number(/^page (\d+)$/.exec(t)?.[1]));
    expect(read).toHaveLength(out.pagesRead!);
    expect(read).toEqual([...read].sort((a, b) => a - b));
    const unread = Array.from({ length: 30 }, (_, i) => i + 1).filter((n) => !read.includes(n));
    expect(out.detail).toContain(`DOCUMENT_BUDGET ran out: ${out.pagesRead} of 30 pages read (not read: pages ${pageRanges(unread)})`);
  });

  it('when DOCUMENT_BUDGET runs out with an early page still in OCR: later pages already read are kept and the gap is named', async () => {
    // Page 3 takes far longer than the budget; the pages after it finish first.
    const ocr = new SlowOcr(2, (n) => (n === 3 ? 60_000 : 30));
    const pdf = buildPdf(Array.from({ length: 12 }, (_, i) => scan(i + 1)));
    const input = { ...(await files.input('gap.pdf', pdf)), deadline: Date.now() + 2500 };
    const out = await engine(ocr).extract(input);
    const read = out.text.split('\n\n').filter(Boolean);
    expect(read.slice(0, 2)).toEqual(['page 1', 'page 2']);
    expect(read).not.toContain('page 3');
    expect(read).toContain('page 4');
    expect(out).toMatchObject({ status: 'partial', truncated: true, pages: 12, pagesRead: read.length });
    expect(out.detail).toMatch(/^DOCUMENT_BUDGET ran out: \d+ of 12 pages read \(not read: pages? 3(, \d+(-12)?)?\)/);
    expect(ocr.cancelled).toBeGreaterThan(0);
  });

  it('names page numbers as ranges', () => {
    expect(pageRanges([13, 14, 16, 17, 18, 30])).toBe('13-14, 16-18, 30');
    expect(pageRanges([5])).toBe('5');
    expect(pageRanges([3, 1, 2, 2])).toBe('1-3');
    expect(pageRanges([])).toBe('');
  });

  it('a document-fatal OCR error (ocr_timeout) on one page fails the document and cancels the pages still in OCR', async () => {
    const ocr = new SlowOcr(2, (n) => (n === 3 ? 10 : 300), (n) => (n === 3 ? new DocsiftError('ocr_timeout', 'ocr', 'slow page') : undefined));
    const pdf = buildPdf(Array.from({ length: 8 }, (_, i) => scan(i + 1)));
    await expect(engine(ocr).extract(await files.input('fatal.pdf', pdf))).rejects.toMatchObject({ code: 'ocr_timeout' });
    expect(ocr.cancelled).toBeGreaterThan(0);
  });

  it("the caller's abort (PROCESSING_TIMEOUT) still fails the document as processing_timeout, not partial", async () => {
    const ocr = new SlowOcr(2, () => 200);
    const pdf = buildPdf(Array.from({ length: 10 }, (_, i) => scan(i + 1)));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 250);
    await expect(engine(ocr).extract(await files.input('aborted.pdf', pdf), controller.signal)).rejects.toMatchObject({ code: 'processing_timeout' });
  });
});
