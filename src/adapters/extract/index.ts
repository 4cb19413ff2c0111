import type { Config } from '../../config/schema.js';
import { sandboxHeapMb } from '../../config/sandbox.settings.js';
import type { Extractor } from '../../ports/extractor.port.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { createExtractionEngine } from './engine.js';
import { engineOptions } from './engine-options.js';
import { createOcrService, type OcrService } from './ocr/index.js';
import { createSandboxedExtractor } from './sandbox/sandboxed.extractor.js';

export interface ExtractorDeps {
  logger: Logger;
  metrics: Metrics;
  /** Beats for component `ocr-<n>` while OCR worker n works. */
  heartbeat?: (component: string) => void;
}

/** How long a sandbox may take to start and load its readers. */
const SANDBOX_START_TIMEOUT_MS = 30_000;
/** How often a working sandbox's RSS is read: the reaction time of the memory cap. */
const SANDBOX_WATCH_MS = 100;

/**
 * The extraction engine behind the Extractor port: documents are read in sandbox processes
 * (sandbox/), OCR runs in this process's pool. Start-up errors (missing OCR binary or languages)
 * are thrown here, so a misconfigured pod fails at once.
 */
export function createExtractor(config: Config, deps: ExtractorDeps): Extractor {
  const ocr: OcrService | undefined = config.OCR_ENABLED ? createOcrService(config, deps) : undefined;
  return createSandboxedExtractor({
    engine: engineOptions(config),
    limits: {
      memoryMb: config.SANDBOX_MEMORY_MB,
      heapMb: sandboxHeapMb(config.SANDBOX_MEMORY_MB),
      timeoutSeconds: config.EXTRACT_TIMEOUT,
      startTimeoutMs: SANDBOX_START_TIMEOUT_MS,
      watchMs: SANDBOX_WATCH_MS,
    },
    workers: config.SANDBOX_WORKERS,
    recycleDocs: config.SANDBOX_RECYCLE_DOCS,
    ocr,
    logger: deps.logger,
    metrics: deps.metrics,
  });
}

/**
 * The same engine in this process, without containment: for tests of the readers themselves and
 * for measuring what the sandbox costs. Never used by `docsift run`.
 */
export function createInProcessExtractor(config: Config, deps: ExtractorDeps): Extractor {
  const ocr: OcrService | undefined = config.OCR_ENABLED ? createOcrService(config, deps) : undefined;
  const engine = createExtractionEngine(engineOptions(config), ocr, {
    onOcrPage: (ms) => {
      deps.metrics.ocrPages.inc();
      deps.metrics.stageDuration.observe({ stage: 'ocr' }, ms / 1000);
    },
  });
  return {
    extract: (input, signal) => engine.extract(input, signal),
    close: async () => {
      await ocr?.close();
    },
  };
}
