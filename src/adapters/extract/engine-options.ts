import type { Config } from '../../config/schema.js';
import type { ThumbnailOptions } from './image/thumbnail.js';
import type { PdfStrategy } from './pdf/pdf.extractor.js';
import type { RenderLimits } from './pdf/pdf-render.js';

/**
 * Everything the extraction engine needs from the configuration, as plain data: it crosses the
 * process boundary into each sandbox, which never reads the environment itself.
 */
export interface EngineOptions {
  ocrEnabled: boolean;
  pdf: {
    strategy: PdfStrategy;
    minTextChars: number;
    maxPages: number;
    /** Drawing operations one page may expand to before it is left unrendered. */
    maxOperators: number;
    render: RenderLimits;
    thumbnail?: ThumbnailOptions;
  };
  image: {
    maxPixels: number;
    maxSide: number;
    maxPages: number;
    maxDpi: number;
    preprocessing: ReadonlyArray<'grayscale' | 'normalise'>;
    thumbnail?: ThumbnailOptions;
  };
  office: {
    maxFileBytes: number;
    maxUncompressedBytes: number;
    /** Cells (shared-string references included) read per sheet. */
    maxCells: number;
  };
}

/** Scans above this are scaled down before OCR: more pixels cost time and memory, not accuracy. */
const MAX_OCR_DPI = 300;
const MiB = 1024 * 1024;

function thumbnailOptions(config: Config): ThumbnailOptions {
  return {
    width: config.THUMBNAIL_WIDTH,
    height: config.THUMBNAIL_HEIGHT,
    quality: config.THUMBNAIL_QUALITY,
    format: config.THUMBNAIL_FORMAT,
    maxPixels: config.IMAGE_MAX_PIXELS,
  };
}

export function engineOptions(config: Config): EngineOptions {
  const thumbnail = config.THUMBNAIL_ENABLED ? thumbnailOptions(config) : undefined;
  return {
    ocrEnabled: config.OCR_ENABLED,
    pdf: {
      strategy: config.PDF_STRATEGY,
      minTextChars: config.PDF_MIN_TEXT_CHARS,
      maxPages: config.MAX_PDF_PAGES,
      maxOperators: config.PDF_MAX_OPERATORS,
      render: { dpi: config.PDF_DPI, maxPixels: config.IMAGE_MAX_PIXELS, maxSide: config.OCR_MAX_IMAGE_SIDE },
      ...(thumbnail && config.THUMBNAIL_PDFS ? { thumbnail } : {}),
    },
    image: {
      maxPixels: config.IMAGE_MAX_PIXELS,
      maxSide: config.OCR_MAX_IMAGE_SIDE,
      maxPages: config.MAX_PDF_PAGES,
      maxDpi: MAX_OCR_DPI,
      preprocessing: config.IMAGE_PREPROCESSING,
      ...(thumbnail ? { thumbnail } : {}),
    },
    office: {
      maxFileBytes: config.MAX_OFFICE_SIZE_MB * MiB,
      maxUncompressedBytes: config.MAX_UNCOMPRESSED_MB * MiB,
      maxCells: config.SHEET_MAX_CELLS,
    },
  };
}
