import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker as ThreadWorker } from 'node:worker_threads';
import { DocsiftError } from '../../../src/domain/errors.js';
import { resolveLangSource } from '../../../src/adapters/extract/ocr/tessdata.js';
import { TesseractPool, type RecycleReason, type TesseractPoolOptions } from '../../../src/adapters/extract/ocr/tesseract-js.pool.js';
import { greyToPgm } from '../../../src/adapters/extract/pdf/pdf-render.js';
import { createLogger } from '../../../src/observability/logger.js';
import { wordAccuracy } from '../../fixtures/accuracy.js';
import { englishText, renderTextPage } from '../../fixtures/text-image.fixture.js';

/** The pool's replacement rules against real tesseract.js threads (English, small images). */
const line = renderTextPage('Pool workers are replaced and never waited on', { dpi: 150, widthIn: 6, heightIn: 0.6, marginIn: 0.15 });
const small = greyToPgm(line.grey, line.width, line.height);

function pool(options: Partial<TesseractPoolOptions>, recycled: RecycleReason[]) {
  return new TesseractPool({
    languages: 'eng',
    langSource: resolveLangSource('eng', undefined, join(tmpdir(), 'docsift-test-ocr')),
    workers: 1,
    recycleJobs: 1000,
    workerMaxMb: 65_536,
    timeoutMs: 60_000,
    startTimeoutMs: 30_000,
    largeInputPixels: Number.MAX_SAFE_INTEGER,
    logger: createLogger('silent'),
    onRecycle: (reason) => recycled.push(reason),
    ...options,
  });
}

/** The live thread of slot 1, for killing it from outside as an OOM or a crash would. */
function threadOf(p: TesseractPool): ThreadWorker | undefined {
  return (p as unknown as { slots: Array<{ thread?: ThreadWorker }> }).slots[0]?.thread;
}

describe('TesseractPool', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'docsift-pool-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a thread that dies mid-job fails that job at once (not at the timeout) and the next job gets a new worker', async () => {
    const recycled: RecycleReason[] = [];
    const p = pool({ timeoutMs: 60_000 }, recycled);
    try {
      await p.recognize(small);
      const page = renderTextPage(englishText(600, 7), { dpi: 300, fontPt: 8 });
      const pending = p.recognize(greyToPgm(page.grey, page.width, page.height));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      await threadOf(p)!.terminate();
      const err = await pending.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DocsiftError);
      expect((err as DocsiftError).code).toBe('ocr_failed');
      expect((err as DocsiftError).message).toContain('OCR worker died');
      expect(Date.now() - started).toBeLessThan(2000);
      expect(recycled).toEqual(['exited']);
      const next = await p.recognize(small);
      expect(wordAccuracy(line.text, next.text)).toBeGreaterThanOrEqual(0.8);
    } finally {
      await p.close();
    }
  });

  it('replaces a worker after OCR_RECYCLE_JOBS jobs, after a large input, and when memory per worker passes the cap', async () => {
    const recycled: RecycleReason[] = [];
    const byJobs = pool({ recycleJobs: 2 }, recycled);
    for (let i = 0; i < 4; i += 1) expect(wordAccuracy(line.text, (await byJobs.recognize(small)).text)).toBeGreaterThanOrEqual(0.8);
    await byJobs.close();
    expect(recycled).toEqual(['jobs', 'jobs']);

    recycled.length = 0;
    const byInput = pool({ largeInputPixels: small.width * small.height - 1 }, recycled);
    await byInput.recognize(small);
    expect(recycled).toEqual(['large_input']);
    await byInput.close();

    recycled.length = 0;
    // Threads share the process, so the estimate is injectable: 300 MiB held by one worker, cap 256.
    const byMemory = pool({ workerMaxMb: 256, poolMemoryMb: () => 300 }, recycled);
    await byMemory.recognize(small);
    expect(recycled).toEqual(['memory']);
    await byMemory.close();
    recycled.length = 0;
    const underCap = pool({ workerMaxMb: 256, poolMemoryMb: () => 200 }, recycled);
    await underCap.recognize(small);
    expect(recycled).toEqual([]);
    await underCap.close();
  });

  it('language data that fails to load fails the job as ocr_failed quickly, without crashing or hanging', async () => {
    await writeFile(join(dir, 'eng.traineddata'), Buffer.from('this is not traineddata'));
    const recycled: RecycleReason[] = [];
    const p = pool({ langSource: resolveLangSource('eng', dir, join(tmpdir(), 'docsift-test-ocr')), startTimeoutMs: 20_000 }, recycled);
    const started = Date.now();
    const err = await p.recognize(small).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('ocr_failed');
    expect(Date.now() - started).toBeLessThan(15_000);
    await p.close();
  });

  it('every slot beats ocr-<n> while idle and while working', async () => {
    const beats = new Map<string, number>();
    const p = pool({ workers: 2, heartbeat: (c) => beats.set(c, (beats.get(c) ?? 0) + 1), heartbeatMs: 50 }, []);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(beats.get('ocr-1')).toBeGreaterThanOrEqual(3);
      expect(beats.get('ocr-2')).toBeGreaterThanOrEqual(3);
      beats.clear();
      await Promise.all([p.recognize(small), p.recognize(small)]);
      expect(beats.get('ocr-1')).toBeGreaterThanOrEqual(2);
      expect(beats.get('ocr-2')).toBeGreaterThanOrEqual(2);
      expect([...beats.keys()].sort()).toEqual(['ocr-1', 'ocr-2']);
    } finally {
      await p.close();
    }
  });

  it('queued jobs beyond the workers wait their turn and an aborted queued job leaves the queue', async () => {
    const recycled: RecycleReason[] = [];
    const p = pool({}, recycled);
    try {
      const controller = new AbortController();
      const first = p.recognize(small);
      const queued = p.recognize(small, controller.signal);
      const third = p.recognize(small);
      controller.abort(new Error('PROCESSING_TIMEOUT'));
      expect(((await queued.catch((e: unknown) => e)) as DocsiftError).code).toBe('processing_timeout');
      expect(wordAccuracy(line.text, (await first).text)).toBeGreaterThanOrEqual(0.8);
      expect(wordAccuracy(line.text, (await third).text)).toBeGreaterThanOrEqual(0.8);
      expect(recycled).toEqual([]);
    } finally {
      await p.close();
    }
  });
});
