import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const start = new URL('../../devstack/start.ts', import.meta.url).pathname;
const tsx = import.meta.resolve('tsx');

describe('npm start (devstack/start.ts: local stack + the production `docsift run`) on embedded defaults', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'docsift-dev-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('drains a generated corpus of every supported type and ends with its summary', () => {
    const r = spawnSync(process.execPath, ['--import', tsx, start, '--documents', '40'], { cwd, encoding: 'utf8', timeout: 240_000, env: { PATH: process.env.PATH ?? '', HOME: cwd, TMPDIR: cwd } });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toMatch(/messages {4}40 of 40 \(indexed 40, deleted 0, dead-lettered 0, retried 0\)/);
    expect(r.stdout).toMatch(/throughput {2}\d+ messages\/minute/);
    expect(r.stdout).toMatch(/queue left {2}0 {3}DLQ 0/);
    const lines = readFileSync(join(cwd, 'data', 'index.ndjson'), 'utf8').trim().split('\n');
    const docs = lines.filter((_, i) => i % 2 === 1).map((l) => JSON.parse(l) as { key: string; content: string; extraction: { method: string } });
    expect(docs).toHaveLength(40);
    const byKey = new Map(docs.map((d) => [d.key, d]));
    // Office, OCR'd images (English and Japanese), a multi-page TIFF and a scanned PDF: real text.
    expect(byKey.get('samples/office/minutes.docx')?.content).toContain('docxmarker');
    expect(byKey.get('samples/office/budget.xlsx')?.content).toContain('xlsxmarker');
    expect(byKey.get('samples/scans/receipt.jpg')?.content).toMatch(/receipt/i);
    expect(byKey.get('samples/scans/請求書.png')?.content.replace(/\s/g, '')).toContain('請求書');
    expect(byKey.get('samples/scans/two pages.tiff')?.content).toMatch(/shipment/i);
    expect(byKey.get('samples/pdf/scanned invoice.pdf')?.extraction.method).toBe('pdf_ocr');
    expect(byKey.get('samples/pdf/scanned invoice.pdf')?.content).toMatch(/invoice/i);
  }, 250_000);
});
