import type { Config } from '../../config/schema.js';
import { DocsiftError, toDocsiftError } from '../../domain/errors.js';
import type { ExtractInput, Extraction, Extractor } from '../../ports/extractor.port.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { detectType, type Detected } from './detect.js';
import { detectLanguage } from './language.js';
import type { ThumbnailOptions } from './image/thumbnail.js';
import { extractImage } from './image/image.extractor.js';
import { extractOffice } from './office/office.extractor.js';
import { createOcrService, type OcrService } from './ocr/index.js';
import { extractPdf } from './pdf/pdf.extractor.js';
import { semaphore } from './semaphore.js';
import { throwIfAborted } from './signal.js';
import { extractHtml } from './text/html.extractor.js';
import { extractText } from './text/text.extractor.js';

export interface ExtractorDeps {
  logger: Logger;
  metrics: Metrics;
  /** Beats for component `ocr-<n>` while OCR worker n works. */
  heartbeat?: (component: string) => void;
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

function unsupported(detected: Detected): Extraction {
  return { contentType: detected.contentType, text: '', method: 'none', status: 'unsupported', detail: `no extractor for ${detected.contentType}` };
}

/**
 * The extraction engine behind the Extractor port: detects the type from the bytes and hands the
 * file to the matching extractor. Every failure leaves as a DocsiftError; unknown types are
 * returned as `unsupported` so they are still indexed and findable by name.
 */
export function createExtractor(config: Config, deps: ExtractorDeps): Extractor {
  const ocr: OcrService | undefined = config.OCR_ENABLED ? createOcrService(config, deps) : undefined;
  // Decoded pages waiting for OCR are the big allocations: at most two per OCR worker exist at once,
  // however many documents are in flight.
  const ocrSlot = semaphore(2 * Math.max(1, ocr?.size ?? 1));
  const recordOcr = (ms: number) => {
    deps.metrics.ocrPages.inc();
    deps.metrics.stageDuration.observe({ stage: 'ocr' }, ms / 1000);
  };

  async function route(input: ExtractInput, detected: Detected, signal?: AbortSignal): Promise<Extraction> {
    switch (detected.kind) {
      case 'empty':
        return { contentType: detected.contentType, text: '', method: 'none', status: 'empty', detail: 'file is empty' };
      case 'text':
      case 'markdown':
      case 'csv':
      case 'json':
        return extractText(input.path, detected.contentType, input.maxChars);
      case 'html':
      case 'xml':
        // XML's words are its content: its markup is stripped the same way.
        return extractHtml(input.path, detected.contentType, input.maxChars);
      case 'pdf':
        return extractPdf(
          input.path,
          input.maxChars,
          {
            strategy: config.PDF_STRATEGY,
            minTextChars: config.PDF_MIN_TEXT_CHARS,
            maxPages: config.MAX_PDF_PAGES,
            render: { dpi: config.PDF_DPI, maxPixels: config.IMAGE_MAX_PIXELS, maxSide: config.OCR_MAX_IMAGE_SIDE },
            ocr: config.PDF_STRATEGY === 'text_only' ? undefined : ocr,
            thumbnail: config.THUMBNAIL_ENABLED && config.THUMBNAIL_PDFS ? thumbnailOptions(config) : undefined,
            onOcrPage: recordOcr,
            ocrSlot,
          },
          signal,
        );
      case 'image':
        return extractImage(
          input.path,
          detected.contentType,
          {
            ocr,
            maxPixels: config.IMAGE_MAX_PIXELS,
            maxSide: config.OCR_MAX_IMAGE_SIDE,
            maxPages: config.MAX_PDF_PAGES,
            maxDpi: MAX_OCR_DPI,
            preprocessing: config.IMAGE_PREPROCESSING,
            thumbnail: config.THUMBNAIL_ENABLED ? thumbnailOptions(config) : undefined,
            onOcrPage: recordOcr,
            ocrSlot,
          },
          signal,
        );
      case 'docx':
      case 'xlsx':
      case 'pptx':
      case 'odt':
      case 'ods':
      case 'odp':
        return extractOffice(
          input.path,
          input.size,
          detected.kind,
          { maxFileBytes: config.MAX_OFFICE_SIZE_MB * MiB, maxUncompressedBytes: config.MAX_UNCOMPRESSED_MB * MiB },
          signal,
        );
      default:
        return unsupported(detected);
    }
  }

  return {
    async extract(input: ExtractInput, signal?: AbortSignal): Promise<Extraction> {
      throwIfAborted(signal);
      try {
        const detected = await detectType(input.path, input.size, input.extension);
        const extraction = await route(input, detected, signal);
        if (extraction.language === undefined && extraction.text !== '') {
          const language = detectLanguage(extraction.text);
          if (language) extraction.language = language;
        }
        return extraction;
      } catch (err) {
        if (err instanceof DocsiftError) throw err;
        throw toDocsiftError(err, 'extract');
      }
    },
    async close(): Promise<void> {
      await ocr?.close();
    },
  };
}
