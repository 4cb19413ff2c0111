import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocsiftError } from '../../../src/domain/errors.js';
import type { Extractor } from '../../../src/ports/extractor.port.js';
import { randomBytes } from 'node:crypto';
import { docx, docxBomb, docxEntries, odp, ods, odt, pptx, xlsx } from '../../fixtures/office.fixture.js';
import { buildZip } from '../../fixtures/zip.fixture.js';
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

const run = (name: string, bytes: Buffer) => extractBytes(extractor, files, name, bytes);
const failure = async (name: string, bytes: Buffer, ex: Extractor = extractor) =>
  (await extractBytes(ex, files, name, bytes).then(
    () => undefined,
    (e: unknown) => e,
  )) as DocsiftError;

describe('office formats', () => {
  it('docx: every paragraph, through mammoth', async () => {
    const r = await run('letter.docx', docx(['Dear customer,', 'Your order 4711 has shipped.', '東京支店より']));
    expect(r).toMatchObject({ contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', method: 'office', status: 'ok' });
    expect(r.text.split(/\n+/)).toEqual(['Dear customer,', 'Your order 4711 has shipped.', '東京支店より']);
  });

  it('xlsx: sheet names, shared strings and numbers, row by row', async () => {
    const r = await run('budget.xlsx', xlsx([{ name: 'Budget', rows: [['Item', 'Cost'], ['Paper', 12.5]] }, { name: 'Notes', rows: [['Approved by finance']] }]));
    expect(r.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(r.text).toBe('Budget\nItem\tCost\nPaper\t12.5\n\nNotes\nApproved by finance');
  });

  it('pptx: slides in numeric order (slide10 after slide2), runs joined into words', async () => {
    const slides = Array.from({ length: 11 }, (_, i) => [`Slide ${i + 1} heading`]);
    const r = await run('deck.pptx', pptx(slides));
    expect(r.contentType).toBe('application/vnd.openxmlformats-officedocument.presentationml.presentation');
    const order = slides.map(([t]) => r.text.indexOf(t!));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('odt, ods and odp: paragraphs, cells on their rows, slides', async () => {
    const t = await run('memo.odt', odt(['First  paragraph', '第二段落']));
    expect(t).toMatchObject({ contentType: 'application/vnd.oasis.opendocument.text', status: 'ok' });
    expect(t.text).toBe('First  paragraph\n第二段落');
    const s = await run('table.ods', ods([['city', 'sales'], ['Osaka', '120']]));
    expect(s.contentType).toBe('application/vnd.oasis.opendocument.spreadsheet');
    expect(s.text).toBe('city\tsales\nOsaka\t120');
    const p = await run('talk.odp', odp([['Opening slide'], ['Closing slide']]));
    expect(p.contentType).toBe('application/vnd.oasis.opendocument.presentation');
    expect(p.text).toBe('Opening slide\n\nClosing slide');
  });

  it('a docx named .txt is still read as a docx', async () => {
    const r = await run('notes.txt', docx(['Disguised word document']));
    expect(r.method).toBe('office');
    expect(r.text).toBe('Disguised word document');
  });
});

describe('hostile office files', () => {
  it('a docx declaring gigabytes is refused from its central directory before inflating', async () => {
    const before = process.memoryUsage.rss();
    const started = Date.now();
    const err = await failure('bomb.docx', await docxBomb(3000, false));
    expect(err).toBeInstanceOf(DocsiftError);
    expect(err.code).toBe('decompression_bomb');
    expect(err.permanent).toBe(true);
    expect(err.message).toContain('refused before inflating');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage.rss() - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('a docx whose directory lies about its size is stopped as it inflates past the declared size', async () => {
    const before = process.memoryUsage.rss();
    const err = await failure('liar.docx', await docxBomb(3000, true));
    expect(err.code).toBe('decompression_bomb');
    expect(err.message).toContain('inflates past the size');
    expect(process.memoryUsage.rss() - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('an office file over MAX_OFFICE_SIZE_MB is permanent too_large', async () => {
    const { extractor: small } = testExtractor({ MAX_OFFICE_SIZE_MB: '1' });
    const big = buildZip([...docxEntries(['Report with a large picture']), { name: 'word/media/image1.bin', data: randomBytes(1536 * 1024), store: true }]);
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const err = await failure('big.docx', big, small);
    expect(err.code).toBe('too_large');
    await small.close();
  });

  it('a docx with broken XML is permanent corrupt_file, not a crash', async () => {
    const broken = buildZip([...docxEntries(['x']).filter((e) => e.name !== 'word/document.xml'), { name: 'word/document.xml', data: '<w:document><w:body><w:p>' }]);
    const err = await failure('broken.docx', broken);
    expect(err).toBeInstanceOf(DocsiftError);
    expect(err.code).toBe('corrupt_file');
  });

  it('an XML part with an entity declaration is refused', async () => {
    const laughs = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>';
    const evil = buildZip([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', store: true },
      { name: 'content.xml', data: `<?xml version="1.0"?>${laughs}<office:document-content><text:p>&b;</text:p></office:document-content>` },
    ]);
    const err = await failure('evil.odt', evil);
    expect(err.code).toBe('corrupt_file');
    expect(err.message).toContain('DOCTYPE');
  });
});
