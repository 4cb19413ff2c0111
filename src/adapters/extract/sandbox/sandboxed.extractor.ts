import { sandboxHeapMb } from '../../../config/sandbox.settings.js';
import type { Logger } from '../../../observability/logger.js';
import type { Metrics } from '../../../observability/metrics.js';
import type { ExtractInput, Extraction, Extractor } from '../../../ports/extractor.port.js';
import type { EngineOptions } from '../engine-options.js';
import type { OcrImage, OcrService } from '../ocr/ocr.types.js';
import { SandboxPool } from './sandbox.pool.js';
import { SandboxProcess, type CrashReport, type SandboxLimits } from './sandbox-process.js';

export interface SandboxedExtractorOptions {
  engine: EngineOptions;
  limits: SandboxLimits;
  workers: number;
  recycleDocs: number;
  /** The worker's OCR pool: sandboxes hand it their page images. */
  ocr: OcrService | undefined;
  logger: Logger;
  metrics: Metrics;
}

/**
 * The Extractor port with every document extracted in a sandbox process (SANDBOX_WORKERS of
 * them): parsing, rendering and decoding happen there, OCR stays in the worker's pool. A sandbox
 * that dies or overruns fails its document as too_complex / extract_crashed, is counted, logged
 * once (stage and limit, never content) and replaced.
 */
export function createSandboxedExtractor(options: SandboxedExtractorOptions): Extractor & { pool: SandboxPool } {
  const { logger, metrics, ocr } = options;
  const onCrash = (report: CrashReport) => {
    metrics.extractCrashes.inc({ stage: report.phase, reason: report.limit });
    logger.warn(
      { event: 'extract_crashed', stage: report.phase, limit: report.limit, error_class: report.code, exit_code: report.exitCode, signal: report.signal, rss_mb: report.rssMb, ms: report.ms },
      'extraction sandbox died; its document failed and the sandbox was replaced',
    );
  };
  // A document that ran out of memory gets one try alone with the memory of every sandbox.
  const soloMemoryMb = options.limits.memoryMb * options.workers;
  const soloLimits = { ...options.limits, memoryMb: soloMemoryMb, heapMb: sandboxHeapMb(soloMemoryMb) };
  const pool = new SandboxPool({
    size: options.workers,
    recycleDocs: options.recycleDocs,
    recycleRssMb: Math.floor(options.limits.memoryMb / 2),
    spawn: (solo) => new SandboxProcess({ engine: options.engine, ocr: ocr ? { engine: ocr.engine, languages: ocr.languages, size: ocr.size } : null, limits: solo ? soloLimits : options.limits, onCrash }),
  });
  const recognise = ocr
    ? async (image: OcrImage, signal?: AbortSignal) => {
        const result = await ocr.recognize(image, signal);
        metrics.ocrPages.inc();
        metrics.stageDuration.observe({ stage: 'ocr' }, result.ms / 1000);
        return result;
      }
    : undefined;
  return {
    pool,
    extract(input: ExtractInput, signal?: AbortSignal): Promise<Extraction> {
      return pool.run({ input, ...(recognise ? { ocr: recognise } : {}), ...(signal ? { signal } : {}) });
    },
    async close(): Promise<void> {
      await pool.close();
      await ocr?.close();
    },
  };
}
