import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { constants, crc32, createDeflate } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as ExtractIndex from '../../../src/adapters/extract/index.js';
import type * as SandboxedModule from '../../../src/adapters/extract/sandbox/sandboxed.extractor.js';
import type * as LoadModule from '../../../src/config/load.js';
import type * as LoggerModule from '../../../src/observability/logger.js';
import type * as MetricsModule from '../../../src/observability/metrics.js';
import type { ExtractInput, Extraction } from '../../../src/ports/extractor.port.js';
import { BUILD_DIR, ensureBuilt } from '../../faults/harness/build.js';
import { docx } from '../../fixtures/office.fixture.js';
import { deepXml } from '../../fixtures/pathological.fixture.js';
import { buildPdf } from '../../fixtures/pdf.fixture.js';
import { englishText, renderTextPage } from '../../fixtures/text-image.fixture.js';

/**
 * The sandbox with real processes, from the compiled build (as `docsift run` forks them; a child
 * under a TypeScript loader carries ~200 MB more and would skew every memory figure). Each limit is
 * driven for real: native memory (sharp decoding), the V8 heap, the time budget, a native crash
 * (SIGSEGV from outside, as a fault in a native library would end it), an abort.
 */
type Extractor = ReturnType<typeof SandboxedModule.createSandboxedExtractor>;
let mod: { index: typeof ExtractIndex; load: typeof LoadModule; logger: typeof LoggerModule; metrics: typeof MetricsModule };
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  const at = (p: string) => import(pathToFileURL(join(BUILD_DIR, p)).href);
  mod = { index: await at('adapters/extract/index.js'), load: await at('config/load.js'), logger: await at('observability/logger.js'), metrics: await at('observability/metrics.js') };
  dir = await mkdtemp(join(tmpdir(), 'docsift-sandbox-'));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

function sandboxed(env: Record<string, string>) {
  const loaded = mod.load.loadConfig({ OCR_ENABLED: 'false', TEMP_DIR: dir, ...env }, {});
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const metrics = mod.metrics.createMetrics({ defaultMetrics: false });
  const extractor = mod.index.createExtractor(loaded.config, { logger: mod.logger.createLogger('info', sink as never), metrics }) as Extractor;
  return { extractor, metrics, lines };
}

let n = 0;
async function input(name: string, bytes: Buffer | string, maxChars = 100_000): Promise<ExtractInput> {
  const path = join(dir, `in-${++n}`);
  await writeFile(path, bytes);
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  return { path, size, filename: name, extension: name.split('.').pop()!, declaredContentType: null, maxChars };
}

async function failure(p: Promise<Extraction>): Promise<{ code: string; message: string; permanent: boolean }> {
  return p.then(
    (e) => {
      throw new Error(`expected a failure, got ${e.status}`);
    },
    (err: unknown) => err as { code: string; message: string; permanent: boolean },
  );
}

async function crashes(metrics: ReturnType<typeof MetricsModule.createMetrics>, labels: Record<string, string>): Promise<number> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === 'docsift_extract_crashes_total')!;
  return (m.values as Array<{ value: number; labels: Record<string, string> }>).filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((s, v) => s + v.value, 0);
}

/** zlib data of `mib` MiB of zeros, deflated a MiB at a time (never held whole). */
async function zeros(mib: number): Promise<Buffer> {
  const deflate = createDeflate({ level: constants.Z_BEST_SPEED });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => deflate.on('end', r));
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i += 1) if (!deflate.write(block)) await new Promise((r) => deflate.once('drain', r));
  deflate.end();
  await done;
  return Buffer.concat(out);
}

/** A valid PNG of 16383 x 16000 grey pixels (250 MiB decoded, under sharp's own 268 MP default) in ~1 MB: its rows are all zeros. */
async function hugePng(): Promise<Buffer> {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(16383, 0);
  ihdr.writeUInt32BE(16000, 4);
  ihdr[8] = 8;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', await zeros(250)), chunk('IEND', Buffer.alloc(0))]);
}

describe('extraction in sandbox processes', () => {
  it('ordinary documents come back as they were read, thumbnails as Buffers', async () => {
    const { extractor } = sandboxed({});
    try {
      const pdf = await extractor.extract(await input('a.pdf', buildPdf([{ lines: ['Quarterly report for the warehouse'] }])));
      // The kernel's OOM killer takes a sandbox before the worker.
      const [sandbox] = extractor.pool.processes;
      expect(readFileSync(`/proc/${sandbox!.pid}/oom_score_adj`, 'utf8').trim()).toBe('1000');
      expect(pdf).toMatchObject({ status: 'ok', method: 'pdf_text', text: 'Quarterly report for the warehouse' });
      const word = await extractor.extract(await input('b.docx', docx(['Dear customer,', 'Your order has shipped.'])));
      expect(word.text.split(/\n+/)).toEqual(['Dear customer,', 'Your order has shipped.']);
      const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ffffff' } }).png().toBuffer();
      const image = await extractor.extract(await input('c.png', png));
      expect(Buffer.isBuffer(image.thumbnail?.data)).toBe(true);
      expect(image.thumbnail!.data.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    } finally {
      await extractor.close();
    }
  }, 60_000);

  it('a scanned page is rendered in the sandbox and recognised by the worker\'s OCR pool; OCR waits do not count against EXTRACT_TIMEOUT', async () => {
    const { extractor, metrics } = sandboxed({ OCR_ENABLED: 'true', OCR_LANGUAGES: 'eng', OCR_WORKERS: '1', EXTRACT_TIMEOUT: '1' });
    try {
      const page = renderTextPage(englishText(250, 3));
      const png = await sharp(page.grey, { raw: { width: page.width, height: page.height, channels: 1 } }).png().toBuffer();
      const result = await extractor.extract(await input('scan.png', png));
      expect(result).toMatchObject({ method: 'ocr', status: 'ok', ocr: { pages_ocr: 1 } });
      expect(result.text.split(/\s+/).length).toBeGreaterThan(150);
      const ocr = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'docsift_stage_duration_seconds')!;
      const seconds = (ocr.values as Array<{ value: number; labels: Record<string, string>; metricName?: string }>).find((v) => v.metricName?.endsWith('_sum') && v.labels.stage === 'ocr')!.value;
      expect(seconds).toBeGreaterThan(1); // longer than the whole EXTRACT_TIMEOUT, yet no too_complex
    } finally {
      await extractor.close();
    }
  }, 120_000);

  it('native memory (sharp decoding 250 MiB of pixels) is capped: SIGKILL past SANDBOX_MEMORY_MB, permanent too_complex, one log line without content', async () => {
    const { extractor, metrics, lines } = sandboxed({ OCR_ENABLED: 'true', OCR_LANGUAGES: 'eng', IMAGE_MAX_PIXELS: '1000000000', SANDBOX_MEMORY_MB: '300', SANDBOX_WORKERS: '1' });
    try {
      const err = await failure(extractor.extract(await input('huge.png', await hugePng())));
      expect(err).toMatchObject({ code: 'too_complex', permanent: true });
      expect(err.message).toMatch(/^image: sandbox memory passed SANDBOX_MEMORY_MB=300 \(RSS \d+ MiB\)$/);
      expect(await crashes(metrics, { stage: 'image', reason: 'memory' })).toBe(1);
      const logged = lines.filter((l) => l.event === 'extract_crashed');
      expect(logged).toHaveLength(1);
      expect(Object.keys(logged[0]!).sort()).toEqual(['error_class', 'event', 'exit_code', 'level', 'limit', 'ms', 'msg', 'rss_mb', 'service', 'signal', 'stage', 'time'].sort());
      expect(logged[0]).toMatchObject({ stage: 'image', limit: 'memory', error_class: 'too_complex', signal: 'SIGKILL' });
      // Replaced: the next document is extracted.
      expect((await extractor.extract(await input('after.txt', 'still here'))).text).toBe('still here');
    } finally {
      await extractor.close();
    }
  }, 120_000);

  it('a document that needs more than its sandbox\'s share gets one more try alone, with the memory of both', async () => {
    const { extractor, metrics, lines } = sandboxed({ OCR_ENABLED: 'true', OCR_LANGUAGES: 'eng', IMAGE_MAX_PIXELS: '1000000000', SANDBOX_MEMORY_MB: '300', SANDBOX_WORKERS: '2' });
    try {
      const result = await extractor.extract(await input('huge.png', await hugePng()));
      expect(result).toMatchObject({ contentType: 'image/png', method: 'ocr' });
      expect(await crashes(metrics, { stage: 'image', reason: 'memory' })).toBe(1); // the first try, in its own 300 MiB
      expect(lines.filter((l) => l.event === 'extract_crashed')).toHaveLength(1);
    } finally {
      await extractor.close();
    }
  }, 120_000);

  it('a V8 heap runaway (the DOM of 12 MB of HTML) ends as too_complex at the heap limit or the RSS cap, whichever it meets first', async () => {
    const { extractor, metrics } = sandboxed({ INDEXED_CHARS: '3000000', SANDBOX_MEMORY_MB: '400', SANDBOX_WORKERS: '1' });
    try {
      const html = `<html><body>${'<p><b>x</b></p>'.repeat(800_000)}</body></html>`;
      const err = await failure(extractor.extract(await input('huge.html', html, 3_000_000)));
      expect(err).toMatchObject({ code: 'too_complex', permanent: true });
      // Which limit a runaway meets first depends on how much of its memory is heap: both are its own.
      expect(err.message).toMatch(/^html: sandbox (ran out of its 220 MiB V8 heap \(from SANDBOX_MEMORY_MB\)|memory passed SANDBOX_MEMORY_MB=400 \(RSS \d+ MiB\))$/);
      expect((await crashes(metrics, { stage: 'html', reason: 'heap' })) + (await crashes(metrics, { stage: 'html', reason: 'memory' }))).toBe(1);
    } finally {
      await extractor.close();
    }
  }, 180_000);

  it('past EXTRACT_TIMEOUT the sandbox is killed: too_complex (time); a native crash is extract_crashed; a neighbour in the other sandbox finishes', async () => {
    const { extractor, metrics } = sandboxed({ EXTRACT_TIMEOUT: '1', SANDBOX_WORKERS: '2', INDEXED_CHARS: '1000000' });
    try {
      const slow = deepXml(120_000); // html-to-text needs several seconds for it
      const timed = await failure(extractor.extract(await input('slow.xml', slow, 1_000_000)));
      expect(timed).toMatchObject({ code: 'too_complex', message: 'html: extraction ran past EXTRACT_TIMEOUT=1s' });

      const { extractor: roomy, metrics: roomyMetrics } = sandboxed({ SANDBOX_WORKERS: '2', INDEXED_CHARS: '1000000' });
      try {
        const crashing = roomy.extract(await input('crash.xml', slow, 1_000_000));
        // Once the first sandbox has started and taken the slow document:
        for (let waited = 0; roomy.pool.processes[0]?.docs !== 1 && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 300));
        const neighbour = roomy.extract(await input('fine.pdf', buildPdf([{ lines: ['A neighbour document'] }])));
        await new Promise((r) => setTimeout(r, 100));
        const [first, second] = roomy.pool.processes;
        expect([first?.alive, second?.alive]).toEqual([true, true]);
        // A fault inside a native library ends the process with a signal like this one.
        process.kill(first!.pid!, 'SIGSEGV');
        const err = await failure(crashing);
        expect(err).toMatchObject({ code: 'extract_crashed', permanent: true });
        expect(err.message).toMatch(/^html: sandbox died with signal SIGSEGV \(RSS \d+ MiB\)$/);
        expect((await neighbour).text).toBe('A neighbour document');
        expect(await crashes(roomyMetrics, { stage: 'html', reason: 'crash' })).toBe(1);
      } finally {
        await roomy.close();
      }
      expect(await crashes(metrics, { stage: 'html', reason: 'time' })).toBe(1);
    } finally {
      await extractor.close();
    }
  }, 120_000);

  it('an abort (PROCESSING_TIMEOUT) is transient processing_timeout, not a crash', async () => {
    const { extractor, metrics } = sandboxed({ INDEXED_CHARS: '1000000' });
    try {
      const controller = new AbortController();
      const pending = extractor.extract(await input('slow.xml', deepXml(120_000), 1_000_000), controller.signal);
      setTimeout(() => controller.abort(), 500);
      const err = await failure(pending);
      expect(err).toMatchObject({ code: 'processing_timeout', permanent: false });
      expect(await crashes(metrics, {})).toBe(0);
      expect((await extractor.extract(await input('next.txt', 'next'))).text).toBe('next');
    } finally {
      await extractor.close();
    }
  }, 60_000);
});
