import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { OcrImage } from '../ocr/ocr.types.js';

export interface RenderLimits {
  dpi: number;
  maxPixels: number;
  maxSide: number;
}

/** Scale for `dpi`, reduced so the rendered page stays within the pixel and side caps. */
export function renderScale(widthPt: number, heightPt: number, limits: RenderLimits): number {
  let scale = limits.dpi / 72;
  const side = Math.max(widthPt, heightPt) * scale;
  if (side > limits.maxSide) scale *= limits.maxSide / side;
  const pixels = widthPt * scale * heightPt * scale;
  if (pixels > limits.maxPixels) scale *= Math.sqrt(limits.maxPixels / pixels);
  return scale;
}

interface CanvasAndContext {
  canvas: unknown;
  context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** RGBA pixels of one page at the capped DPI, drawn on pdfjs's own @napi-rs/canvas. */
export async function renderRgba(
  doc: PDFDocumentProxy,
  page: PDFPageProxy,
  limits: RenderLimits,
): Promise<{ rgba: Uint8ClampedArray; width: number; height: number; dpi: number }> {
  const base = page.getViewport({ scale: 1 });
  const scale = renderScale(base.width, base.height, limits);
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.floor(viewport.width));
  const height = Math.max(1, Math.floor(viewport.height));
  const factory = doc.canvasFactory as { create(w: number, h: number): CanvasAndContext; destroy(c: CanvasAndContext): void };
  const target = factory.create(width, height);
  try {
    await page.render({
      canvas: target.canvas as never,
      canvasContext: target.context as never,
      viewport,
      background: '#ffffff',
    }).promise;
    const { data } = target.context.getImageData(0, 0, width, height);
    return { rgba: data, width, height, dpi: Math.round(scale * 72) };
  } finally {
    factory.destroy(target);
  }
}

/**
 * Greyscale PGM (P5) from RGBA: what the OCR engines decode fastest. PNG encoding would cost
 * ~900 ms a page; this costs a pass over the pixels.
 */
export function rgbaToPgm(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): OcrImage {
  const header = Buffer.from(`P5\n${width} ${height}\n255\n`, 'ascii');
  const out = Buffer.allocUnsafe(header.length + width * height);
  header.copy(out, 0);
  let o = header.length;
  for (let i = 0; i < rgba.length; i += 4) {
    // ITU-R BT.601 luma, integer arithmetic.
    out[o++] = (rgba[i]! * 299 + rgba[i + 1]! * 587 + rgba[i + 2]! * 114) / 1000;
  }
  return { data: out, width, height };
}

/** Greyscale PGM from one-channel raw pixels. */
export function greyToPgm(grey: Uint8Array, width: number, height: number): OcrImage {
  const header = Buffer.from(`P5\n${width} ${height}\n255\n`, 'ascii');
  return { data: Buffer.concat([header, grey]), width, height };
}
