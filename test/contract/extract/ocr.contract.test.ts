import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocsiftError } from '../../../src/domain/errors.js';
import { createExtractor } from '../../../src/adapters/extract/index.js';
import { chooseOcrEngine } from '../../../src/adapters/extract/ocr/index.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import type { Extractor } from '../../../src/ports/extractor.port.js';
import { charAccuracy, wordAccuracy } from '../../fixtures/accuracy.js';
import { bmp, encode, multiPageTiff } from '../../fixtures/image.fixture.js';
import { buildPdf } from '../../fixtures/pdf.fixture.js';
import { englishText, japaneseText, renderTextPage } from '../../fixtures/text-image.fixture.js';
import { testConfig } from '../../unit/extract/helpers.js';
import { counter, ocrExtractor, tempFiles } from './helpers.js';

/**
 * The real engines on generated pages. Kept lean for two cores: one jpn+eng pool of two workers
 * for the accuracy pages, small images elsewhere.
 */
let files: Awaited<ReturnType<typeof tempFiles>>;
beforeAll(async () => {
  files = await tempFiles();
});
afterAll(async () => {
  await files.cleanup();
});

describe('OCR accuracy on generated A4 pages at 200 DPI (jpn+eng, 2 workers)', () => {
  let extractor: Extractor;
  let metrics: ReturnType<typeof createMetrics>;
  const beats = new Map<string, number>();
  beforeAll(() => {
    ({ extractor, metrics } = ocrExtractor({ OCR_LANGUAGES: 'jpn+eng', OCR_WORKERS: '2' }, (c) => beats.set(c, (beats.get(c) ?? 0) + 1)));
  });
  afterAll(async () => {
    await extractor.close();
  });

  // Not a speed check (bench:ocr is): two jpn+eng workers starting the full WASM build with osd data
  // and three A4 pages read with orientation detection need more than the default 30 s on two busy cores.
  it('English >= 95% words and Japanese >= 85% characters, recognised concurrently', { timeout: 90_000 }, async () => {
    const en = [renderTextPage(englishText(320, 1)), renderTextPage(englishText(320, 2))];
    const ja = renderTextPage(japaneseText(700, 5), { cjk: true });
    expect(en[0]!.text.split(/\s+/).length).toBeGreaterThanOrEqual(280);
    const [enResult, enResult2, jaResult] = await Promise.all([
      extractor.extract(await files.input('english.png', await encode(en[0]!, 'png', 200))),
      extractor.extract(await files.input('english2.png', await encode(en[1]!, 'png', 200))),
      extractor.extract(await files.input('japanese.jpg', await encode(ja, 'jpeg', 200))),
    ]);
    const enAccuracy = [wordAccuracy(en[0]!.text, enResult.text), wordAccuracy(en[1]!.text, enResult2.text)];
    const jaAccuracy = charAccuracy(ja.text, jaResult.text);
    console.log(`OCR accuracy (jpn+eng): English words ${enAccuracy.map((a) => (a * 100).toFixed(1)).join('%, ')}%; Japanese characters ${(jaAccuracy * 100).toFixed(1)}%`);
    for (const accuracy of enAccuracy) expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(jaAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(enResult).toMatchObject({ method: 'ocr', status: 'ok', contentType: 'image/png', language: 'en' });
    expect(jaResult).toMatchObject({ method: 'ocr', status: 'ok', contentType: 'image/jpeg', language: 'ja' });
    expect(enResult.ocr).toMatchObject({ engine: 'tesseract.js', languages: 'jpn+eng', pages_ocr: 1 });
    expect(enResult.ocr!.mean_confidence).toBeGreaterThan(50);
    expect(enResult.thumbnail?.contentType).toBe('image/jpeg');
    expect(await counter(metrics, 'docsift_ocr_pages_total')).toBe(3);
    expect(await counter(metrics, 'docsift_stage_duration_seconds', { stage: 'ocr' })).toBeGreaterThan(0);
    // Both workers worked, and each beat for its own component.
    expect(beats.get('ocr-1')).toBeGreaterThan(0);
    expect(beats.get('ocr-2')).toBeGreaterThan(0);
  });
});

describe('scanned PDFs and multi-page images (eng, 1 worker)', () => {
  let extractor: Extractor;
  beforeAll(() => {
    ({ extractor } = ocrExtractor({ PDF_DPI: '150' }));
  });
  afterAll(async () => {
    await extractor.close();
  });

  const halfPage = (seed: number) => renderTextPage(englishText(60, seed), { dpi: 150, heightIn: 3, marginIn: 0.4 });

  it('a scanned PDF yields text for every page; a page with a text layer is not OCR d', async () => {
    const scans = [halfPage(21), halfPage(22)];
    const pdf = buildPdf([
      { image: { grey: scans[0]!.grey, width: scans[0]!.width, height: scans[0]!.height }, widthPt: 595, heightPt: 216 },
      { lines: ['This middle page carries a real text layer, so it is read without OCR.'] },
      { image: { grey: scans[1]!.grey, width: scans[1]!.width, height: scans[1]!.height }, widthPt: 595, heightPt: 216 },
    ]);
    const r = await extractor.extract(await files.input('scan.pdf', pdf));
    expect(r).toMatchObject({ method: 'pdf_ocr', status: 'ok', pages: 3 });
    expect(r.ocr).toMatchObject({ pages_ocr: 2, engine: 'tesseract.js' });
    const [first, middle, last] = r.text.split('\n\n');
    expect(wordAccuracy(scans[0]!.text, first!)).toBeGreaterThanOrEqual(0.9);
    expect(middle).toBe('This middle page carries a real text layer, so it is read without OCR.');
    expect(wordAccuracy(scans[1]!.text, last!)).toBeGreaterThanOrEqual(0.9);
  });

  it('PDF_STRATEGY=text_only leaves scanned pages empty; ocr_only OCRs text pages too', async () => {
    const scan = halfPage(23);
    const pdf = buildPdf([
      { image: { grey: scan.grey, width: scan.width, height: scan.height }, widthPt: 595, heightPt: 216 },
      { lines: ['Closing words of the report in the text layer.'], widthPt: 595, heightPt: 216, fontSize: 18 },
    ]);
    const { extractor: textOnly } = ocrExtractor({ PDF_STRATEGY: 'text_only' });
    const t = await textOnly.extract(await files.input('a.pdf', pdf));
    expect(t).toMatchObject({ method: 'pdf_text', pages: 2 });
    expect(t.text).toBe('Closing words of the report in the text layer.');
    expect(t.detail).toContain("1 page(s) without a text layer were not OCR'd");
    await textOnly.close();
    const { extractor: ocrOnly } = ocrExtractor({ PDF_STRATEGY: 'ocr_only', PDF_DPI: '150' });
    const o = await ocrOnly.extract(await files.input('a.pdf', pdf));
    expect(o.ocr?.pages_ocr).toBe(2);
    // The last part: an OCR'd page may hold blank lines of its own between its blocks.
    expect(wordAccuracy('Closing words of the report in the text layer.', o.text.split('\n\n').at(-1)!)).toBeGreaterThanOrEqual(0.9);
    await ocrOnly.close();
  });

  it('a multi-page TIFF yields text for every page', async () => {
    const pages = [halfPage(31), halfPage(32), halfPage(33)];
    const r = await extractor.extract(await files.input('fax.tiff', await multiPageTiff(pages)));
    expect(r).toMatchObject({ contentType: 'image/tiff', method: 'ocr', pages: 3 });
    expect(r.ocr?.pages_ocr).toBe(3);
    const parts = r.text.split('\n\n');
    expect(parts).toHaveLength(3);
    pages.forEach((p, i) => expect(wordAccuracy(p.text, parts[i]!)).toBeGreaterThanOrEqual(0.9));
  });

  it('WebP, GIF and BMP are OCR d too', async () => {
    const line = renderTextPage('Invoice number seven hundred and twelve', { dpi: 150, widthIn: 6, heightIn: 0.6, marginIn: 0.15 });
    for (const [name, bytes] of [
      ['a.webp', await encode(line, 'webp')],
      ['a.gif', await encode(line, 'gif')],
      ['a.bmp', bmp(line)],
    ] as const) {
      const r = await extractor.extract(await files.input(name, bytes));
      expect(wordAccuracy(line.text, r.text), name).toBeGreaterThanOrEqual(0.8);
    }
  });
});

describe('OCR failure handling', () => {
  it('a job past OCR_TIMEOUT fails as transient ocr_timeout, its worker is replaced and the next job succeeds', async () => {
    const { extractor, metrics } = ocrExtractor({ OCR_TIMEOUT: '1' });
    const warm = renderTextPage('warm up', { dpi: 150, widthIn: 3, heightIn: 0.6, marginIn: 0.15 });
    await extractor.extract(await files.input('warm.png', await encode(warm, 'png')));
    const heavy = renderTextPage(englishText(700, 41), { dpi: 300, fontPt: 8 });
    const input = await files.input('heavy.png', await encode(heavy, 'png', 300));
    const started = Date.now();
    const err = await extractor.extract(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('ocr_timeout');
    expect((err as DocsiftError).kind).toBe('transient');
    // One second of OCR plus decoding the page: the job never waits for the stuck recognition.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await counter(metrics, 'docsift_ocr_worker_recycles_total', { reason: 'timeout' })).toBe(1);
    const line = renderTextPage('The replacement worker reads this line', { dpi: 150, widthIn: 6, heightIn: 0.6, marginIn: 0.15 });
    const ok = await extractor.extract(await files.input('line.png', await encode(line, 'png')));
    expect(wordAccuracy(line.text, ok.text)).toBeGreaterThanOrEqual(0.8);
    await extractor.close();
  });

  it('an abort (PROCESSING_TIMEOUT) stops OCR at once as processing_timeout', async () => {
    let onBeat: (() => void) | undefined;
    const { extractor, metrics } = ocrExtractor({}, () => onBeat?.());
    const warm = renderTextPage('warm up', { dpi: 150, widthIn: 3, heightIn: 0.6, marginIn: 0.15 });
    await extractor.extract(await files.input('warm.png', await encode(warm, 'png')));
    const heavy = renderTextPage(englishText(700, 42), { dpi: 300, fontPt: 8 });
    const input = await files.input('heavy.png', await encode(heavy, 'png', 300));
    const controller = new AbortController();
    // The worker beats when it takes the job: abort while it is recognising.
    onBeat = () => {
      onBeat = undefined;
      setTimeout(() => controller.abort(new Error('PROCESSING_TIMEOUT')), 800);
    };
    const pending = extractor.extract(input, controller.signal).catch((e: unknown) => e);
    await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
    const aborted = Date.now();
    const err = await pending;
    expect((err as DocsiftError).code).toBe('processing_timeout');
    expect(Date.now() - aborted).toBeLessThan(500);
    expect(await counter(metrics, 'docsift_ocr_worker_recycles_total', { reason: 'aborted' })).toBe(1);
    await extractor.close();
  });

  it('close() is idempotent and later calls fail cleanly', async () => {
    const { extractor } = ocrExtractor();
    await Promise.all([extractor.close(), extractor.close()]);
    const line = renderTextPage('closed', { dpi: 150, widthIn: 3, heightIn: 0.6, marginIn: 0.15 });
    const err = await extractor.extract(await files.input('x.png', await encode(line, 'png'))).catch((e: unknown) => e);
    // A closed extractor has no sandbox left to read with: a classified, retryable failure.
    expect(err).toBeInstanceOf(DocsiftError);
    expect([(err as DocsiftError).code, (err as DocsiftError).message]).toEqual(['internal', 'extraction sandboxes are closed']);
  });
});

describe('start-up checks', () => {
  const build = (env: Record<string, string>) => () =>
    createExtractor(testConfig({ OCR_ENABLED: 'true', ...env }), { logger: createLogger('silent'), metrics: createMetrics({ defaultMetrics: false }) });

  it('a language without data fails start-up naming what to install', () => {
    expect(build({ OCR_LANGUAGES: 'eng+xyz' })).toThrow(/@tesseract\.js-data\/xyz/);
    expect(build({ OCR_LANGUAGES: 'eng', TESSDATA_DIR: '/nonexistent' })).toThrow(/eng\.traineddata.*TESSDATA_DIR=\/nonexistent/);
  });

  it('OCR_ENGINE=native fails start-up clearly when tesseract is missing, and reads text when present', async () => {
    const onPath = (process.env['PATH'] ?? '').split(':').some((d) => d && existsSync(`${d}/tesseract`));
    const original = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      expect(build({ OCR_ENGINE: 'native' })).toThrow(/OCR_ENGINE=native but the `tesseract` binary is not on PATH/);
    } finally {
      process.env['PATH'] = original;
    }
    // Where Debian's tesseract is installed (it is on these machines and in CI), the same page reads
    // through it; without it the start-up error above is the whole contract.
    if (!onPath) return;
    expect(build({ OCR_ENGINE: 'native', OCR_LANGUAGES: 'eng+xyz' })).toThrow(/native tesseract has no xyz/);
    // A directory with the language files but no configs/ would fail every page: refused at start-up.
    const bare = mkdtempSync(join(tmpdir(), 'docsift-bare-tessdata-'));
    try {
      const debian = ['/usr/share/tesseract-ocr/5/tessdata', '/usr/share/tesseract-ocr/4.00/tessdata'].find((d) => existsSync(join(d, 'eng.traineddata')));
      if (debian) {
        symlinkSync(join(debian, 'eng.traineddata'), join(bare, 'eng.traineddata'));
        expect(build({ OCR_ENGINE: 'native', OCR_LANGUAGES: 'eng', TESSDATA_DIR: bare })).toThrow(/no configs\/tsv/);
      }
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
    const { extractor } = ocrExtractor({ OCR_ENGINE: 'native' });
    const line = renderTextPage('Native engine reads the same page', { dpi: 150, widthIn: 6, heightIn: 0.6, marginIn: 0.15 });
    const r = await extractor.extract(await files.input('n.png', await encode(line, 'png')));
    expect(r.ocr?.engine).toBe('native');
    expect(wordAccuracy(line.text, r.text)).toBeGreaterThanOrEqual(0.8);
    await extractor.close();
  });

  it('OCR_ENGINE=auto (the default) takes native tesseract only when it is 4+ and has every language, else tesseract.js, and says why', () => {
    const config = (env: Record<string, string> = {}) => testConfig({ OCR_ENABLED: 'true', ...env });
    expect(config().OCR_ENGINE).toBe('auto');
    const dir = mkdtempSync(join(tmpdir(), 'docsift-fake-tesseract-'));
    try {
      // Version 3 (no LSTM) on stderr, as 3.x and 4.x print it; version 4 that knows no language.
      const fake = (name: string, script: string) => {
        const path = join(dir, name);
        writeFileSync(path, `#!/bin/sh\n${script}\n`);
        chmodSync(path, 0o755);
        return path;
      };
      const old = fake('tesseract3', 'echo "tesseract 3.05.02" >&2');
      const bare = fake('tesseract4', 'if [ "$1" = "--version" ]; then echo "tesseract 4.1.1" >&2; else echo "List of available languages (0):"; fi');
      expect(chooseOcrEngine(config(), join(dir, 'absent'))).toMatchObject({ engine: 'tesseract.js', reason: expect.stringMatching(/^OCR_ENGINE=auto: native tesseract not usable/) });
      expect(chooseOcrEngine(config(), old)).toMatchObject({ engine: 'tesseract.js', reason: expect.stringMatching(/tesseract 3\.05\.02.*needs tesseract 4 or newer/) });
      expect(chooseOcrEngine(config(), bare)).toMatchObject({ engine: 'tesseract.js', reason: expect.stringMatching(/native tesseract has no jpn, eng/) });
      expect(() => chooseOcrEngine(config({ OCR_ENGINE: 'native' }), old)).toThrow(/^OCR_ENGINE=native but .*needs tesseract 4 or newer/);
      expect(chooseOcrEngine(config({ OCR_ENGINE: 'tesseract.js' }), bare)).toEqual({ engine: 'tesseract.js', reason: 'OCR_ENGINE=tesseract.js' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const onPath = (process.env['PATH'] ?? '').split(':').some((d) => d && existsSync(`${d}/tesseract`));
    if (!onPath) return;
    // The real binary (CI installs Debian's with eng and jpn).
    expect(chooseOcrEngine(config({ OCR_LANGUAGES: 'jpn+eng' }))).toMatchObject({ engine: 'native', binary: 'tesseract' });
    expect(chooseOcrEngine(config({ OCR_LANGUAGES: 'eng+xyz' }))).toMatchObject({ engine: 'tesseract.js', reason: expect.stringMatching(/native tesseract has no xyz/) });
  });
});
