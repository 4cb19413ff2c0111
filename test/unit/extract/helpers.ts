import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { createInProcessExtractor } from '../../../src/adapters/extract/index.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import type { ExtractInput, Extractor } from '../../../src/ports/extractor.port.js';

export function testConfig(env: Record<string, string> = {}): Config {
  const result = loadConfig({ OCR_ENABLED: 'false', ...env });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

/** The readers in this process: unit tests are about what they extract, not about containment. */
export function testExtractor(env: Record<string, string> = {}) {
  const metrics = createMetrics({ defaultMetrics: false });
  const extractor = createInProcessExtractor(testConfig(env), { logger: createLogger('silent'), metrics });
  return { extractor, metrics };
}

/** A temp directory per suite; files written into it become ExtractInputs. */
export async function tempFiles() {
  const dir = await mkdtemp(join(tmpdir(), 'docsift-extract-test-'));
  let n = 0;
  return {
    dir,
    async input(filename: string, bytes: Buffer | string, maxChars = 100_000): Promise<ExtractInput> {
      n += 1;
      const path = join(dir, `f${n}`);
      const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
      await writeFile(path, data);
      const dot = filename.lastIndexOf('.');
      return { path, size: data.length, filename, extension: dot > 0 ? filename.slice(dot + 1).toLowerCase() : '', declaredContentType: null, maxChars };
    },
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function extractBytes(extractor: Extractor, files: Awaited<ReturnType<typeof tempFiles>>, filename: string, bytes: Buffer | string, maxChars?: number) {
  return extractor.extract(await files.input(filename, bytes, maxChars));
}
