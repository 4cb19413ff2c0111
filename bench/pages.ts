/**
 * `npm run bench:pages`: pages/minute of one long scan (20 A4 pages at 200 DPI, English, docsift's
 * default OCR languages) through the production extractor (sandbox + the worker's OCR pool) with
 * OCR_WORKERS=2 against OCR_WORKERS=1, alternated `--repeat` times (default 3) in one process;
 * writes bench/results/pages-<time>.json with every run, the medians and their ratio.
 * `--src DIR` measures another tree's src/ (e.g. main's, for before/after), `--pages N`, `--set NAME=VALUE`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './children/spawn.js';
import { cpuSeconds } from './measure/proc.js';
import { median, round } from './measure/stats.js';
import { ensureScans } from './peers/scans.js';
import { git } from './report/meta.js';
import type { createExtractor as CreateExtractor } from '../src/adapters/extract/index.js';
import type { loadConfig as LoadConfig } from '../src/config/load.js';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const src = resolve(flag('--src') ?? join(ROOT, 'src'));
const pages = Number(flag('--pages') ?? 20);
const repeat = Number(flag('--repeat') ?? 3);
const set: Record<string, string> = {};
argv.forEach((a, i) => {
  if (a === '--set') {
    const [k, ...v] = (argv[i + 1] ?? '').split('=');
    if (k) set[k] = v.join('=');
  }
});

interface Run {
  workers: number;
  seconds: number;
  pagesPerMinute: number;
  ocrCpuSecondsPerPage: number;
  status: string;
  pagesOcr: number | null;
}

const { loadConfig } = (await import(pathToFileURL(join(src, 'config/load.ts')).href)) as { loadConfig: typeof LoadConfig };
const { createExtractor } = (await import(pathToFileURL(join(src, 'adapters/extract/index.ts')).href)) as { createExtractor: typeof CreateExtractor };
const { createLogger } = await import('../src/observability/logger.js');
const { createMetrics } = await import('../src/observability/metrics.js');

const [doc] = await ensureScans(1, pages);
const input = { path: doc!.file, size: 1, filename: 'long.pdf', extension: 'pdf', declaredContentType: null, maxChars: 1_000_000 };

async function once(workers: number): Promise<Run> {
  const loaded = loadConfig({ OCR_WORKERS: String(workers), THUMBNAIL_ENABLED: 'false', PROCESSING_TIMEOUT: '3600', EXTRACT_TIMEOUT: '3000', ...set }, {});
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const extractor = createExtractor(loaded.config, { logger: createLogger('silent'), metrics: createMetrics({ defaultMetrics: false }) });
  try {
    const before = cpuSeconds('self')?.children ?? 0;
    const started = performance.now();
    const out = await extractor.extract(input);
    const seconds = (performance.now() - started) / 1000;
    const cpu = (cpuSeconds('self')?.children ?? 0) - before;
    return { workers, seconds: round(seconds, 2)!, pagesPerMinute: round((pages / seconds) * 60, 1)!, ocrCpuSecondsPerPage: round(cpu / pages, 3)!, status: out.status, pagesOcr: out.ocr?.pages_ocr ?? null };
  } finally {
    await extractor.close();
  }
}

const loadStart = loadavg();
const runs: Run[] = [];
for (let i = 0; i < repeat; i += 1) {
  for (const workers of [1, 2]) {
    const r = await once(workers);
    console.log(`[pages] repeat ${i + 1} OCR_WORKERS=${workers}: ${r.pagesPerMinute} pages/min (${r.seconds} s, ${r.pagesOcr} pages OCR'd, ${r.status})`);
    runs.push(r);
  }
}
const med = (w: number) => median(runs.filter((r) => r.workers === w).map((r) => r.pagesPerMinute));
const ratios = Array.from({ length: repeat }, (_, i) => round(runs[i * 2 + 1]!.pagesPerMinute / runs[i * 2]!.pagesPerMinute, 2)!);
const result = {
  schema: 'docsift-bench-pages/1',
  startedAt: new Date().toISOString(),
  src,
  commit: await git(['rev-parse', '--short', 'HEAD']),
  scan: { pages, dpi: 200, languages: 'jpn+eng (defaults)', file: doc!.file },
  settings: set,
  machine: { cpus: availableParallelism(), loadavgStart: loadStart, loadavgEnd: loadavg() },
  runs,
  pagesPerMinute: { workers1: med(1), workers2: med(2) },
  /** Per repeat (side by side), then the median: the figure to quote. */
  ratioPerRepeat: ratios,
  ratio2over1: median(ratios),
  target: '>= 1.7',
};
const outDir = join(ROOT, 'bench/results');
await mkdir(outDir, { recursive: true });
const path = join(outDir, `pages-${result.startedAt.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
console.log(`2 OCR workers over 1: ${result.ratio2over1}x (per repeat ${ratios.join(', ')}); ${JSON.stringify(result.pagesPerMinute)} pages/min\nresults ${path}`);
