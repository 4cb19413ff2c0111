/**
 * The recycling workload, in its own process so its RSS is the pool's and nothing else's: JOBS
 * small English line images through one tesseract.js pool of WORKERS workers, recycled every
 * RECYCLE_JOBS jobs (0: never), RSS sampled after every job. Prints one JSON line.
 * Used by ocr-recycle.contract.test.ts and by `npm run bench:ocr`.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TesseractPool, type RecycleReason } from '../../../src/adapters/extract/ocr/tesseract-js.pool.js';
import { resolveLangSource } from '../../../src/adapters/extract/ocr/tessdata.js';
import { greyToPgm } from '../../../src/adapters/extract/pdf/pdf-render.js';
import { createLogger } from '../../../src/observability/logger.js';
import { wordAccuracy } from '../../fixtures/accuracy.js';
import { englishText, renderTextPage } from '../../fixtures/text-image.fixture.js';

const JOBS = Number(process.env['JOBS'] ?? 200);
const RECYCLE = Number(process.env['RECYCLE_JOBS'] ?? 30);
const WORKERS = Number(process.env['WORKERS'] ?? 2);
const LANGS = process.env['LANGS'] ?? 'eng';
/** Every LARGE_EVERY-th job is a full A4 page at 300 DPI (0: never), the input that grows a worker. */
const LARGE_EVERY = Number(process.env['LARGE_EVERY'] ?? 0);
/** Replace a worker right after an input above this many pixels (default: never). */
const LARGE_INPUT_PIXELS = Number(process.env['LARGE_INPUT_PIXELS'] ?? Number.MAX_SAFE_INTEGER);

/** The main isolate's full GC, when the process runs with --expose-gc. */
const collect = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  const layout = { dpi: 150, heightIn: 0.8, fontPt: 11, marginIn: 0.15 };
  const lines = [
    renderTextPage(englishText(5, 1), { ...layout, widthIn: 4 }),
    renderTextPage(englishText(3, 2), { ...layout, widthIn: 1.5 }),
    renderTextPage(englishText(7, 3), { ...layout, widthIn: 2.5 }),
  ];
  const images = lines.map((p) => greyToPgm(p.grey, p.width, p.height));
  const large = LARGE_EVERY > 0 ? renderTextPage(englishText(300, 9), { dpi: 300 }) : undefined;
  const largeImage = large ? greyToPgm(large.grey, large.width, large.height) : undefined;
  const recycles: RecycleReason[] = [];
  const pool = new TesseractPool({
    languages: LANGS,
    langSource: resolveLangSource(LANGS, undefined, join(tmpdir(), 'docsift-test-ocr')),
    workers: WORKERS,
    recycleJobs: RECYCLE > 0 ? RECYCLE : Number.MAX_SAFE_INTEGER,
    workerMaxMb: 65_536,
    timeoutMs: 120_000,
    startTimeoutMs: 60_000,
    largeInputPixels: LARGE_INPUT_PIXELS,
    logger: createLogger('silent'),
    onRecycle: (reason) => recycles.push(reason),
  });
  const rss: number[] = [];
  let next = 0;
  let worst = 1;
  const started = Date.now();
  const lane = async () => {
    while (next < JOBS) {
      const i = next++;
      if (largeImage && (i + 1) % LARGE_EVERY === 0) {
        await pool.recognize(largeImage);
      } else {
        const result = await pool.recognize(images[i % images.length]!);
        worst = Math.min(worst, wordAccuracy(lines[i % lines.length]!.text, result.text));
      }
      // Live memory, not garbage V8 has yet to collect (see ocr-recycle.contract.test.ts).
      collect?.();
      rss.push(process.memoryUsage.rss());
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, lane));
  const seconds = (Date.now() - started) / 1000;
  await pool.close();
  process.stdout.write(`${JSON.stringify({ jobs: JOBS, recycleJobs: RECYCLE, workers: WORKERS, largeEvery: LARGE_EVERY, seconds, rss, recycles: recycles.length, worst })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
