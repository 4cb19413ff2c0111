/**
 * `npm run bench:orientation [-- --repeat N]`: what orientation detection costs per page. Each
 * engine (native tesseract, tesseract.js; one worker, jpn+eng, the language data the image reads)
 * reads the same generated A4 pages at 200 DPI with page segmentation mode 3 (auto) and 1 (auto
 * with OSD), interleaved, and the result records median milliseconds and CPU seconds per page and
 * accuracy per page kind. Writes bench/results/ocr-orientation-<timestamp>.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { checkNativeLanguages, findTesseract, NativeTesseract } from '../src/adapters/extract/ocr/native.engine.js';
import type { OcrImage, OcrService } from '../src/adapters/extract/ocr/ocr.types.js';
import { resolveLangSource } from '../src/adapters/extract/ocr/tessdata.js';
import { TesseractPool } from '../src/adapters/extract/ocr/tesseract-js.pool.js';
import { greyToPgm } from '../src/adapters/extract/pdf/pdf-render.js';
import { createLogger } from '../src/observability/logger.js';
import { charAccuracy, wordAccuracy } from '../test/fixtures/accuracy.js';
import { englishText, japaneseText, renderTextPage } from '../test/fixtures/text-image.fixture.js';

const argv = process.argv.slice(2);
const at = argv.indexOf('--repeat');
const REPEAT = at >= 0 ? Math.max(1, Number(argv[at + 1])) : 3;
const LANGS = 'jpn+eng';
const DPI = 200;
const DEBIAN = '/usr/share/tesseract-ocr/5/tessdata';
const WORK = join(tmpdir(), 'docsift-bench-orientation');

interface Page {
  kind: 'en' | 'ja' | 'en180';
  image: OcrImage;
  text: string;
}

async function pages(): Promise<Page[]> {
  const en = renderTextPage(englishText(320, 7), { dpi: DPI });
  const ja = renderTextPage(japaneseText(700, 8), { dpi: DPI, cjk: true });
  const turned = await sharp(en.grey, { raw: { width: en.width, height: en.height, channels: 1 } }).rotate(180).toColourspace('b-w').raw().toBuffer();
  return [
    { kind: 'en', image: { ...greyToPgm(en.grey, en.width, en.height), dpi: DPI }, text: en.text },
    { kind: 'ja', image: { ...greyToPgm(ja.grey, ja.width, ja.height), dpi: DPI }, text: ja.text },
    { kind: 'en180', image: { ...greyToPgm(turned, en.width, en.height), dpi: DPI }, text: en.text },
  ];
}

function engine(kind: 'native' | 'tesseract.js', orientation: boolean): OcrService {
  mkdirSync(WORK, { recursive: true });
  const tessdata = existsSync(join(DEBIAN, 'jpn.traineddata')) ? DEBIAN : undefined;
  if (kind === 'native') {
    const binary = findTesseract();
    checkNativeLanguages(binary, LANGS);
    return new NativeTesseract({ binary, languages: LANGS, processes: 1, timeoutMs: 600_000, workDir: WORK, orientation });
  }
  return new TesseractPool({
    languages: LANGS,
    langSource: resolveLangSource(LANGS, tessdata, WORK),
    workers: 1,
    recycleJobs: 1_000_000,
    workerMaxMb: 65_536,
    timeoutMs: 600_000,
    startTimeoutMs: 120_000,
    largeInputPixels: Number.MAX_SAFE_INTEGER,
    logger: createLogger('silent'),
    orientation,
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;


async function main(): Promise<void> {
  const set = await pages();
  const results: Record<string, unknown>[] = [];
  const load = [loadavg()[0]];
  for (const kind of ['native', 'tesseract.js'] as const) {
    const engines = { psm3: engine(kind, false), psm1: engine(kind, true) };
    // One warm-up page each: tesseract.js compiles its WASM and loads data on first use.
    for (const e of Object.values(engines)) await e.recognize(set[0]!.image);
    const samples: Record<string, { ms: number[]; accuracy: number[]; confidence: number[] }> = {};
    for (let r = 0; r < REPEAT; r += 1) {
      for (const page of set) {
        for (const [mode, e] of Object.entries(engines)) {
          const key = `${mode}:${page.kind}`;
          const s = (samples[key] ??= { ms: [], accuracy: [], confidence: [] });
          const result = await e.recognize(page.image);
          s.ms.push(result.ms);
          s.accuracy.push(page.kind === 'ja' ? charAccuracy(page.text, result.text) : wordAccuracy(page.text, result.text));
          s.confidence.push(result.confidence ?? NaN);
        }
      }
    }
    for (const e of Object.values(engines)) await e.close();
    for (const [key, s] of Object.entries(samples)) {
      const [mode, page] = key.split(':');
      const row = { engine: kind, mode, page, medianMs: round(median(s.ms), 0), accuracy: round(median(s.accuracy)), confidence: median(s.confidence), samples: s.ms.length };
      console.log(JSON.stringify(row));
      results.push(row);
    }
  }
  load.push(loadavg()[0]);
  const overhead = (kind: string, page: string) => {
    const get = (mode: string) => results.find((r) => r['engine'] === kind && r['mode'] === mode && r['page'] === page)?.['medianMs'] as number;
    return round(get('psm1') / get('psm3'), 3);
  };
  const ratios = {
    nativeEnglish: overhead('native', 'en'),
    nativeJapanese: overhead('native', 'ja'),
    tesseractJsEnglish: overhead('tesseract.js', 'en'),
    tesseractJsJapanese: overhead('tesseract.js', 'ja'),
  };
  console.log('psm1 / psm3 median time per upright page:', JSON.stringify(ratios));
  const out = join('bench', 'results', `ocr-orientation-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ repeat: REPEAT, dpi: DPI, languages: LANGS, loadBeforeAfter: load, ratios, results }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

await main();
