import { DocsiftError, toDocsiftError } from '../../domain/errors.js';
import type { ExtractInput, Extraction } from '../../ports/extractor.port.js';
import { detectType, type Detected, type Kind } from './detect.js';
import type { EngineOptions } from './engine-options.js';
import type { ArchiveScope } from './archive/members.js';
import { containerReader, scopedOffice } from './containers.js';
import { extractImage } from './image/image.extractor.js';
import { extractRtf } from './rtf/rtf.extractor.js';
import { detectLanguage } from './language.js';
import type { OcrService } from './ocr/ocr.types.js';
import { extractOffice, type OfficeKind } from './office/office.extractor.js';
import { extractPdf } from './pdf/pdf.extractor.js';
import pLimit from 'p-limit';
import { throwIfAborted } from './signal.js';
import { extractHtml } from './text/html.extractor.js';
import { extractText } from './text/text.extractor.js';
import { tooComplexIfStackOverflow } from './too-complex.js';

/** What the engine is doing: reported to the sandbox's parent, named in crash logs and metrics. */
export type ExtractPhase = 'detect' | 'text' | 'html' | 'pdf' | 'image' | 'office' | 'archive' | 'email';

export interface EngineHooks {
  onPhase?: (phase: ExtractPhase) => void;
  onOcrPage?: (ms: number) => void;
}

export interface ExtractionEngine {
  extract(input: ExtractInput, signal?: AbortSignal): Promise<Extraction>;
}

function unsupported(detected: Detected): Extraction {
  return { contentType: detected.contentType, text: '', method: 'none', status: 'unsupported', detail: `no extractor for ${detected.contentType}` };
}

const OFFICE_KINDS = new Set<Kind>(['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp']);
const CONTAINERS = new Set<Kind>(['zip', 'gzip', 'email', 'cfb']);
const isOffice = (kind: Kind): kind is OfficeKind => OFFICE_KINDS.has(kind);

function phaseOf(detected: Detected): ExtractPhase {
  switch (detected.kind) {
    case 'html':
    case 'xml':
      return 'html';
    case 'pdf':
      return 'pdf';
    case 'image':
      return 'image';
    case 'docx':
    case 'xlsx':
    case 'pptx':
    case 'odt':
    case 'ods':
    case 'odp':
    case 'rtf':
    case 'cfb':
      return 'office';
    case 'zip':
    case 'gzip':
      return 'archive';
    case 'email':
      return 'email';
    default:
      return 'text';
  }
}

/**
 * Detects the type from the bytes and hands the file to the matching extractor: the part of
 * docsift that reads untrusted bytes. It runs inside a sandbox process (sandbox/), where OCR is a
 * proxy to the parent's pool; it needs no configuration beyond `options`. Every failure leaves as
 * a DocsiftError; unknown types are returned as `unsupported` so they are still indexed.
 */
export function createExtractionEngine(options: EngineOptions, ocr: OcrService | undefined, hooks: EngineHooks = {}): ExtractionEngine {
  // Decoded pages waiting for OCR are the big allocations: at most two per OCR worker at once.
  const ocrSlot = pLimit(2 * Math.max(1, ocr?.size ?? 1));

  const container = containerReader(options.office, (input, detected, scope) => route(input, detected, scope));

  function route(input: ExtractInput, detected: Detected, scope: ArchiveScope): Promise<Extraction> {
    const signal = scope.signal;
    switch (detected.kind) {
      case 'empty':
        return Promise.resolve({ contentType: detected.contentType, text: '', method: 'none', status: 'empty', detail: 'file is empty' });
      case 'text':
      case 'markdown':
      case 'csv':
      case 'json':
        return extractText(input.path, detected.contentType, input.maxChars);
      case 'html':
      case 'xml': // XML's words are its content: its markup is stripped the same way.
        return extractHtml(input.path, detected.contentType, input.maxChars);
      case 'pdf': {
        const pdfOcr = options.pdf.strategy === 'text_only' ? undefined : ocr;
        return extractPdf(input.path, input.maxChars, { ...options.pdf, ocr: pdfOcr, onOcrPage: hooks.onOcrPage, ocrSlot }, signal, input.deadline);
      }
      case 'image':
        return extractImage(input.path, detected.contentType, { ...options.image, ocr, onOcrPage: hooks.onOcrPage, ocrSlot }, signal);
      case 'rtf':
        return extractRtf(input.path, input.size, input.maxChars, options.office.maxFileBytes);
      default:
        if (isOffice(detected.kind)) return extractOffice(input.path, input.size, detected.kind, input.maxChars, scopedOffice(options.office, scope), signal, detected.contentType);
        if (CONTAINERS.has(detected.kind)) return container(input, detected, scope);
        return Promise.resolve(unsupported(detected));
    }
  }

  return {
    async extract(input: ExtractInput, signal?: AbortSignal): Promise<Extraction> {
      throwIfAborted(signal);
      let phase: ExtractPhase = 'detect';
      try {
        hooks.onPhase?.(phase);
        const detected = await detectType(input.path, input.size, input.extension);
        phase = phaseOf(detected);
        hooks.onPhase?.(phase);
        const extraction = await route(input, detected, { depth: 1, bytesLeft: { value: options.office.maxUncompressedBytes }, signal });
        if (extraction.language === undefined && extraction.text !== '') {
          const language = detectLanguage(extraction.text);
          if (language) extraction.language = language;
        }
        return extraction;
      } catch (err) {
        if (err instanceof DocsiftError) throw err;
        throw tooComplexIfStackOverflow(err, phase) ?? toDocsiftError(err, 'extract');
      }
    },
  };
}
