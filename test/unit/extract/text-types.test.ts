import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DocsiftError } from '../../../src/domain/errors.js';
import type { Extractor } from '../../../src/ports/extractor.port.js';
import { buildPdf } from '../../fixtures/pdf.fixture.js';
import { extractBytes, tempFiles, testExtractor } from './helpers.js';

let extractor: Extractor;
let files: Awaited<ReturnType<typeof tempFiles>>;

beforeAll(async () => {
  extractor = testExtractor().extractor;
  files = await tempFiles();
});
afterAll(async () => {
  await extractor.close();
  await files.cleanup();
});

const run = (name: string, bytes: Buffer | string, maxChars?: number) => extractBytes(extractor, files, name, bytes, maxChars);

describe('text formats', () => {
  it('plain UTF-8 text is indexed as written', async () => {
    const r = await run('notes.txt', 'Quarterly report\r\nRevenue grew 12%\n東京オフィス');
    expect(r).toMatchObject({ contentType: 'text/plain', method: 'text', status: 'ok' });
    expect(r.text).toBe('Quarterly report\nRevenue grew 12%\n東京オフィス');
  });

  it('Shift_JIS text is decoded, not mangled', async () => {
    const sjis = Buffer.from([0x93, 0x8c, 0x8b, 0x9e, 0x82, 0xcc, 0x89, 0xef, 0x8e, 0xd0]); // 東京の会社
    const r = await run('memo.txt', sjis);
    expect(r.text).toBe('東京の会社');
    expect(r.language).toBe('ja');
  });

  it('Markdown, CSV and JSON are typed by extension and keep their words', async () => {
    const md = await run('README.md', '# Title\n\nSome *markdown* text.');
    expect(md).toMatchObject({ contentType: 'text/markdown', status: 'ok' });
    expect(md.text).toContain('Some *markdown* text.');
    const csv = await run('table.csv', 'name,city\nAlice,Osaka\nBob,Kyoto\n');
    expect(csv).toMatchObject({ contentType: 'text/csv', status: 'ok' });
    expect(csv.text).toContain('Alice,Osaka');
    const json = await run('data.json', '{"title":"Invoice 42","items":[{"name":"widget"}]}');
    expect(json).toMatchObject({ contentType: 'application/json', status: 'ok' });
    expect(json.text).toContain('Invoice 42');
  });

  it('JSON without an extension is recognised from its content', async () => {
    const r = await run('blob', '[{"k": "value one"}]');
    expect(r.contentType).toBe('application/json');
    expect(r.text).toContain('value one');
  });

  it('HTML has tags, scripts and styles stripped and entities decoded', async () => {
    const html =
      '<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style><script>var secret = 1;</script></head>' +
      '<body><h1>Annual Meeting</h1><p>Fish &amp; chips <b>served</b> at <a href="http://x.example/">noon</a>.</p><img src="a.png" alt="logo"></body></html>';
    const r = await run('page.html', html);
    expect(r).toMatchObject({ contentType: 'text/html', method: 'html', status: 'ok' });
    expect(r.text).toContain('Annual Meeting');
    expect(r.text).toContain('Fish & chips served at noon.');
    expect(r.text).not.toMatch(/<|secret|color:red|x\.example/);
  });

  it('HTML saved with a .txt extension is still stripped (the bytes decide)', async () => {
    const r = await run('page.txt', '<html><body><p>Hello <i>there</i></p></body></html>');
    expect(r.contentType).toBe('text/html');
    expect(r.text).toBe('Hello there');
  });

  it('XML keeps the words of its elements, not its markup', async () => {
    const r = await run('feed.xml', '<?xml version="1.0"?><catalog><book id="b1"><title>Kyoto Gardens</title><price>12</price></book></catalog>');
    expect(r).toMatchObject({ contentType: 'application/xml', status: 'ok' });
    expect(r.text).toContain('Kyoto Gardens');
    expect(r.text).not.toContain('<title>');
  });

  it('a 0-byte file is indexed as empty', async () => {
    const r = await run('nothing.pdf', Buffer.alloc(0));
    expect(r).toMatchObject({ status: 'empty', method: 'none', text: '' });
  });

  it('unknown binary is unsupported with its content type, not an error', async () => {
    const r = await run('blob.bin', Buffer.concat([Buffer.from([0, 1, 2, 3, 0]), randomBytes(2000)]));
    expect(r).toMatchObject({ status: 'unsupported', method: 'none', contentType: 'application/octet-stream', text: '' });
    const bz = await run('archive.bz2', Buffer.concat([Buffer.from('BZh91AY&SY'), randomBytes(200)]));
    expect(bz).toMatchObject({ status: 'unsupported', contentType: 'application/x-bzip2' });
  });

  it('reads no more than maxChars worth of a huge text file and says it was cut', async () => {
    const r = await run('big.txt', 'abcdefghij'.repeat(10_000), 1000);
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBeGreaterThanOrEqual(1000);
    expect(r.text.length).toBeLessThanOrEqual(4000);
  });
});

describe('PDF text layer', () => {
  const pages = [
    ['The first page talks about apples and orchards.', 'A second line on page one.'],
    ['Page two is about the harbour in Yokohama.'],
    ['The third page closes with a summary of accounts.'],
  ];

  it('extracts every page in order, with the page count', async () => {
    const r = await run('report.pdf', buildPdf(pages.map((lines) => ({ lines }))));
    expect(r).toMatchObject({ contentType: 'application/pdf', method: 'pdf_text', status: 'ok', pages: 3 });
    const a = r.text.indexOf('apples and orchards');
    const b = r.text.indexOf('harbour in Yokohama');
    const c = r.text.indexOf('summary of accounts');
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    expect(r.text).toContain('A second line on page one.');
    expect(r.language).toBe('en');
  });

  it('a PDF whose extension lies is still read as a PDF', async () => {
    const r = await run('photo.jpg', buildPdf([{ lines: ['Disguised portable document content here.'] }]));
    expect(r.contentType).toBe('application/pdf');
    expect(r.text).toContain('Disguised portable document content here.');
  });

  it('an encrypted PDF is indexed with status encrypted', async () => {
    const r = await run('secret.pdf', buildPdf([{ lines: ['Hidden words behind a password.'] }], { encrypted: true }));
    expect(r).toMatchObject({ contentType: 'application/pdf', status: 'encrypted', text: '' });
  });

  it('pages past MAX_PDF_PAGES are left out and the document says so', async () => {
    const { extractor: capped } = testExtractor({ MAX_PDF_PAGES: '5' });
    const many = Array.from({ length: 12 }, (_, i) => ({ lines: [`This is page number ${i + 1} of the long file.`] }));
    const r = await extractBytes(capped, files, 'long.pdf', buildPdf(many));
    expect(r.pages).toBe(12);
    expect(r.truncated).toBe(true);
    expect(r.detail).toContain('pages 6-12 of 12 left out');
    expect(r.text).toContain('page number 5 of');
    expect(r.text).not.toContain('page number 6 of');
    await capped.close();
  });

  it('a garbage file named .pdf with a PDF header fails as permanent corrupt_file', async () => {
    const err = await run('broken.pdf', Buffer.from('%PDF-1.4\n' + 'garbage '.repeat(50))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('corrupt_file');
    expect((err as DocsiftError).permanent).toBe(true);
  });

  it('an aborted signal stops extraction as processing_timeout', async () => {
    const controller = new AbortController();
    controller.abort(new Error('PROCESSING_TIMEOUT'));
    const input = await files.input('a.pdf', buildPdf([{ lines: ['x'] }]));
    const err = await extractor.extract(input, controller.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('processing_timeout');
  });
});
