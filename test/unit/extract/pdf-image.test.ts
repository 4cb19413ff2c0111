import { afterEach, describe, expect, it } from 'vitest';
import type { PDFDocumentLoadingTask } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { scannedPageImage } from '../../../src/adapters/extract/pdf/pdf-image.js';
import { openPdf } from '../../../src/adapters/extract/pdf/pdfjs.js';
import { buildPdf, type PdfPage } from '../../fixtures/pdf.fixture.js';

const LIMITS = { dpi: 200, maxPixels: 50_000_000, maxSide: 4200 };
const tasks: PDFDocumentLoadingTask[] = [];
afterEach(async () => {
  await Promise.all(tasks.splice(0).map((t) => t.destroy()));
});

/** A grey gradient with a diagonal: any flip, shift or resampling error changes the pixels. */
function scan(width: number, height: number): Buffer {
  const grey = Buffer.alloc(width * height);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) grey[y * width + x] = x === y ? 0 : (x * 7 + y * 3) % 256;
  return grey;
}

async function firstPage(page: PdfPage) {
  const { task, doc } = await openPdf(new Uint8Array(buildPdf([page])), { maxImagePixels: 50_000_000 });
  tasks.push(task);
  return doc.getPage(1);
}

/** The pixels of a P5 PGM. */
function pgmPixels(data: Buffer): { width: number; height: number; pixels: Buffer } {
  const header = /^P5\n(\d+) (\d+)\n255\n/.exec(data.subarray(0, 40).toString('latin1'))!;
  return { width: Number(header[1]), height: Number(header[2]), pixels: data.subarray(header[0].length) };
}

describe('scannedPageImage: a scanned page read without drawing it', () => {
  it('a page that is one upright image gives that image pixel for pixel, at its own resolution', async () => {
    // 414 x 300 px on a 149 x 108 pt page: 200 DPI.
    const grey = scan(414, 300);
    const page = await firstPage({ image: { grey, width: 414, height: 300 }, widthPt: 149.04, heightPt: 108 });
    const image = await scannedPageImage(page, LIMITS);
    expect(image).not.toBeNull();
    expect(image!.dpi).toBe(200);
    const { width, height, pixels } = pgmPixels(image!.data);
    expect([width, height, image!.width, image!.height]).toEqual([414, 300, 414, 300]);
    let worst = 0;
    for (let i = 0; i < pixels.length; i += 1) worst = Math.max(worst, Math.abs(pixels[i]! - grey[i]!));
    expect(worst).toBeLessThanOrEqual(1);
    // A job already aborted does not wait for pixels.
    expect(await scannedPageImage(page, LIMITS, AbortSignal.abort())).toBeNull();
  });

  it('a finer scan is scaled down to PDF_DPI, and the side cap still applies', async () => {
    // 600 DPI.
    const page = await firstPage({ image: { grey: scan(1200, 600), width: 1200, height: 600 }, widthPt: 144, heightPt: 72 });
    const image = await scannedPageImage(page, LIMITS);
    expect([image!.width, image!.height, image!.dpi]).toEqual([400, 200, 200]);
    const capped = await scannedPageImage(page, { ...LIMITS, maxSide: 300 });
    expect([capped!.width, capped!.height, capped!.dpi]).toEqual([300, 150, 150]);
  });

  it('anything else is left to the renderer: text, text over an image, a rotated page, no image', async () => {
    const image = { grey: scan(200, 100), width: 200, height: 100 };
    expect(await scannedPageImage(await firstPage({ lines: ['A text page'] }), LIMITS)).toBeNull();
    expect(await scannedPageImage(await firstPage({ image, lines: ['Page 1'] }), LIMITS)).toBeNull();
    expect(await scannedPageImage(await firstPage({ image, rotate: 90 }), LIMITS)).toBeNull();
    expect(await scannedPageImage(await firstPage({}), LIMITS)).toBeNull();
  });
});
