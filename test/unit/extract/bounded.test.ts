import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Extractor } from '../../../src/ports/extractor.port.js';
import { openPdf } from '../../../src/adapters/extract/pdf/pdfjs.js';
import { boundedOperatorList, TooManyOperatorsError } from '../../../src/adapters/extract/pdf/pdf-operators.js';
import { buildPdf } from '../../fixtures/pdf.fixture.js';
import { xlsx } from '../../fixtures/office.fixture.js';
import {
  deepXml,
  docxDeepNesting,
  odtDeepNesting,
  pdfFormCycle,
  pdfFormFanOut,
  pdfPageTreeLoop,
  pdfTextAmplification,
  xlsxDeepNesting,
  xlsxManyCells,
  xlsxSharedStringAmplification,
} from '../../fixtures/pathological.fixture.js';
import { extractBytes, tempFiles, testExtractor } from './helpers.js';

/**
 * Bounded work, not only bounded bytes: every pathological input ends in bounded time and memory,
 * keeping what was read (marked truncated) where a cap stopped it. The readers run in this
 * process here; the sandbox's own limits are tested in test/contract/extract/sandbox.
 */
let extractor: Extractor;
let files: Awaited<ReturnType<typeof tempFiles>>;
beforeAll(async () => {
  extractor = testExtractor({ PDF_MAX_OPERATORS: '20000', SHEET_MAX_CELLS: '50000' }).extractor;
  files = await tempFiles();
});
afterAll(async () => {
  await extractor.close();
  await files.cleanup();
});

async function timed(name: string, bytes: Buffer | string, maxChars = 100_000) {
  const started = Date.now();
  const result = await extractBytes(extractor, files, name, bytes, maxChars);
  return { result, ms: Date.now() - started };
}

describe('PDF', () => {
  it('form XObjects drawing each other: the text layer is read, the cycle ends', async () => {
    const { result } = await timed('cycle.pdf', pdfFormCycle());
    expect(result).toMatchObject({ status: 'ok', pages: 1 });
    expect(result.text).toContain('A page whose forms draw each other.');
  });

  it('2^40 form XObject draws (no text): the page is not rendered past PDF_MAX_OPERATORS, the document says so', async () => {
    // With OCR on, a page without text is listed to be rendered: that is where the fan-out expands.
    const ocrOn = testExtractor({ PDF_MAX_OPERATORS: '20000', OCR_ENABLED: 'true', OCR_LANGUAGES: 'eng' }).extractor;
    const started = Date.now();
    const result = await extractBytes(ocrOn, files, 'fanout.pdf', pdfFormFanOut(40, 2));
    const ms = Date.now() - started;
    await ocrOn.close();
    expect(result).toMatchObject({ status: 'empty', truncated: true });
    expect(result.detail).toContain('page 1: more than 20000 drawing operations (PDF_MAX_OPERATORS); not rendered');
    expect(ms).toBeLessThan(20_000);
  });

  it('text repeated 2^24 times through forms: cut at the character budget while it is read', async () => {
    const { result, ms } = await timed('amplified.pdf', pdfTextAmplification(24, 2), 50_000);
    expect(result.truncated).toBe(true);
    expect(result.text.length).toBe(50_000);
    expect(result.text.startsWith('word0 word1')).toBe(true);
    expect(ms).toBeLessThan(20_000);
  });

  it('a page tree that loops: the page fails, the document is indexed as partial', async () => {
    const { result } = await timed('loop.pdf', pdfPageTreeLoop());
    expect(result.status).toBe('partial');
    expect(result.detail).toMatch(/page 1: .*circular/i);
  });

  it('INDEXED_CHARS is spent page by page: later pages are never read', async () => {
    const pages = Array.from({ length: 40 }, (_, i) => ({ lines: Array.from({ length: 30 }, () => `page ${i + 1} line of text for the budget`) }));
    const { result } = await timed('long.pdf', buildPdf(pages), 3000);
    expect(result.truncated).toBe(true);
    expect(result.text.length).toBe(3000);
    expect(result.text).toContain('page 1 line');
    expect(result.text).not.toContain('page 40 line');
  });

  it('boundedOperatorList: the whole list of an ordinary page; TooManyOperatorsError past the cap (pins pdf.js internals)', async () => {
    const ordinary = await openPdf(new Uint8Array(buildPdf([{ lines: ['one line'] }])), { maxImagePixels: 1e7 });
    const list = await boundedOperatorList(await ordinary.doc.getPage(1), 1000);
    expect(list.fnArray.length).toBeGreaterThan(3);
    await ordinary.task.destroy();
    const fanout = await openPdf(new Uint8Array(pdfFormFanOut(30, 2)), { maxImagePixels: 1e7 });
    await expect(boundedOperatorList(await fanout.doc.getPage(1), 5000)).rejects.toBeInstanceOf(TooManyOperatorsError);
    await fanout.task.destroy();
  });
});

describe('office', () => {
  it('one 1 MiB shared string referenced by 12,000 cells: stops at the budget, in well under a second of parsing', async () => {
    const { result, ms } = await timed('amplified.xlsx', xlsxSharedStringAmplification(1024, 12_000));
    expect(result).toMatchObject({ status: 'ok', truncated: true, method: 'office' });
    expect(result.text.length).toBeLessThanOrEqual(100_000);
    expect(result.text.startsWith('Amplified\nHeader of an amplified sheet\namplified amplified')).toBe(true);
    expect(ms).toBeLessThan(5000);
  });

  it('a sheet of 200,000 cells: SHEET_MAX_CELLS stops it, the rest is noted', async () => {
    const { result } = await timed('cells.xlsx', xlsxManyCells(200_000, 20), 10_000_000);
    expect(result.truncated).toBe(true);
    expect(result.detail).toBe('sheet 1: cells after the first 50000 left out (SHEET_MAX_CELLS)');
    expect(result.text.split('\n').length).toBe(2501); // name line + 2,500 rows of 20 cells
  });

  it('200,000 nested elements: read to MAX_XML_DEPTH and noted, not a stack overflow', async () => {
    const sheet = (await timed('deep.xlsx', xlsxDeepNesting())).result;
    expect(sheet).toMatchObject({ truncated: true });
    expect(sheet.detail).toContain('nested deeper than 2000');
    const text = (await timed('deep.odt', odtDeepNesting())).result;
    expect(text).toMatchObject({ truncated: true });
    expect(text.detail).toContain('content.xml: elements nested deeper than 2000 left out');
  });

  it('a docx nested 200,000 deep: streamed like the other parts, read to MAX_XML_DEPTH and noted', async () => {
    const { result, ms } = await timed('deep.docx', docxDeepNesting());
    // Its one word sits below the cut: nothing is left, and the document says why.
    expect(result).toMatchObject({ status: 'empty', truncated: true });
    expect(result.detail).toBe('word/document.xml: elements nested deeper than 2000 left out');
    expect(ms).toBeLessThan(5000);
  });

  it('ordinary sheets are unchanged by streaming: names, shared strings, numbers, inline strings', async () => {
    const { result } = await timed('budget.xlsx', xlsx([{ name: 'Budget', rows: [['Item', 'Cost'], ['Paper', 12.5]] }]));
    expect(result.text).toBe('Budget\nItem\tCost\nPaper\t12.5');
    expect(result.truncated).toBeUndefined();
  });
});

describe('HTML and XML', () => {
  it('deep nesting overflows html-to-text\'s recursion: permanent too_complex, not a retried internal', async () => {
    const err = await extractBytes(extractor, files, 'deep.xml', deepXml(60_000)).then(
      () => null,
      (e: unknown) => e as { code: string },
    );
    expect(err?.code).toBe('too_complex');
  }, 60_000);
});
