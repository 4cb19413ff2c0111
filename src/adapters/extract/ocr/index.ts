import type { Config } from '../../../config/schema.js';
import type { Logger } from '../../../observability/logger.js';
import type { Metrics } from '../../../observability/metrics.js';
import { containerCpus } from './cpus.js';
import { checkNativeLanguages, findTesseract, NativeTesseract } from './native.engine.js';
import type { OcrService } from './ocr.types.js';
import { resolveLangSource } from './tessdata.js';
import { TesseractPool } from './tesseract-js.pool.js';

/** An input this large keeps its peak in the WASM heap, so its worker is replaced right after. */
export const LARGE_INPUT_PIXELS = 12_000_000;

export interface OcrDeps {
  logger: Logger;
  metrics: Metrics;
  heartbeat?: (component: string) => void;
}

/**
 * Builds the configured engine. Throws a start-up error (missing binary, missing language data)
 * so a misconfigured pod fails at once instead of on its first scanned page.
 */
export function createOcrService(config: Config, deps: OcrDeps): OcrService {
  const workers = config.OCR_WORKERS ?? containerCpus();
  if (config.OCR_ENGINE === 'native') {
    const binary = findTesseract();
    checkNativeLanguages(binary, config.OCR_LANGUAGES, config.TESSDATA_DIR);
    return new NativeTesseract({
      binary,
      languages: config.OCR_LANGUAGES,
      tessdataDir: config.TESSDATA_DIR,
      workDir: config.TEMP_DIR,
      processes: workers,
      timeoutMs: config.OCR_TIMEOUT * 1000,
      heartbeat: deps.heartbeat,
    });
  }
  return new TesseractPool({
    languages: config.OCR_LANGUAGES,
    langSource: resolveLangSource(config.OCR_LANGUAGES, config.TESSDATA_DIR, config.TEMP_DIR),
    workers,
    recycleJobs: config.OCR_RECYCLE_JOBS,
    workerMaxMb: config.OCR_WORKER_MAX_MB,
    timeoutMs: config.OCR_TIMEOUT * 1000,
    startTimeoutMs: config.OCR_START_TIMEOUT * 1000,
    largeInputPixels: LARGE_INPUT_PIXELS,
    logger: deps.logger,
    onRecycle: (reason) => deps.metrics.ocrRecycles.inc({ reason }),
    heartbeat: deps.heartbeat,
  });
}

export type { OcrService } from './ocr.types.js';
export { TesseractPool } from './tesseract-js.pool.js';
export { NativeTesseract } from './native.engine.js';
