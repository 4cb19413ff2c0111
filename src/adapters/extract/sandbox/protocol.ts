import type { ErrorClass, Stage } from '../../../domain/errors.js';
import type { ExtractInput, Extraction } from '../../../ports/extractor.port.js';
import type { EngineOptions } from '../engine-options.js';
import type { ExtractPhase } from '../engine.js';
import type { OcrImage, OcrResult, OcrService } from '../ocr/ocr.types.js';

/**
 * Messages between the worker and a sandbox process (child_process IPC with `advanced`
 * serialisation, so buffers cross as bytes, not JSON). One document at a time per sandbox.
 */
export type ToSandbox =
  | { kind: 'init'; options: EngineOptions; ocr: { engine: OcrService['engine']; languages: string; size: number } | null }
  | { kind: 'extract'; job: number; input: ExtractInput }
  | { kind: 'ocr_result'; job: number; request: number; result?: OcrResult; error?: WireError };

export type FromSandbox =
  | { kind: 'ready' }
  | { kind: 'phase'; job: number; phase: ExtractPhase }
  | { kind: 'ocr'; job: number; request: number; image: OcrImage }
  /** The page is no longer wanted (the document budget ran out): its OCR process is stopped. */
  | { kind: 'ocr_cancel'; job: number; request: number }
  | { kind: 'done'; job: number; extraction: Extraction }
  | { kind: 'failed'; job: number; error: WireError };

/** A DocsiftError as data: its class, stage and message survive the process boundary. */
export interface WireError {
  code: ErrorClass;
  stage: Stage;
  message: string;
}

/** IPC hands typed arrays back as Uint8Array views; the pipeline expects Buffers. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
