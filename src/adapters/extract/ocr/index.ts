import type { Config } from '../../../config/schema.js';
import type { Logger } from '../../../observability/logger.js';
import type { Metrics } from '../../../observability/metrics.js';
import { containerCpus } from '../../../platform/cgroup.js';
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

export interface EngineChoice {
  engine: OcrService['engine'];
  /** The native binary, when the choice is native. */
  binary?: string;
  /** Why: logged at start-up, so a pod's engine is never a guess. */
  reason: string;
}

/**
 * `tesseract.js` and `native` are taken as asked (native fails start-up when its binary, version or
 * languages are missing). `auto` takes native tesseract when a 4.x+ binary with every language is
 * installed (the image has one): on the same language data it spends about 15% less CPU per page
 * than tesseract.js's WASM build (`npm run bench:ocr`) and returns its memory to the OS after every page. Otherwise it
 * takes tesseract.js, which needs nothing outside node_modules.
 */
export function chooseOcrEngine(config: Config, binary = 'tesseract'): EngineChoice {
  if (config.OCR_ENGINE === 'tesseract.js') return { engine: 'tesseract.js', reason: 'OCR_ENGINE=tesseract.js' };
  try {
    const found = findTesseract(binary);
    checkNativeLanguages(found, config.OCR_LANGUAGES, config.TESSDATA_DIR, config.OCR_DETECT_ORIENTATION);
    return { engine: 'native', binary: found, reason: `OCR_ENGINE=${config.OCR_ENGINE}: ${found} has ${config.OCR_LANGUAGES}` };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (config.OCR_ENGINE === 'native') throw new Error(`OCR_ENGINE=native but ${why}`, { cause: err });
    return { engine: 'tesseract.js', reason: `OCR_ENGINE=auto: native tesseract not usable (${why})` };
  }
}

/**
 * Builds the chosen engine. Throws a start-up error (missing binary, missing language data)
 * so a misconfigured pod fails at once instead of on its first scanned page.
 */
export function createOcrService(config: Config, deps: OcrDeps): OcrService {
  const workers = config.OCR_WORKERS ?? containerCpus();
  const choice = chooseOcrEngine(config);
  deps.logger.info({ event: 'startup', component: 'ocr', ocr_engine: choice.engine, workers, reason: choice.reason }, `OCR engine: ${choice.engine}`);
  if (choice.engine === 'native') {
    return new NativeTesseract({
      binary: choice.binary!,
      languages: config.OCR_LANGUAGES,
      tessdataDir: config.TESSDATA_DIR,
      workDir: config.TEMP_DIR,
      processes: workers,
      timeoutMs: config.OCR_TIMEOUT * 1000,
      heartbeat: deps.heartbeat,
      orientation: config.OCR_DETECT_ORIENTATION,
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
    orientation: config.OCR_DETECT_ORIENTATION,
    logger: deps.logger,
    onRecycle: (reason) => deps.metrics.ocrRecycles.inc({ reason }),
    heartbeat: deps.heartbeat,
  });
}

export type { OcrService } from './ocr.types.js';
export { TesseractPool } from './tesseract-js.pool.js';
export { NativeTesseract } from './native.engine.js';
