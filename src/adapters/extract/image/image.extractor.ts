import sharp from 'sharp';
import { DocsiftError } from '../../../domain/errors.js';
import type { Extraction, Thumbnail } from '../../../ports/extractor.port.js';
import type { OcrService } from '../ocr/ocr.types.js';
import { greyToPgm } from '../pdf/pdf-render.js';
import { throwIfAborted } from '../signal.js';
import { makeThumbnail, type ThumbnailOptions } from './thumbnail.js';

export interface ImageOptions {
  ocr?: OcrService;
  maxPixels: number;
  maxSide: number;
  maxPages: number;
  /** Images with a declared density above this are scaled down to it. */
  maxDpi: number;
  preprocessing: ReadonlyArray<'grayscale' | 'normalise'>;
  thumbnail?: ThumbnailOptions;
  onOcrPage?: (ms: number) => void;
}

/** Formats whose every page is text: multi-page TIFF is a scanned document; GIF/WebP frames are animation. */
const MULTI_PAGE = new Set(['tiff']);

/** sharp's messages for inputs that are too big to decode safely. */
function isPixelLimit(message: string): boolean {
  return /pixel limit|exceeds.*limit|too large/i.test(message);
}

function classify(err: unknown, contentType: string): DocsiftError {
  if (err instanceof DocsiftError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (isPixelLimit(message)) return new DocsiftError('decompression_bomb', 'extract', `image refused: ${message}`, { cause: err });
  return new DocsiftError('corrupt_file', 'extract', `${contentType} cannot be decoded: ${message}`, { cause: err });
}

/**
 * One image page as greyscale pixels for OCR: EXIF orientation applied, density above `maxDpi`
 * and sides above `maxSide` scaled down, optional contrast normalisation.
 */
async function ocrPixels(path: string, page: number, options: ImageOptions) {
  const meta = await sharp(path, { page, limitInputPixels: options.maxPixels, failOn: 'error' }).metadata();
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  let scale = 1;
  if (meta.density && meta.density > options.maxDpi) scale = options.maxDpi / meta.density;
  const side = Math.max(width, height) * scale;
  if (side > options.maxSide) scale *= options.maxSide / side;
  let pipeline = sharp(path, { page, limitInputPixels: options.maxPixels, failOn: 'error' }).rotate().flatten({ background: '#ffffff' });
  if (scale < 1) pipeline = pipeline.resize({ width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), fit: 'fill' });
  // OCR reads one channel; grey is always handed over, `grayscale` only names the step.
  pipeline = pipeline.greyscale();
  if (options.preprocessing.includes('normalise')) pipeline = pipeline.normalise();
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  const dpi = meta.density ? Math.round(meta.density * scale) : undefined;
  return { image: { ...greyToPgm(data, info.width, info.height), dpi: dpi && dpi >= 70 ? dpi : undefined } };
}

/**
 * PNG, JPEG, TIFF (every page), WebP, GIF and BMP through sharp. The declared size is checked
 * against the pixel limit from the header before anything is decoded, so a small file declaring
 * 30000 x 30000 pixels is refused as a decompression bomb.
 */
export async function extractImage(path: string, contentType: string, format: string, options: ImageOptions, signal?: AbortSignal): Promise<Extraction> {
  let pages: number;
  try {
    const meta = await sharp(path, { limitInputPixels: false }).metadata();
    const width = meta.width ?? 0;
    const height = meta.pageHeight ?? meta.height ?? 0;
    if (width * height > options.maxPixels) {
      throw new DocsiftError('decompression_bomb', 'extract', `image declares ${width}x${height} pixels, over IMAGE_MAX_PIXELS=${options.maxPixels}`);
    }
    pages = MULTI_PAGE.has(format) ? Math.max(1, meta.pages ?? 1) : 1;
  } catch (err) {
    throw classify(err, contentType);
  }
  let thumbnail: Thumbnail | undefined;
  if (options.thumbnail) {
    try {
      thumbnail = await makeThumbnail(path, options.thumbnail);
    } catch (err) {
      const classified = classify(err, contentType);
      if (classified.code === 'decompression_bomb') throw classified;
    }
  }
  const base: Extraction = { contentType, text: '', method: 'none', status: 'unsupported', pages };
  if (thumbnail) base.thumbnail = thumbnail;
  if (!options.ocr) return { ...base, detail: 'OCR disabled' };

  const limit = Math.min(pages, options.maxPages);
  const texts: string[] = [];
  const confidences: number[] = [];
  let ocrMs = 0;
  for (let page = 0; page < limit; page += 1) {
    throwIfAborted(signal);
    let pixels: Awaited<ReturnType<typeof ocrPixels>>;
    try {
      pixels = await ocrPixels(path, page, options);
    } catch (err) {
      throw classify(err, contentType);
    }
    const result = await options.ocr.recognize(pixels.image, signal);
    options.onOcrPage?.(result.ms);
    ocrMs += result.ms;
    if (result.confidence !== null) confidences.push(result.confidence);
    texts.push(result.text.trim());
  }
  const text = texts.join('\n\n').trim();
  const extraction: Extraction = {
    ...base,
    text,
    method: 'ocr',
    status: text === '' ? 'empty' : 'ok',
    ocr: {
      engine: options.ocr.engine,
      languages: options.ocr.languages,
      pages_ocr: limit,
      mean_confidence: confidences.length > 0 ? Math.round((confidences.reduce((a, b) => a + b, 0) / confidences.length) * 10) / 10 : null,
    },
    ocrMs,
  };
  if (pages > limit) {
    extraction.truncated = true;
    extraction.detail = `pages ${limit + 1}-${pages} of ${pages} left out (MAX_PDF_PAGES=${options.maxPages})`;
  }
  return extraction;
}
