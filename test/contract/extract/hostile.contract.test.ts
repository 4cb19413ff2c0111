import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DocsiftError } from '../../../src/domain/errors.js';
import type { SandboxPool } from '../../../src/adapters/extract/sandbox/sandbox.pool.js';
import type { Extraction, Extractor } from '../../../src/ports/extractor.port.js';
import { pngBomb } from '../../fixtures/image.fixture.js';
import { docx, docxBomb } from '../../fixtures/office.fixture.js';
import { buildPdf, pdfWithHugeImage } from '../../fixtures/pdf.fixture.js';
import { processTree } from '../../../bench/measure/proc.js';
import { rssOf } from '../../faults/harness/worker-process.js';
import { ocrExtractor, tempFiles } from './helpers.js';

/** RSS of this process and every descendant. */
function treeRss(): number {
  return processTree(process.pid).reduce((sum, pid) => sum + (rssOf(pid) ?? 0), 0);
}

/**
 * Every hostile file gets a classified outcome (a status, or a permanent error class), never a
 * crash or a hang, while the RSS of this process and its children (the extraction sandboxes, OCR
 * processes) is sampled every 20 ms and must grow by less than a budget far below the 4 GiB of a
 * t3.medium pod. The OCR pool and a sandbox are warmed first so their start is not counted.
 *
 * A sandbox left above half its memory cap is replaced after its document, and a replacement's
 * start-up (about 450 MiB here, where sandboxes run the TypeScript sources through tsx; about
 * 135 MiB compiled) must not be counted against the next file either: each file waits for a
 * sandbox that has already read a PDF and was kept.
 */
const RSS_BUDGET = 300 * 1024 * 1024;

let extractor: Extractor & { pool: SandboxPool };
let files: Awaited<ReturnType<typeof tempFiles>>;

beforeAll(async () => {
  files = await tempFiles();
  extractor = ocrExtractor().extractor as Extractor & { pool: SandboxPool };
  await extractor.extract(await files.input('warm.pdf', buildPdf([{ image: { grey: Buffer.alloc(100 * 100, 255), width: 100, height: 100 } }])));
});

const sandboxPids = () => extractor.pool.processes.map((p) => p.pid).sort().join(',');

/** Reads small PDFs until one leaves the same sandboxes alive: none is starting or being replaced. */
async function warmSandboxes(): Promise<void> {
  for (let round = 0; round < 4; round++) {
    const before = sandboxPids();
    await extractor.extract(await files.input(`settle-${round}.pdf`, buildPdf([{ lines: ['A small page that settles the sandbox pool.'] }])));
    if (sandboxPids() === before) return;
  }
  throw new Error(`the sandboxes were replaced after each of 4 small PDFs: ${sandboxPids()}`);
}
afterAll(async () => {
  await extractor.close();
  await files.cleanup();
});

type Outcome = { result?: Extraction; error?: DocsiftError; ms: number; rssGrowth: number };

async function handle(name: string, bytes: Buffer): Promise<Outcome> {
  const input = await files.input(name, bytes);
  await warmSandboxes();
  const before = treeRss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, treeRss());
  }, 20);
  const started = Date.now();
  try {
    const result = await extractor.extract(input);
    return { result, ms: Date.now() - started, rssGrowth: peak - before };
  } catch (err) {
    expect(err).toBeInstanceOf(DocsiftError);
    return { error: err as DocsiftError, ms: Date.now() - started, rssGrowth: peak - before };
  } finally {
    clearInterval(sampler);
    peak = Math.max(peak, treeRss());
  }
}

describe('hostile and broken files', () => {
  it('a 0-byte file is indexed as empty', async () => {
    const o = await handle('zero.pdf', Buffer.alloc(0));
    expect(o.result).toMatchObject({ status: 'empty', text: '' });
  });

  it('a truncated PDF is permanent corrupt_file', async () => {
    const whole = buildPdf(Array.from({ length: 6 }, (_, i) => ({ lines: [`Page ${i + 1} of a report cut short in transit.`] })));
    const o = await handle('cut.pdf', whole.subarray(0, Math.floor(whole.length * 0.6)));
    expect(o.error?.code).toBe('corrupt_file');
    expect(o.error?.permanent).toBe(true);
  });

  it('an encrypted PDF is indexed with status encrypted', async () => {
    const o = await handle('locked.pdf', buildPdf([{ lines: ['Locked content'] }], { encrypted: true }));
    expect(o.result).toMatchObject({ status: 'encrypted', contentType: 'application/pdf' });
  });

  it('a PNG declaring 30000 x 30000 pixels in a few KB is refused by the pixel limit', async () => {
    const o = await handle('small.png', pngBomb(30_000, 30_000));
    expect(o.error?.code).toBe('decompression_bomb');
    expect(o.rssGrowth).toBeLessThan(RSS_BUDGET);
  });

  it('a docx that inflates to gigabytes is refused before it is inflated', async () => {
    const o = await handle('bomb.docx', await docxBomb(3500, false));
    expect(o.error?.code).toBe('decompression_bomb');
    expect(o.rssGrowth).toBeLessThan(RSS_BUDGET);
    const liar = await handle('liar.docx', await docxBomb(3500, true));
    expect(liar.error?.code).toBe('decompression_bomb');
    expect(liar.rssGrowth).toBeLessThan(RSS_BUDGET);
  });

  it('a file whose extension lies is handled as what its bytes are', async () => {
    const asPdf = await handle('invoice.pdf', docx(['Really a Word document']));
    expect(asPdf.result).toMatchObject({ method: 'office', text: 'Really a Word document' });
    const asDocx = await handle('report.docx', randomBytes(4096));
    expect(asDocx.result).toMatchObject({ status: 'unsupported' });
  });

  it('a 1,000-page PDF is capped at MAX_PDF_PAGES and says so', async () => {
    const pdf = buildPdf(Array.from({ length: 1000 }, (_, i) => ({ lines: [`Text layer of page number ${i + 1} in a very long file.`] })));
    const o = await handle('thousand.pdf', pdf);
    expect(o.result).toMatchObject({ status: 'ok', pages: 1000, truncated: true });
    expect(o.result!.detail).toContain('pages 501-1000 of 1000 left out (MAX_PDF_PAGES=500)');
    expect(o.result!.text).toContain('page number 500 in');
    expect(o.result!.text).not.toContain('page number 501 in');
    expect(o.rssGrowth).toBeLessThan(RSS_BUDGET);
  });

  it('a PDF with one enormous embedded image (20000 x 20000) is not decoded into memory', async () => {
    const o = await handle('poster.pdf', await pdfWithHugeImage(20_000, 20_000));
    expect(o.result).toMatchObject({ contentType: 'application/pdf', pages: 1 });
    expect(['empty', 'ok', 'partial']).toContain(o.result!.status);
    expect(o.rssGrowth).toBeLessThan(RSS_BUDGET);
  });
});
