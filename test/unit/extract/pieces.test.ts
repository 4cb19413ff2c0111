import { describe, expect, it } from 'vitest';
import { decodeBmp, bmpDimensions } from '../../../src/adapters/extract/image/bmp.js';
import { detectLanguage } from '../../../src/adapters/extract/language.js';
import { meanTsvConfidence } from '../../../src/adapters/extract/ocr/native.engine.js';
import { renderScale, rgbaToPgm } from '../../../src/adapters/extract/pdf/pdf-render.js';
import { visibleChars } from '../../../src/adapters/extract/pdf/pdf-text.js';
import { decodeText } from '../../../src/adapters/extract/text/decode.js';
import { extractRules } from '../../../src/config/extract.settings.js';
import { loadConfig } from '../../../src/config/load.js';
import { bmp } from '../../fixtures/image.fixture.js';

describe('decisions and small formats', () => {
  it('renderScale honours PDF_DPI, then the side and pixel caps', () => {
    const limits = { dpi: 200, maxPixels: 50_000_000, maxSide: 4200 };
    expect(renderScale(595, 842, limits)).toBeCloseTo(200 / 72);
    const poster = renderScale(5000, 5000, limits);
    expect(5000 * poster).toBeLessThanOrEqual(4200.0001);
    const wide = renderScale(20_000, 200, { dpi: 200, maxPixels: 1_000_000, maxSide: 100_000 });
    expect(20_000 * wide * 200 * wide).toBeLessThanOrEqual(1_000_001);
  });

  it('a page counts as text when it has enough non-space characters', () => {
    expect(visibleChars(' a b\n\tc ')).toBe(3);
  });

  it('rgbaToPgm writes a P5 header and BT.601 luma', () => {
    const pgm = rgbaToPgm(new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255]), 3, 1);
    expect(pgm.data.subarray(0, 11).toString('ascii')).toBe('P5\n3 1\n255\n');
    expect([...pgm.data.subarray(11)]).toEqual([255, 0, 76]);
  });

  it('mean TSV confidence counts words only', () => {
    const tsv = [
      'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
      '1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t',
      '5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t90.5\tHello',
      '5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t80.5\tworld',
      '5\t1\t1\t1\t1\t3\t0\t0\t10\t10\t95\t ',
    ].join('\n');
    expect(meanTsvConfidence(tsv)).toBe(85.5);
    expect(meanTsvConfidence('level\n')).toBeNull();
  });

  it.each([
    ['Japanese with kana', '東京の会議は午後三時に始まります。', 'ja'],
    ['English prose', 'The report shows that revenue grew in the third quarter and costs were stable.', 'en'],
    ['Korean', '서울에서 회의가 열립니다', 'ko'],
    ['numbers only', '12345 67890', undefined],
  ])('detectLanguage: %s', (_name, text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it('decodeText: BOMs, UTF-8, Shift_JIS, EUC-JP', () => {
    expect(decodeText(Buffer.from([0xef, 0xbb, 0xbf, 0x61])).text).toBe('a');
    expect(decodeText(Buffer.from([0xff, 0xfe, 0x42, 0x30])).text).toBe('あ');
    expect(decodeText(Buffer.from('日本', 'utf8'))).toEqual({ text: '日本', encoding: 'utf-8' });
    expect(decodeText(Buffer.from([0x82, 0xa0]))).toEqual({ text: 'あ', encoding: 'shift_jis' });
    expect(decodeText(Buffer.from([0xa4, 0xa2, 0xa4, 0xa4]))).toEqual({ text: 'あい', encoding: 'euc-jp' });
  });

  it('the BMP decoder reads the 24-bit files it is given and refuses compressed ones', () => {
    const grey = Buffer.from([0, 128, 255, 64, 32, 16]);
    const decoded = decodeBmp(bmp({ grey, width: 3, height: 2 }));
    expect(decoded).toMatchObject({ width: 3, height: 2 });
    expect([...decoded.rgb.subarray(0, 9)]).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255]);
    expect([...decoded.rgb.subarray(9, 12)]).toEqual([64, 64, 64]);
    const rle = bmp({ grey, width: 3, height: 2 });
    rle.writeUInt32LE(1, 30);
    expect(() => decodeBmp(rle)).toThrow(/compressed BMP/);
    expect(bmpDimensions(rle)).toEqual({ width: 3, height: 2 });
  });
});

describe('extraction settings', () => {
  it('defaults', () => {
    const r = loadConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      OCR_ENABLED: true,
      OCR_ENGINE: 'auto',
      OCR_LANGUAGES: 'jpn+eng',
      OCR_RECYCLE_JOBS: 100,
      PDF_DPI: 200,
      PDF_STRATEGY: 'auto',
      MAX_PDF_PAGES: 500,
      IMAGE_PREPROCESSING: ['grayscale'],
      THUMBNAIL_WIDTH: 150,
      THUMBNAIL_HEIGHT: 150,
      THUMBNAIL_QUALITY: 75,
      THUMBNAIL_FORMAT: 'jpeg',
      THUMBNAIL_PREFIX: 'thumbnails/',
    });
    expect(r.config.OCR_WORKERS).toBeUndefined();
  });

  it.each([
    ['OCR_LANGUAGES must be codes joined by +', { OCR_LANGUAGES: 'jpn, eng' }, /OCR_LANGUAGES=.*tesseract language codes/],
    ['OCR_ENGINE is closed', { OCR_ENGINE: 'cuneiform' }, /OCR_ENGINE=.*must be one of/],
    ['PDF_STRATEGY=ocr_only needs OCR', { PDF_STRATEGY: 'ocr_only', OCR_ENABLED: 'false' }, /PDF_STRATEGY=ocr_only needs OCR_ENABLED=true/],
    ['OCR_TIMEOUT below PROCESSING_TIMEOUT', { OCR_TIMEOUT: '600', PROCESSING_TIMEOUT: '300' }, /OCR_TIMEOUT=600 must be less than PROCESSING_TIMEOUT=300/],
    ['IMAGE_PREPROCESSING steps are closed', { IMAGE_PREPROCESSING: 'sharpen' }, /IMAGE_PREPROCESSING=.*comma-separated list/],
    ['office size within the uncompressed cap', { MAX_OFFICE_SIZE_MB: '600' }, /MAX_OFFICE_SIZE_MB=600 must not exceed MAX_UNCOMPRESSED_MB=512/],
  ])('%s', (_name, env, message) => {
    const r = loadConfig(env);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toMatch(message);
  });

  it('an empty THUMBNAIL_PREFIX in the source bucket would loop thumbnails back (the env cannot even express it: empty is unset)', () => {
    const problems = extractRules.flatMap((rule) => rule({ THUMBNAIL_ENABLED: true, THUMBNAIL_BUCKET: undefined, THUMBNAIL_PREFIX: '', PDF_STRATEGY: 'auto', OCR_ENABLED: true, OCR_TIMEOUT: 1, PROCESSING_TIMEOUT: 2, MAX_OFFICE_SIZE_MB: 1, MAX_UNCOMPRESSED_MB: 2 }));
    expect(problems.join('\n')).toMatch(/THUMBNAIL_PREFIX must not be empty/);
    expect(loadConfig({ THUMBNAIL_PREFIX: ' ' }).ok).toBe(true);
  });

  it('IMAGE_PREPROCESSING parses a list', () => {
    const r = loadConfig({ IMAGE_PREPROCESSING: 'grayscale, normalise' });
    expect(r.ok && r.config.IMAGE_PREPROCESSING).toEqual(['grayscale', 'normalise']);
  });
});
