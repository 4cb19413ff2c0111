import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { chooseOcrEngine } from '../../../src/adapters/extract/ocr/index.js';
import { testConfig } from '../../unit/extract/helpers.js';
import type { Extractor } from '../../../src/ports/extractor.port.js';
import { charAccuracy, wordRecall } from '../../fixtures/accuracy.js';
import { encode } from '../../fixtures/image.fixture.js';
import { buildPdf } from '../../fixtures/pdf.fixture.js';
import { englishText, japaneseText, renderTextPage, type RenderedPage } from '../../fixtures/text-image.fixture.js';
import { ocrExtractor, tempFiles } from './helpers.js';

/**
 * Issue 15's reading-quality acceptance, on the real engines (native tesseract and tesseract.js,
 * jpn+eng, two workers each) through the sandboxed extractor: Japanese words wrapped across lines
 * are indexed whole, turned pages are read upright, two columns are read column by column, and a
 * garbage text layer is replaced by OCR. Pages are half-size at 150-200 DPI to keep the suite short.
 */
type Page = Pick<RenderedPage, 'grey' | 'width' | 'height'>;

async function rotate(page: Page, angle: number): Promise<Page> {
  const { data, info } = await sharp(page.grey, { raw: { width: page.width, height: page.height, channels: 1 } })
    .rotate(angle)
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { grey: data, width: info.width, height: info.height };
}

/** Two pages side by side: a scanned page of two columns. */
function sideBySide(left: Page, right: Page): Page {
  const width = left.width + right.width;
  const height = Math.max(left.height, right.height);
  const grey = Buffer.alloc(width * height, 255);
  for (let y = 0; y < height; y += 1) {
    if (y < left.height) left.grey.copy(grey, y * width, y * left.width, (y + 1) * left.width);
    if (y < right.height) right.grey.copy(grey, y * width + left.width, y * right.width, (y + 1) * right.width);
  }
  return { grey, width, height };
}

// Line breaks fall inside 子供向け and 図書館, as a narrow column of a scan breaks them.
// Each word appears only across a break, so the test cannot pass on a line that holds it whole.
const WRAPPED = ['この町には、毎月新しい子', '供向けの絵本が届く市立図', '書館があります。土曜日に', '開く読み聞かせも人気です。'];

let files: Awaited<ReturnType<typeof tempFiles>>;
const engines: Record<string, Extractor> = {};
const twoColumns: Record<string, number> = {};
beforeAll(async () => {
  files = await tempFiles();
  engines['native'] = ocrExtractor({ OCR_ENGINE: 'native', OCR_LANGUAGES: 'jpn+eng', OCR_WORKERS: '2' }).extractor;
  engines['tesseract.js'] = ocrExtractor({ OCR_ENGINE: 'tesseract.js', OCR_LANGUAGES: 'jpn+eng', OCR_WORKERS: '2' }).extractor;
});
afterAll(async () => {
  await Promise.all(Object.values(engines).map((e) => e.close()));
  await files.cleanup();
});

// Not speed checks (bench:orientation is): generous timeouts for two busy cores.
describe.each(['native', 'tesseract.js'])('%s', { timeout: 60_000 }, (name) => {
  it('a Japanese page whose words wrap across lines indexes 子供向け and 図書館 whole', async () => {
    const page = renderTextPage(WRAPPED.join('\n'), { dpi: 200, widthIn: 5, heightIn: 2.2, marginIn: 0.3, fontPt: 16, cjk: true });
    expect(page.text.split('\n')).toEqual(WRAPPED);
    const r = await engines[name]!.extract(await files.input(`wrapped-${name}.png`, await encode(page, 'png', 200)));
    expect(r).toMatchObject({ method: 'ocr', status: 'ok', language: 'ja' });
    expect(r.text).toContain('子供向け');
    expect(r.text).toContain('図書館');
    // No space or line break is left between two Japanese characters.
    expect(r.text).not.toMatch(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]\s+[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u);
  });

  it('an English page turned 90° and 180° reads with >= 0.9 word recall of the upright page', async () => {
    const upright = renderTextPage(englishText(110, 51), { dpi: 150, heightIn: 4.5, marginIn: 0.5 });
    const [at0, at90, at180] = await Promise.all(
      [0, 90, 180].map(async (angle) => {
        const page = angle === 0 ? upright : await rotate(upright, angle);
        return engines[name]!.extract(await files.input(`turned-${angle}-${name}.png`, await encode(page, 'png', 150)));
      }),
    );
    const recall = [wordRecall(at0!.text, at90!.text), wordRecall(at0!.text, at180!.text)];
    console.log(`${name}: word recall of the upright page, turned 90° ${recall[0]!.toFixed(3)}, 180° ${recall[1]!.toFixed(3)}`);
    expect(wordRecall(upright.text, at0!.text)).toBeGreaterThanOrEqual(0.95);
    for (const r of recall) expect(r).toBeGreaterThanOrEqual(0.9);
  });

  it('a two-column scanned page is read column by column', async () => {
    const column = (seed: number) => renderTextPage(englishText(150, seed), { dpi: 150, widthIn: 3.6, heightIn: 7, marginIn: 0.35 });
    const [left, right] = [column(61), column(62)];
    const page = sideBySide(left, right);
    const r = await engines[name]!.extract(await files.input(`columns-${name}.png`, await encode(page, 'png', 150)));
    twoColumns[name] = charAccuracy(`${left.text}\n${right.text}`, r.text);
    console.log(`${name}: two-column character accuracy ${twoColumns[name]!.toFixed(3)}`);
    expect(twoColumns[name]).toBeGreaterThanOrEqual(0.85);
  });
});

it('on two columns tesseract.js is within 5 points of native character accuracy', () => {
  expect(Object.keys(twoColumns).sort()).toEqual(['native', 'tesseract.js']);
  expect(twoColumns['tesseract.js']!).toBeGreaterThanOrEqual(twoColumns['native']! - 0.05);
});

it('PDF_STRATEGY=auto sends a page with a garbage text layer to OCR, replaces its text and says why', { timeout: 60_000 }, async () => {
  const scan = renderTextPage(englishText(50, 71), { dpi: 150, heightIn: 3, marginIn: 0.4 });
  // Japanese in UTF-8 bytes under a WinAnsi font: the classic mojibake text layer (å­ä¾›...).
  const mojibake = Buffer.from(japaneseText(60, 72), 'utf8').toString('latin1');
  const pdf = buildPdf([
    { image: { grey: scan.grey, width: scan.width, height: scan.height }, rawLines: [mojibake], widthPt: 595, heightPt: 216 },
    { lines: ['The second page has a clean text layer that stays as it is.'], widthPt: 595, heightPt: 216 },
  ]);
  const r = await engines['tesseract.js']!.extract(await files.input('mojibake.pdf', pdf));
  expect(r).toMatchObject({ method: 'pdf_ocr', status: 'ok', pages: 2, ocrPages: [{ page: 1, reason: 'garbled_text' }] });
  const second = 'The second page has a clean text layer that stays as it is.';
  expect(r.text.endsWith(`\n\n${second}`)).toBe(true);
  const first = r.text.slice(0, -second.length);
  expect(wordRecall(scan.text, first)).toBeGreaterThanOrEqual(0.9);
  expect(first).not.toMatch(/[\u00c0-\u00ff]/u);
});

it('tesseract.js with TESSDATA_DIR (the image sets Debian\'s) reads Debian\'s osd data and turns a page upright', { timeout: 60_000 }, async () => {
  const { extractor } = ocrExtractor({ OCR_ENGINE: 'tesseract.js', OCR_LANGUAGES: 'eng', TESSDATA_DIR: '/usr/share/tesseract-ocr/5/tessdata' });
  try {
    const upright = renderTextPage(englishText(80, 81), { dpi: 150, heightIn: 3.5, marginIn: 0.5 });
    const r = await extractor.extract(await files.input('debian-osd.png', await encode(await rotate(upright, 180), 'png', 150)));
    expect(wordRecall(upright.text, r.text)).toBeGreaterThanOrEqual(0.9);
  } finally {
    await extractor.close();
  }
});

it('native tesseract without osd data is refused while OCR_DETECT_ORIENTATION is on (auto falls back to tesseract.js), taken when it is off', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docsift-fake-tesseract-'));
  try {
    const fake = join(dir, 'tesseract');
    writeFileSync(fake, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "tesseract 5.3.0"; else printf "List of available languages (2):\\neng\\njpn\\n"; fi\n');
    chmodSync(fake, 0o755);
    const config = (env: Record<string, string> = {}) => testConfig({ OCR_ENABLED: 'true', ...env });
    expect(chooseOcrEngine(config(), fake)).toMatchObject({ engine: 'tesseract.js', reason: expect.stringMatching(/no osd: apt-get install tesseract-ocr-osd/) });
    expect(() => chooseOcrEngine(config({ OCR_ENGINE: 'native' }), fake)).toThrow(/OCR_DETECT_ORIENTATION=true but native tesseract has no osd/);
    expect(chooseOcrEngine(config({ OCR_DETECT_ORIENTATION: 'false' }), fake)).toMatchObject({ engine: 'native' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
