import { extractionProfile } from '../domain/coverage/reuse.js';
import type { Config } from './schema.js';

/**
 * The settings that change what is extracted from given bytes, hashed: stored with each document
 * and compared before its text is reused. Timeouts, memory and worker counts change only whether
 * an extraction finishes, which the status already records.
 */
export function extractionProfileFor(config: Config): string {
  return extractionProfile({
    OCR_ENABLED: config.OCR_ENABLED,
    OCR_LANGUAGES: config.OCR_LANGUAGES,
    PDF_STRATEGY: config.PDF_STRATEGY,
    PDF_MIN_TEXT_CHARS: config.PDF_MIN_TEXT_CHARS,
    PDF_DPI: config.PDF_DPI,
    MAX_PDF_PAGES: config.MAX_PDF_PAGES,
    PDF_MAX_OPERATORS: config.PDF_MAX_OPERATORS,
    SHEET_MAX_CELLS: config.SHEET_MAX_CELLS,
    IMAGE_PREPROCESSING: config.IMAGE_PREPROCESSING,
    THUMBNAIL_ENABLED: config.THUMBNAIL_ENABLED,
    THUMBNAIL_PDFS: config.THUMBNAIL_PDFS,
  });
}
