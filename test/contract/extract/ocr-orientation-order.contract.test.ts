import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { findTesseract, NativeTesseract, ORIENTATION_RETRY_BELOW, readAsItLiesFirst } from '../../../src/adapters/extract/ocr/native.engine.js';
import { greyToPgm } from '../../../src/adapters/extract/pdf/pdf-render.js';
import { wordRecall } from '../../fixtures/accuracy.js';
import { englishText, renderTextPage } from '../../fixtures/text-image.fixture.js';

/**
 * Without a CJK language, native tesseract reads a page as it lies and detects its orientation
 * only for a doubtful reading (issue 17: detection on every page was most of docsift's CPU per page
 * over the naive floor); with one, it detects on every page (mode 3 drops Japanese lines). The real binary runs behind a wrapper that logs each invocation's arguments, so the test
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

function modes(): string[] {
  return readFileSync(calls, 'utf8').trim().split('\n').map((l) => /--psm (\d)/.exec(l)![1]!);
}

const engine = (orientation: boolean, asItLiesFirst = true) =>
  new NativeTesseract({ binary: wrapper, languages: 'eng', processes: 1, timeoutMs: 60_000, workDir: work, orientation, asItLiesFirst });

beforeEach(() => writeFileSync(calls, ''));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('reads as it lies first only when no language is Chinese, Japanese or Korean', () => {
  expect(readAsItLiesFirst('eng')).toBe(true);
  expect(readAsItLiesFirst('eng+deu+fra')).toBe(true);
  expect(readAsItLiesFirst('jpn+eng')).toBe(false);
  expect(readAsItLiesFirst('eng+jpn_vert')).toBe(false);
  expect(readAsItLiesFirst('chi_sim')).toBe(false);
  expect(readAsItLiesFirst('kor+eng')).toBe(false);
});

describe('native tesseract with OCR_DETECT_ORIENTATION', { timeout: 60_000 }, () => {
  it('without a CJK language, reads an upright page once, as it lies (mode 3), confidently', async () => {
    const ocr = engine(true);
    const r = await ocr.recognize(await page(0));
    await ocr.close();
    expect(modes()).toEqual(['3']);
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

  it('for CJK languages, reads every page once with detection (mode 1)', async () => {
    const ocr = engine(true, false);
    const r = await ocr.recognize(await page(0));
    await ocr.close();
    expect(modes()).toEqual(['1']);
    expect(wordRecall(upright.text, r.text)).toBeGreaterThan(0.9);
  });

  it('with detection off, reads every page once as it lies, even upside down', async () => {
    const ocr = engine(false);
    const r = await ocr.recognize(await page(180));
    await ocr.close();
    expect(modes()).toEqual(['3']);
    expect(wordRecall(upright.text, r.text)).toBeLessThan(0.5);
  });
});
