/**
 * Runs in a process without network (see offline.contract.test.ts): OCR through the real
 * extractor, and a report of every connection the main thread tried, printed as one JSON line.
 */
import net from 'node:net';
import { createExtractor } from '../../../src/adapters/extract/index.js';
import { loadConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';

const attempts: string[] = [];
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  attempts.push(JSON.stringify(args[0]).slice(0, 100));
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

async function main(): Promise<void> {
  const probe = await fetch('http://registry.npmjs.org/').then(
    () => 'reachable',
    (err: unknown) => `unreachable: ${String((err as { cause?: { code?: string } }).cause?.code ?? err)}`,
  );
  attempts.length = 0;
  // The engine whose language data must load with no network is tesseract.js (native reads files only).
  const loaded = loadConfig({ OCR_ENABLED: 'true', OCR_ENGINE: 'tesseract.js', OCR_LANGUAGES: 'jpn+eng', OCR_WORKERS: '1', PDF_DPI: '150' });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const extractor = createExtractor(loaded.config, { logger: createLogger('silent'), metrics: createMetrics({ defaultMetrics: false }) });
  const results: Record<string, string> = {};
  for (const path of process.argv.slice(2)) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const r = await extractor.extract({ path, size: 1, filename: name, extension: name.split('.').pop() ?? '', declaredContentType: null, maxChars: 100_000 });
    results[name] = r.text;
  }
  await extractor.close();
  process.stdout.write(`${JSON.stringify({ probe, attempts, results })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
