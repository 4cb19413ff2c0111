import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { findTesseract, NativeTesseract, hasCjkLanguage, ORIENTATION_RETRY_BELOW } from '../../../src/adapters/extract/ocr/native.engine.js';
import { greyToPgm } from '../../../src/adapters/extract/pdf/pdf-render.js';
import { charAccuracy, wordRecall } from '../../fixtures/accuracy.js';
import { englishText, japaneseText, renderTextPage } from '../../fixtures/text-image.fixture.js';

/**
 * Native tesseract reads a page as it lies and detects its orientation only for a doubtful reading
 * (issue 17: detection on every page was most of docsift's CPU per page over the naive floor); with
 * a CJK language the reading as it lies uses the CJK layout model. The real binary runs behind a wrapper that logs each invocation's arguments, so the test
 * sees how many readings each page cost and in which page segmentation mode.
 */
const work = mkdtempSync(join(tmpdir(), 'docsift-orientation-order-'));
const calls = join(work, 'calls.log');
const wrapper = join(work, 'tesseract-logged');
writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${calls}'\nexec '${findTesseract()}' "$@"\n`);
chmodSync(wrapper, 0o755);

const DPI = 150;
const upright = renderTextPage(englishText(90, 31), { dpi: DPI, widthIn: 5, heightIn: 3.5, marginIn: 0.3, fontPt: 12 });

async function page(angle: number) {
  const { data, info } = await sharp(upright.grey, { raw: { width: upright.width, height: upright.height, channels: 1 } })
    .rotate(angle)
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { ...greyToPgm(data, info.width, info.height), dpi: DPI };
}

const invocations = () => readFileSync(calls, 'utf8').trim().split('\n');
const modes = () => invocations().map((l) => /--psm (\d)/.exec(l)![1]!);

const engine = (orientation: boolean, languages = 'eng') =>
  new NativeTesseract({ binary: wrapper, languages, processes: 1, timeoutMs: 60_000, workDir: work, orientation });

beforeEach(() => writeFileSync(calls, ''));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('knows the Chinese, Japanese and Korean languages', () => {
  expect(hasCjkLanguage('eng')).toBe(false);
  expect(hasCjkLanguage('eng+deu+fra')).toBe(false);
  expect(hasCjkLanguage('jpn+eng')).toBe(true);
  expect(hasCjkLanguage('eng+jpn_vert')).toBe(true);
  expect(hasCjkLanguage('chi_sim')).toBe(true);
  expect(hasCjkLanguage('kor+eng')).toBe(true);
});

describe('native tesseract with OCR_DETECT_ORIENTATION', { timeout: 60_000 }, () => {
  it('without a CJK language, reads an upright page once, as it lies (mode 3), confidently', async () => {
    const ocr = engine(true);
    const r = await ocr.recognize(await page(0));
    await ocr.close();
    expect(modes()).toEqual(['3']);
    expect(invocations()[0]).not.toContain('textord_use_cjk_fp_model');
    expect(r.confidence).toBeGreaterThanOrEqual(ORIENTATION_RETRY_BELOW);
    expect(wordRecall(upright.text, r.text)).toBeGreaterThan(0.9);
  });

  it('reads an upside-down page again with orientation detection (mode 1) and keeps the upright reading', async () => {
    const ocr = engine(true);
    const r = await ocr.recognize(await page(180));
    await ocr.close();
    expect(modes()).toEqual(['3', '1']);
    expect(wordRecall(upright.text, r.text)).toBeGreaterThan(0.9);
  });

  it('with a CJK language, reads an upright Japanese page once, as it lies, with the CJK layout model', async () => {
    const ja = renderTextPage(japaneseText(160, 32), { dpi: DPI, widthIn: 5, heightIn: 3.5, marginIn: 0.3, fontPt: 12, cjk: true });
    const ocr = engine(true, 'jpn+eng');
    const r = await ocr.recognize({ ...greyToPgm(ja.grey, ja.width, ja.height), dpi: DPI });
    await ocr.close();
    expect(modes()).toEqual(['3']);
    expect(invocations()[0]).toContain('textord_use_cjk_fp_model=1');
    expect(charAccuracy(ja.text.replace(/\s+/g, ''), r.text.replace(/\s+/g, ''))).toBeGreaterThan(0.9);
  });

  it('with detection off, reads every page once as it lies, even upside down', async () => {
    const ocr = engine(false);
    const r = await ocr.recognize(await page(180));
    await ocr.close();
    expect(modes()).toEqual(['3']);
    expect(wordRecall(upright.text, r.text)).toBeLessThan(0.5);
  });
});
