/**
 * `npm run bench:ocr [-- --pages N --ja N --repeat N --skip-recycle --skip-debian --skip-preprocessing]`: pages/minute of the
 * tesseract.js pool and of native tesseract on the same generated pages in the same run (one worker
 * and the whole pool each), word/character accuracy, the ratios the extraction issue targets, and
 * RSS over 200 jobs with recycling on and off. Writes bench/results/ocr-<timestamp>.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerCpus } from '../src/platform/cgroup.js';
import { checkNativeLanguages, findTesseract, NativeTesseract } from '../src/adapters/extract/ocr/native.engine.js';
import type { OcrImage, OcrService } from '../src/adapters/extract/ocr/ocr.types.js';
import { resolveLangSource } from '../src/adapters/extract/ocr/tessdata.js';
import { TesseractPool } from '../src/adapters/extract/ocr/tesseract-js.pool.js';
import { greyToPgm } from '../src/adapters/extract/pdf/pdf-render.js';
import { createLogger } from '../src/observability/logger.js';
import { charAccuracy, wordAccuracy } from '../test/fixtures/accuracy.js';
import { encode } from '../test/fixtures/image.fixture.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createExtractor } from '../src/adapters/extract/index.js';
import { loadConfig } from '../src/config/load.js';
import { createMetrics } from '../src/observability/metrics.js';
import { englishText, japaneseText, renderTextPage } from '../test/fixtures/text-image.fixture.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string, def: number) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? Number(argv[at + 1]) : def;
};
const ENGLISH_PAGES = value('pages', 6);
const REPEAT = Math.max(1, value('repeat', 1));
const JAPANESE_PAGES = value('ja', 2);
const LANGS = 'jpn+eng';
const DPI = 200;
const DEBIAN_TESSDATA = '/usr/share/tesseract-ocr/5/tessdata';
const POOL = Math.max(2, containerCpus());
const logger = createLogger('silent');

interface Page {
  kind: 'en' | 'ja';
  image: OcrImage;
  text: string;
}

interface Run {
  engine: 'tesseract.js' | 'native';
  data: string;
  workers: number;
  pages: number;
  seconds: number;
  pagesPerMinute: number;
  pagesPerMinutePerWorker: number;
  accuracy: { englishWords: number | null; japaneseChars: number | null };
  /** 1-minute load average when the run ended: above the CPU count, other work shared the cores. */
  load: number;
  /** CPU time (this process's threads plus finished child processes) per page. */
  cpuSecondsPerPage: number;
  /** 60 / cpuSecondsPerPage: the rate of one worker that has a core to itself, whatever else ran. */
  pagesPerCpuMinute: number;
  /** pages/minute of each repetition; the run reports the middle one (the upper middle for an even count). */
  samples?: number[];
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const mean = (xs: number[]) => (xs.length === 0 ? null : round(xs.reduce((a, b) => a + b, 0) / xs.length, 4));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function makePages(): Page[] {
  const pages: Page[] = [];
  for (let i = 0; i < ENGLISH_PAGES; i += 1) {
    const p = renderTextPage(englishText(320, 100 + i), { dpi: DPI });
    pages.push({ kind: 'en', image: { ...greyToPgm(p.grey, p.width, p.height), dpi: DPI }, text: p.text });
  }
  for (let i = 0; i < JAPANESE_PAGES; i += 1) {
    const p = renderTextPage(japaneseText(700, 200 + i), { dpi: DPI, cjk: true });
    pages.push({ kind: 'ja', image: { ...greyToPgm(p.grey, p.width, p.height), dpi: DPI }, text: p.text });
  }
  return pages;
}

/** All pages through `service` with `workers` jobs in flight; worker start-up is excluded (warm-up first). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds used so far by this process (all threads) and by its reaped children (native tesseract). */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    // /proc/self/stat fields 16 and 17: cutime and cstime, in clock ticks.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
  } catch {
    children = 0;
  }
  return (own.user + own.system) / 1e6 + children;
}

async function measure(service: OcrService, workers: number, data: string, pages: Page[]): Promise<Run> {
  const warm = pages[0]!;
  await Promise.all(Array.from({ length: workers }, () => service.recognize(warm.image)));
  const texts: string[] = new Array(pages.length);
  let next = 0;
  const cpuBefore = cpuSeconds();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < pages.length) {
        const i = next++;
        texts[i] = (await service.recognize(pages[i]!.image)).text;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuPerPage = (cpuSeconds() - cpuBefore) / pages.length;
  const ppm = (pages.length / seconds) * 60;
  const run: Run = {
    engine: service.engine,
    data,
    workers,
    pages: pages.length,
    seconds: round(seconds, 2),
    pagesPerMinute: round(ppm),
    pagesPerMinutePerWorker: round(ppm / workers),
    accuracy: {
      englishWords: mean(pages.flatMap((p, i) => (p.kind === 'en' ? [wordAccuracy(p.text, texts[i]!)] : []))),
      japaneseChars: mean(pages.flatMap((p, i) => (p.kind === 'ja' ? [charAccuracy(p.text, texts[i]!)] : []))),
    },
    load: round(loadavg()[0] ?? 0, 2),
    cpuSecondsPerPage: round(cpuPerPage, 3),
    pagesPerCpuMinute: round(60 / cpuPerPage),
  };
  console.log(
    `${run.engine.padEnd(12)} ${data.padEnd(22)} ${workers} worker(s): ${run.pagesPerMinute} pages/min (${run.pagesPerMinutePerWorker}/worker), ${run.cpuSecondsPerPage} CPU s/page, en ${run.accuracy.englishWords ?? '-'}, ja ${run.accuracy.japaneseChars ?? '-'}, load ${run.load}`,
  );
  return run;
}

async function tesseractJs(workers: number, tessdata: string | undefined, pages: Page[]): Promise<Run> {
  const pool = new TesseractPool({
    languages: LANGS,
    langSource: resolveLangSource(LANGS, tessdata, join(tmpdir(), 'docsift-bench-ocr')),
    workers,
    recycleJobs: 1_000_000,
    workerMaxMb: 65_536,
    timeoutMs: 600_000,
    startTimeoutMs: 120_000,
    largeInputPixels: Number.MAX_SAFE_INTEGER,
    logger,
  });
  try {
    return await measure(pool, workers, tessdata ? `tessdata ${tessdata}` : 'npm 4.0.0_best_int', pages);
  } finally {
    await pool.close();
  }
}

async function native(workers: number, pages: Page[]): Promise<Run> {
  const binary = findTesseract();
  checkNativeLanguages(binary, LANGS);
  const engine = new NativeTesseract({ binary, languages: LANGS, processes: workers, timeoutMs: 600_000, workDir: join(tmpdir(), 'docsift-bench-ocr') });
  try {
    return await measure(engine, workers, 'debian default tessdata', pages);
  } finally {
    await engine.close();
  }
}

const CHILD = fileURLToPath(new URL('../test/contract/extract/ocr-recycle.child.ts', import.meta.url));

async function recycleRun(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`recycle workload exited ${code}`);
  const r = JSON.parse(out.trim().split('\n').pop()!) as { rss: number[]; recycles: number; seconds: number; worst: number; jobs: number };
  const mb = (n: number) => round(n / 1048576, 0);
  const after = (n: number) => mb(median(r.rss.slice(n - 10, n)));
  const summary = {
    ...env,
    seconds: round(r.seconds, 1),
    recycles: r.recycles,
    rssAfterJob20MiB: after(20),
    rssAfterJob100MiB: after(100),
    rssAfterLastJobMiB: after(r.jobs),
    rssPeakMiB: mb(Math.max(...r.rss)),
    changeFromJob20: round((after(r.jobs) - after(20)) / after(20), 3),
  };
  console.log(`recycling ${JSON.stringify(summary)}`);
  return summary;
}

/**
 * IMAGE_PREPROCESSING: word accuracy on low-contrast, noisy scans (text grey 120 on 175, +-10
 * noise) with and without `normalise`, through the image extractor as configured.
 */
async function preprocessing(): Promise<Record<string, number[]>> {
  const dir = await mkdtemp(join(tmpdir(), 'docsift-bench-pre-'));
  const pages = [1, 2].map((s) => renderTextPage(englishText(150, 50 + s), { dpi: DPI, heightIn: 5 }));
  const low = pages.map((p) => {
    const grey = Buffer.alloc(p.grey.length);
    let r = 7;
    for (let i = 0; i < grey.length; i += 1) {
      r = (r * 1103515245 + 12345) >>> 0;
      grey[i] = Math.max(0, Math.min(255, 120 + Math.round((p.grey[i]! * 55) / 255) + ((r >>> 16) % 21) - 10));
    }
    return { ...p, grey };
  });
  const out: Record<string, number[]> = {};
  try {
    for (const steps of ['grayscale', 'grayscale,normalise']) {
      const loaded = loadConfig({ OCR_LANGUAGES: LANGS, OCR_WORKERS: String(POOL), IMAGE_PREPROCESSING: steps });
      if (!loaded.ok) throw new Error(loaded.problems.join('; '));
      const extractor = createExtractor(loaded.config, { logger, metrics: createMetrics({ defaultMetrics: false }) });
      out[steps] = await Promise.all(
        low.map(async (p, i) => {
          const path = join(dir, `${steps}-${i}.png`);
          const bytes = await encode(p, 'png', DPI);
          await writeFile(path, bytes);
          const r = await extractor.extract({ path, size: bytes.length, filename: 'scan.png', extension: 'png', declaredContentType: null, maxChars: 100_000 });
          return round(wordAccuracy(p.text, r.text), 4);
        }),
      );
      await extractor.close();
      console.log(`preprocessing ${steps}: English word accuracy ${out[steps]!.join(', ')}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  console.log(`OCR bench: ${ENGLISH_PAGES} English + ${JAPANESE_PAGES} Japanese A4 pages at ${DPI} DPI, ${LANGS}, pool of ${POOL}, ${REPEAT} repetition(s)`);
  const pages = makePages();
  const notes: string[] = [];
  const hasDebianData = existsSync(join(DEBIAN_TESSDATA, 'jpn.traineddata')) && existsSync(join(DEBIAN_TESSDATA, 'eng.traineddata'));
  let tesseractVersion: string | null = null;
  let nativeOk = true;
  try {
    tesseractVersion = execFileSync(findTesseract(), ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? null;
  } catch (err) {
    nativeOk = false;
    notes.push(`native tesseract not measured: ${err instanceof Error ? err.message : String(err)}`);
  }
  const configs: Array<() => Promise<Run>> = [
    () => tesseractJs(1, undefined, pages),
    () => tesseractJs(POOL, undefined, pages),
    ...(hasDebianData && !flag('skip-debian') ? [() => tesseractJs(1, DEBIAN_TESSDATA, pages), () => tesseractJs(POOL, DEBIAN_TESSDATA, pages)] : []),
    ...(nativeOk ? [() => native(1, pages), () => native(POOL, pages)] : []),
  ];
  // Configurations alternate within each repetition, so contention from other work hits them alike.
  const samples: Run[][] = configs.map(() => []);
  for (let rep = 0; rep < REPEAT; rep += 1) {
    for (const [i, config] of configs.entries()) samples[i]!.push(await config());
  }
  const runs: Run[] = samples.map((list) => {
    const mid = [...list].sort((a, b) => a.pagesPerMinute - b.pagesPerMinute)[Math.floor(list.length / 2)]!;
    return REPEAT > 1 ? { ...mid, samples: list.map((r) => r.pagesPerMinute) } : mid;
  });
  const contended = runs.filter((r) => r.load > availableParallelism());
  if (contended.length > 0) notes.push(`${contended.length} of ${runs.length} runs ended with a load average above ${availableParallelism()}: other work shared the cores, so absolute rates and pool scaling are understated`);

  const find = (engine: string, data: RegExp, workers: number) => runs.find((r) => r.engine === engine && data.test(r.data) && r.workers === workers);
  const tjs1 = find('tesseract.js', /npm/, 1);
  const tjsPool = find('tesseract.js', /npm/, POOL);
  const tjsDeb1 = find('tesseract.js', /tessdata/, 1);
  const tjsDebPool = find('tesseract.js', /tessdata/, POOL);
  const nat1 = find('native', /debian/, 1);
  const natPool = find('native', /debian/, POOL);
  const ratio = (a?: Run, b?: Run, per = false) => (a && b ? round((per ? a.pagesPerMinutePerWorker : a.pagesPerMinute) / (per ? b.pagesPerMinutePerWorker : b.pagesPerMinute), 2) : null);
  const ratios = {
    tesseractJsPerWorkerVsNativePerProcess_defaultData: ratio(tjs1, nat1),
    tesseractJsPerWorkerVsNativePerProcess_sameData: ratio(tjsDeb1, nat1),
    tesseractJsPoolVsNativePool_defaultData: ratio(tjsPool, natPool),
    tesseractJsPoolVsNativePool_sameData: ratio(tjsDebPool, natPool),
    tesseractJsPoolVsOneWorker: ratio(tjsPool, tjs1),
    tesseractJsPoolVsOneWorker_debianData: ratio(tjsDebPool, tjsDeb1),
    nativePoolVsOneProcess: ratio(natPool, nat1),
  };
  // The same comparisons from CPU time, which other work on the machine does not distort: per
  // worker, pages per CPU-minute; for a pool of n, n x (CPU per page alone / CPU per page in the pool).
  const cpuRatio = (a?: Run, b?: Run) => (a && b ? round(a.pagesPerCpuMinute / b.pagesPerCpuMinute, 2) : null);
  const cpuScaling = (pool?: Run, one?: Run) => (pool && one ? round((pool.workers * one.cpuSecondsPerPage) / pool.cpuSecondsPerPage, 2) : null);
  const cpuNormalised = {
    tesseractJsPerWorkerVsNativePerProcess_defaultData: cpuRatio(tjs1, nat1),
    tesseractJsPerWorkerVsNativePerProcess_sameData: cpuRatio(tjsDeb1, nat1),
    tesseractJsPoolVsOneWorker: cpuScaling(tjsPool, tjs1),
    tesseractJsPoolVsOneWorker_debianData: cpuScaling(tjsDebPool, tjsDeb1),
    nativePoolVsOneProcess: cpuScaling(natPool, nat1),
  };
  const target = (name: string, v: number | null, min: number) => ({ name, value: v, min, met: v === null ? null : v >= min });
  const targets = [
    target('tesseract.js per worker >= 0.8x native (default data)', ratios.tesseractJsPerWorkerVsNativePerProcess_defaultData, 0.8),
    target('tesseract.js per worker >= 0.8x native (same data)', ratios.tesseractJsPerWorkerVsNativePerProcess_sameData, 0.8),
    target(`pool of ${POOL} >= 1.8x one worker`, ratios.tesseractJsPoolVsOneWorker, 1.8),
    target('tesseract.js per worker >= 0.8x native, from CPU time (default data)', cpuNormalised.tesseractJsPerWorkerVsNativePerProcess_defaultData, 0.8),
    target('tesseract.js per worker >= 0.8x native, from CPU time (same data)', cpuNormalised.tesseractJsPerWorkerVsNativePerProcess_sameData, 0.8),
    target(`pool of ${POOL} >= 1.8x one worker, from CPU time`, cpuNormalised.tesseractJsPoolVsOneWorker, 1.8),
    target('English word accuracy >= 0.95', tjs1?.accuracy.englishWords ?? null, 0.95),
    target('Japanese character accuracy >= 0.85', tjs1?.accuracy.japaneseChars ?? null, 0.85),
  ];

  const recycling: Record<string, unknown>[] = [];
  if (!flag('skip-recycle')) {
    for (const malloc of ['default', '2']) {
      for (const recycle of ['30', '0']) {
        recycling.push(await recycleRun({ JOBS: '200', RECYCLE_JOBS: recycle, WORKERS: '2', ...(malloc === '2' ? { MALLOC_ARENA_MAX: '2' } : {}) }));
      }
    }
    // An A4 page at 300 DPI every 45 jobs, the input that grows a worker's heap for good: docsift's
    // policy (replace after it, and every 30 jobs) against keeping the workers.
    recycling.push(await recycleRun({ JOBS: '200', RECYCLE_JOBS: '30', WORKERS: '2', MALLOC_ARENA_MAX: '2', LARGE_EVERY: '45', LARGE_INPUT_PIXELS: '8000000' }));
    recycling.push(await recycleRun({ JOBS: '200', RECYCLE_JOBS: '0', WORKERS: '2', MALLOC_ARENA_MAX: '2', LARGE_EVERY: '45' }));
  }

  const preprocessingAccuracy = flag('skip-preprocessing') ? null : await preprocessing();

  const result = {
    kind: 'ocr',
    startedAt: startedAt.toISOString(),
    machine: { cpus: availableParallelism(), containerCpus: containerCpus(), node: process.version, tesseract: tesseractVersion },
    pages: { english: ENGLISH_PAGES, japanese: JAPANESE_PAGES, dpi: DPI, languages: LANGS, wordsPerEnglishPage: 320 },
    runs,
    ratios,
    cpuNormalised,
    targets,
    recycling,
    preprocessingAccuracy,
    notes,
  };
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `ocr-${startedAt.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`ratios ${JSON.stringify(ratios)}`);
  console.log(`from CPU time ${JSON.stringify(cpuNormalised)}`);
  for (const n of notes) console.log(`note: ${n}`);
  for (const t of targets) console.log(`${t.met === null ? '  ?   ' : t.met ? '  MET ' : 'MISSED'} ${t.name}: ${t.value ?? 'n/a'}`);
  console.log(`results ${path}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:ocr failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
