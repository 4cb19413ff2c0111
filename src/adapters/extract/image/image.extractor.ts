import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import { DocsiftError } from '../../../domain/errors.js';
import { normaliseExtractedText } from '../../../domain/text-normalise.js';
import type { Extraction, Thumbnail } from '../../../ports/extractor.port.js';
import type { OcrImage, OcrService } from '../ocr/ocr.types.js';
import { greyToPgm } from '../pdf/pdf-render.js';
import { throwIfAborted } from '../signal.js';
import { bmpDimensions, decodeBmp } from './bmp.js';
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
  /** Runs one decode-and-recognise step when the extractor-wide bound allows. */
  ocrSlot: <T>(task: () => Promise<T>) => Promise<T>;
}

/**
 * The resolution OCR is told when an image declares none (or an incredible one). Left to itself
 * tesseract estimates it from the text, and with automatic page segmentation a short line of
 * Japanese at 150 DPI was then cut into pieces (`東京本社の会議は||後三時に始8`); told any resolution
 * from 100 to 300 DPI it read the line whole, as it did English lines and full pages. Scans are
 * mostly 200-300 DPI.
 */
const UNKNOWN_DPI = 300;

/** An image as sharp pipelines, one per page; BMP (which sharp cannot read) decoded by hand. */
interface ImageSource {
  pages: number;
  density?: number;
  page(n: number): Sharp;
}

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

function bomb(width: number, height: number, maxPixels: number): DocsiftError {
  return new DocsiftError('decompression_bomb', 'extract', `image declares ${width}x${height} pixels, over IMAGE_MAX_PIXELS=${maxPixels}`);
}

/**
 * The declared size is checked against the pixel limit from the header before anything is
 * decoded, so a small file declaring 30000 x 30000 pixels is refused as a decompression bomb.
 */
async function openSource(path: string, contentType: string, maxPixels: number): Promise<ImageSource> {
  if (contentType === 'image/bmp') {
    const data = await readFile(path);
    const { width, height } = bmpDimensions(data);
    if (width * height > maxPixels) throw bomb(width, height, maxPixels);
    const decoded = decodeBmp(data);
    return { pages: 1, page: () => sharp(decoded.rgb, { raw: { width: decoded.width, height: decoded.height, channels: 3 } }) };
  }
  const meta = await sharp(path, { limitInputPixels: false }).metadata();
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width * height > maxPixels) throw bomb(width, height, maxPixels);
  // Every page of a TIFF is part of the document; GIF and WebP frames are animation: the first.
  const pages = contentType === 'image/tiff' ? Math.max(1, meta.pages ?? 1) : 1;
  return {
    pages,
    density: meta.density,
    page: (n) => sharp(path, { page: n, limitInputPixels: maxPixels, failOn: 'error' }),
  };
}

/**
 * One page as greyscale pixels for OCR: EXIF orientation applied, density above `maxDpi` and sides
 * above `maxSide` scaled down, optional contrast normalisation.
 */
async function ocrImage(source: ImageSource, n: number, options: ImageOptions): Promise<OcrImage> {
  const oriented = await source.page(n).rotate().flatten({ background: '#ffffff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = oriented.info;
  let scale = 1;
  if (source.density && source.density > options.maxDpi) scale = options.maxDpi / source.density;
  const side = Math.max(width, height) * scale;
  if (side > options.maxSide) scale *= options.maxSide / side;
  let pipeline = sharp(oriented.data, { raw: { width, height, channels: 1 } });
  if (scale < 1) pipeline = pipeline.resize({ width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), fit: 'fill' });
  if (options.preprocessing.includes('normalise')) pipeline = pipeline.normalise();
  // OCR always reads one grey channel; `grayscale` in IMAGE_PREPROCESSING names that step.
  const { data, info } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true });
  const dpi = source.density ? Math.round(source.density * scale) : undefined;
  return { ...greyToPgm(data, info.width, info.height), dpi: dpi !== undefined && dpi >= 70 ? dpi : UNKNOWN_DPI };
}

/** PNG, JPEG, TIFF (every page), WebP, GIF and BMP: a thumbnail, and OCR of each page. */
export async function extractImage(path: string, contentType: string, options: ImageOptions, signal?: AbortSignal): Promise<Extraction> {
  let source: ImageSource;
  let thumbnail: Thumbnail | undefined;
  try {
    source = await openSource(path, contentType, options.maxPixels);
    if (options.thumbnail) thumbnail = await makeThumbnail(source.page(0), options.thumbnail);
  } catch (err) {
    throw classify(err, contentType);
  }
  const base: Extraction = { contentType, text: '', method: 'none', status: 'unsupported', pages: source.pages };
  if (thumbnail) base.thumbnail = thumbnail;
  if (!options.ocr) return { ...base, detail: 'OCR disabled' };

  const limit = Math.min(source.pages, options.maxPages);
  const texts: string[] = [];
  const confidences: number[] = [];
  for (let n = 0; n < limit; n += 1) {
    throwIfAborted(signal);
    const ocr = options.ocr;
    const result = await options.ocrSlot(async () => {
      throwIfAborted(signal);
      let image: OcrImage;
      try {
        image = await ocrImage(source, n, options);
      } catch (err) {
        throw classify(err, contentType);
      }
      return ocr.recognize(image, signal);
    });
    options.onOcrPage?.(result.ms);
    if (result.confidence !== null) confidences.push(result.confidence);
    texts.push(normaliseExtractedText(result.text.trim()));
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
  };
  if (source.pages > limit) {
    extraction.truncated = true;
    extraction.detail = `pages ${limit + 1}-${source.pages} of ${source.pages} left out (MAX_PDF_PAGES=${options.maxPages})`;
  }
  return extraction;
}
