import type { ExtractorDeps } from '../../../src/adapters/extract/index.js';
import { createExtractor } from '../../../src/adapters/extract/index.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { testConfig } from '../../unit/extract/helpers.js';

export { tempFiles } from '../../unit/extract/helpers.js';

/** An extractor with OCR on; English only unless asked, since jpn+eng workers start slower. */
export function ocrExtractor(env: Record<string, string> = {}, heartbeat?: ExtractorDeps['heartbeat']) {
  const metrics = createMetrics({ defaultMetrics: false });
  // These suites are about the tesseract.js pool; the native engine and `auto` have their own cases.
  const config = testConfig({ OCR_ENABLED: 'true', OCR_ENGINE: 'tesseract.js', OCR_LANGUAGES: 'eng', OCR_WORKERS: '1', ...env });
  const extractor = createExtractor(config, { logger: createLogger('silent'), metrics, heartbeat });
  return { extractor, metrics, config };
}

export async function counter(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, string | number> }>;
  return values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((sum, v) => sum + v.value, 0);
}
