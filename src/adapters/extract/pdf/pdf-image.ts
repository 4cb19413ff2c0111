import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import sharp from 'sharp';
import type { OcrImage } from '../ocr/ocr.types.js';
import type { OperatorList } from './pdf-operators.js';
import { greyToPgm, renderScale, type RenderLimits } from './pdf-render.js';
import { pdfjs } from './pdfjs.js';

type Matrix = [number, number, number, number, number, number];

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** m1 then m2, in PDF's row-vector convention (what `cm` does to the current matrix). */
function multiply(m1: Matrix, m2: Matrix): Matrix {
  return [
    m1[0] * m2[0] + m1[1] * m2[2],
    m1[0] * m2[1] + m1[1] * m2[3],
    m1[2] * m2[0] + m1[3] * m2[2],
    m1[2] * m2[1] + m1[3] * m2[3],
    m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
    m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
  ];
}

/** pdfjs's decoded image object: kind 2 is RGB, 24 bits per pixel, rows top to bottom. */
interface DecodedImage {
  width: number;
  height: number;
  kind?: number;
  data?: Uint8Array | Uint8ClampedArray;
  bitmap?: unknown;
}

const RGB_24BPP = 2;
/** pdfjs sends an image's pixels after the operator list; the renderer would wait as long. */
const DECODE_WAIT_MS = 10_000;

function decodedImage(page: PDFPageProxy, name: string, signal?: AbortSignal): Promise<DecodedImage | null> {
  const objs = name.startsWith('g_') ? page.commonObjs : page.objs;
  return new Promise((resolve) => {
    const done = (data: unknown) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve((data ?? null) as DecodedImage | null);
    };
    const onAbort = () => done(null);
    const timer = setTimeout(onAbort, DECODE_WAIT_MS);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
    objs.get(name, done);
  });
}

/**
 * The pixels of a scanned page without drawing it: when the page's whole content is one upright
 * image (what scanners and most scan-to-PDF tools write), its pixels as pdfjs decoded them,
 * greyscaled and scaled to at most `limits.dpi` by sharp, off the event loop. Rendering the same
 * page draws the image onto a canvas and reads it back: a corpus scan of two A4 pages at 200 DPI took
 * 503 ms of CPU rendered and 382 ms this way (medians of three), work the OCR result does not need.
 *
 * `listed`: the page's operator list when the caller already has it (bounded by PDF_MAX_OPERATORS).
 * Returns null for every other page, which is then rendered: text or vector drawing on the page,
 * several images, an image with transparency or in 1-bit form, a rotated or mirrored placement,
 * or a page with /Rotate.
 */
export async function scannedPageImage(page: PDFPageProxy, limits: RenderLimits, signal?: AbortSignal, listed?: OperatorList): Promise<OcrImage | null> {
  if (page.rotate % 360 !== 0 || signal?.aborted) return null;
  const { OPS } = await pdfjs();
  const list = listed ?? (await page.getOperatorList());
  const stack: Matrix[] = [];
  let ctm: Matrix = IDENTITY;
  let image: { name: string; ctm: Matrix } | null = null;
  for (let i = 0; i < list.fnArray.length; i += 1) {
    const fn = list.fnArray[i];
    const args = list.argsArray[i] as unknown[] | null;
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? IDENTITY;
    else if (fn === OPS.transform) ctm = multiply(args as Matrix, ctm);
    else if (fn === OPS.dependency) continue;
    else if (fn === OPS.paintImageXObject && image === null && typeof args?.[0] === 'string') image = { name: args[0], ctm };
    else return null;
  }
  if (!image) return null;
  const [a, b, c, d] = image.ctm;
  if (!(a > 0 && d > 0 && Math.abs(b) < 1e-6 && Math.abs(c) < 1e-6)) return null;
  const decoded = await decodedImage(page, image.name, signal);
  if (signal?.aborted) return null;
  if (!decoded || decoded.bitmap || decoded.kind !== RGB_24BPP || !decoded.data) return null;
  const { width, height, data } = decoded;
  if (data.length !== width * height * 3) return null;

  // The image's own resolution where it sits on the page. Within 5% of PDF_DPI its pixels are used
  // as they are (resampling costs more than it saves); then the side and pixel caps of a rendered page.
  const dpi = (width / a) * 72;
  const toDpi = dpi > limits.dpi * 1.05 ? limits.dpi / dpi : 1;
  const scale = renderScale(width, height, { ...limits, dpi: 72 * toDpi });
  let pipeline = sharp(data, { raw: { width, height, channels: 3 } });
  if (scale < 1) pipeline = pipeline.resize({ width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), fit: 'fill' });
  const grey = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true });
  return { ...greyToPgm(grey.data, grey.info.width, grey.info.height), dpi: Math.round(dpi * scale) };
}
