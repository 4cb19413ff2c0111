import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { charAccuracy, wordAccuracy } from '../../fixtures/accuracy.js';
import { encode } from '../../fixtures/image.fixture.js';
import { buildPdf } from '../../fixtures/pdf.fixture.js';
import { renderTextPage } from '../../fixtures/text-image.fixture.js';
import { tempFiles } from './helpers.js';

const CHILD = fileURLToPath(new URL('./offline.child.ts', import.meta.url));

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `unshare -n` gives the child its own network namespace with no interface up: no network at all, for every thread. */
function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-n', 'true'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

let files: Awaited<ReturnType<typeof tempFiles>>;
beforeAll(async () => {
  files = await tempFiles();
});
afterAll(async () => {
  await files.cleanup();
});

describe('OCR without network', () => {
  it('recognises English, Japanese and a scanned PDF in a process with networking unavailable', { timeout: 120_000 }, async () => {
    const en = renderTextPage('Offline recognition works without any download', { dpi: 150, widthIn: 6, heightIn: 0.6, marginIn: 0.15 });
    const ja = renderTextPage('東京本社の会議は午後三時に始まります。', { dpi: 150, widthIn: 6, heightIn: 0.6, marginIn: 0.15, cjk: true });
    const scan = renderTextPage('A scanned page rendered by pdfjs offline', { dpi: 150, widthIn: 6, heightIn: 0.6, marginIn: 0.15 });
    const paths = [join(files.dir, 'en.png'), join(files.dir, 'ja.png'), join(files.dir, 'scan.pdf')];
    await writeFile(paths[0]!, await encode(en, 'png'));
    await writeFile(paths[1]!, await encode(ja, 'png'));
    await writeFile(paths[2]!, buildPdf([{ image: { grey: scan.grey, width: scan.width, height: scan.height }, widthPt: 432, heightPt: 43.2 }]));

    const proxy = `http://127.0.0.1:${await closedPort()}`;
    const isolated = canUnshare();
    const node = [process.execPath, '--import', 'tsx', CHILD, ...paths];
    const [command, ...args] = isolated ? ['unshare', '-n', '--', ...node] : node;
    const child = spawn(command!, args, {
      env: { ...process.env, HTTP_PROXY: proxy, HTTPS_PROXY: proxy, ALL_PROXY: proxy, http_proxy: proxy, https_proxy: proxy, NO_PROXY: '', no_proxy: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as { probe: string; attempts: string[]; results: Record<string, string> };
    console.log(`offline OCR (${isolated ? 'own network namespace' : 'proxies at a closed port'}): probe ${report.probe}`, JSON.stringify(report.results));
    if (isolated) expect(report.probe).toMatch(/^unreachable/);
    expect(report.attempts).toEqual([]);
    expect(wordAccuracy(en.text, report.results['en.png']!)).toBeGreaterThanOrEqual(0.8);
    expect(charAccuracy(ja.text, report.results['ja.png']!)).toBeGreaterThanOrEqual(0.8);
    expect(wordAccuracy(scan.text, report.results['scan.pdf']!)).toBeGreaterThanOrEqual(0.8);
  });
});
