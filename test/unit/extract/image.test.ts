import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { DocsiftError } from '../../../src/domain/errors.js';
import type { Extractor } from '../../../src/ports/extractor.port.js';
import { bmp, encode, multiPageTiff, pngBomb } from '../../fixtures/image.fixture.js';
import { buildPdf } from '../../fixtures/pdf.fixture.js';
import { extractBytes, tempFiles, testExtractor } from './helpers.js';

let extractor: Extractor;
let files: Awaited<ReturnType<typeof tempFiles>>;
const page = { width: 400, height: 300, grey: Buffer.alloc(400 * 300, 200) };

beforeAll(async () => {
  extractor = testExtractor().extractor;
  files = await tempFiles();
});
afterAll(async () => {
  await extractor.close();
  await files.cleanup();
});

const run = (name: string, bytes: Buffer, ex: Extractor = extractor) => extractBytes(ex, files, name, bytes);

describe('images without OCR', () => {
  it.each([
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['webp', 'image/webp'],
    ['gif', 'image/gif'],
    ['tiff', 'image/tiff'],
  ] as const)('%s is detected from its bytes and gets a thumbnail', async (format, contentType) => {
    const r = await run(`picture.bin`, await encode(page, format));
    expect(r).toMatchObject({ contentType, status: 'unsupported', method: 'none', detail: 'OCR disabled' });
    expect(r.thumbnail?.contentType).toBe('image/jpeg');
    const meta = await sharp(r.thumbnail!.data).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBe(150);
    expect([112, 113]).toContain(meta.height);
  });

  it('BMP is read too', async () => {
    const r = await run('scan.bmp', bmp(page));
    expect(r.contentType).toBe('image/bmp');
    expect(r.thumbnail).toBeDefined();
  });

  it('thumbnail settings are honoured (format, box)', async () => {
    const { extractor: webp } = testExtractor({ THUMBNAIL_FORMAT: 'webp', THUMBNAIL_WIDTH: '64', THUMBNAIL_HEIGHT: '32' });
    const r = await run('a.png', await encode(page, 'png'), webp);
    expect(r.thumbnail).toMatchObject({ contentType: 'image/webp', extension: 'webp' });
    const meta = await sharp(r.thumbnail!.data).metadata();
    expect(meta.width).toBeLessThanOrEqual(64);
    expect(meta.height).toBe(32);
    await webp.close();
  });

  it('a multi-page TIFF reports every page', async () => {
    const r = await run('fax.tif', await multiPageTiff([page, page, page]));
    expect(r.pages).toBe(3);
  });

  it('a PDF gets a first-page thumbnail only with THUMBNAIL_PDFS=true', async () => {
    const pdf = buildPdf([{ lines: ['Thumbnail of a PDF first page with plenty of text.'] }]);
    expect((await run('a.pdf', pdf)).thumbnail).toBeUndefined();
    const { extractor: withPdf } = testExtractor({ THUMBNAIL_PDFS: 'true' });
    const r = await run('a.pdf', pdf, withPdf);
    const meta = await sharp(r.thumbnail!.data).metadata();
    expect(meta.height).toBe(150);
    expect(meta.width).toBeLessThan(150);
    await withPdf.close();
  });
});

describe('hostile images', () => {
  it('a PNG of a few KB declaring 30000 x 30000 pixels is refused as a decompression bomb', async () => {
    const bomb = pngBomb(30_000, 30_000);
    expect(bomb.length).toBeLessThan(200_000);
    const before = process.memoryUsage.rss();
    const err = await run('tiny.png', bomb).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('decompression_bomb');
    expect((err as DocsiftError).permanent).toBe(true);
    expect(process.memoryUsage.rss() - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('a truncated JPEG is permanent corrupt_file', async () => {
    const jpeg = await encode({ width: 800, height: 600, grey: Buffer.alloc(800 * 600, 90) }, 'jpeg');
    const err = await run('cut.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 3))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('corrupt_file');
  });
});
