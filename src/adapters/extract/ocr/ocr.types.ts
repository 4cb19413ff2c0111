/** A page or image ready for OCR: an encoded image, greyscale PGM by preference (cheap to make, no PNG). */
export interface OcrImage {
  data: Buffer;
  width: number;
  height: number;
  /** Resolution of the pixels when known (rendered PDF pages), passed to the engine. */
  dpi?: number;
}

export interface OcrResult {
  text: string;
  /** Mean word confidence 0-100 as the engine reports it, null when it reports none. */
  confidence: number | null;
  ms: number;
}

/** The OCR engine behind the extractors: a tesseract.js thread pool or native tesseract processes. */
export interface OcrService {
  readonly engine: 'tesseract.js' | 'native';
  readonly languages: string;
  /** Workers (threads or processes) recognising at once. */
  readonly size: number;
  /** Throws DocsiftError ocr_timeout / ocr_failed / processing_timeout (aborted). */
  recognize(image: OcrImage, signal?: AbortSignal): Promise<OcrResult>;
  close(): Promise<void>;
}
