import { describe, expect, it } from 'vitest';
import { TesseractPool, type RecycleReason } from '../../../src/adapters/extract/ocr/tesseract-js.pool.js';
import { resolveLangSource } from '../../../src/adapters/extract/ocr/tessdata.js';
import { greyToPgm } from '../../../src/adapters/extract/pdf/pdf-render.js';
import { createLogger } from '../../../src/observability/logger.js';
import { wordAccuracy } from '../../fixtures/accuracy.js';
import { englishText, renderTextPage } from '../../fixtures/text-image.fixture.js';

/**
 * 200 OCR jobs through one pool of two workers, RSS sampled after every job. With recycling on,
 * RSS after job 200 must be within 15% of RSS after job 20. OCR_RECYCLE_TEST_JOBS runs more jobs
 * (the benchmark reports the recycling-off figures).
 */
const JOBS = Math.max(200, Number(process.env['OCR_RECYCLE_TEST_JOBS'] ?? 200));

describe('OCR worker recycling', () => {
  it(`RSS after job ${JOBS} stays within 15% of RSS after job 20 with recycling on`, { timeout: 240_000 }, async () => {
    const lines = [
      renderTextPage(englishText(5, 1), { dpi: 150, widthIn: 4, heightIn: 0.8, fontPt: 11, marginIn: 0.15 }),
      renderTextPage(englishText(3, 2), { dpi: 150, widthIn: 1.5, heightIn: 0.8, fontPt: 11, marginIn: 0.15 }),
      renderTextPage(englishText(7, 3), { dpi: 150, widthIn: 2.5, heightIn: 0.8, fontPt: 11, marginIn: 0.15 }),
    ];
    const images = lines.map((p) => greyToPgm(p.grey, p.width, p.height));
    const recycled: RecycleReason[] = [];
    const pool = new TesseractPool({
      languages: 'eng',
      langSource: resolveLangSource('eng', undefined),
      workers: 2,
      recycleJobs: 25,
      workerMaxMb: 4096,
      timeoutMs: 60_000,
      startTimeoutMs: 60_000,
      largeInputPixels: 12_000_000,
      logger: createLogger('silent'),
      onRecycle: (reason) => recycled.push(reason),
    });
    const rss: number[] = [];
    let next = 0;
    let worst = 1;
    const lane = async () => {
      while (next < JOBS) {
        const i = next++;
        const result = await pool.recognize(images[i % images.length]!);
        worst = Math.min(worst, wordAccuracy(lines[i % lines.length]!.text, result.text));
        rss.push(process.memoryUsage.rss());
      }
    };
    try {
      await Promise.all([lane(), lane()]);
    } finally {
      await pool.close();
    }
    const mb = (n: number) => Math.round(n / 1048576);
    const after20 = rss[19]!;
    const afterLast = rss[JOBS - 1]!;
    console.log(`OCR recycling on (every 25 jobs): RSS after job 20 ${mb(after20)} MB, after job ${JOBS} ${mb(afterLast)} MB, peak ${mb(Math.max(...rss))} MB, ${recycled.length} recycles`);
    expect(rss).toHaveLength(JOBS);
    expect(Math.abs(afterLast - after20) / after20).toBeLessThanOrEqual(0.15);
    expect(recycled.filter((r) => r === 'jobs').length).toBeGreaterThanOrEqual(Math.floor(JOBS / 25) - 2);
    // Every job was really recognised, also right after each recycle.
    expect(worst).toBeGreaterThanOrEqual(0.6);
  });
});
