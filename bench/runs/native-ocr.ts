import { execFile, spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { cpuSeconds, systemCpu } from '../measure/proc.js';
import { round } from '../measure/stats.js';

export interface NativeOcrResult {
  traineddata: string;
  languages: string;
  processes: number;
  pages: number;
  seconds: number;
  pagesPerMinute: number;
  cpuSeconds: number;
  cpuSecondsPerPage: number;
  /** Characters recognised in all (a run that recognised nothing is not a speed reference). */
  characters: number;
  machineBusyCores: number | null;
}

export async function tesseractVersion(): Promise<string | null> {
  try {
    const { stdout, stderr } = await promisify(execFile)('tesseract', ['--version']);
    return `${stdout}${stderr}`.split('\n')[0]?.trim() ?? null;
  } catch {
    return null;
  }
}

/**
 * The `4.0.0_best_int` language data docsift's default configuration loads (from the
 * @tesseract.js-data packages), unpacked for the native binary, so both engines read the same models.
 */
export async function npmTessdata(languages: string, dir: string): Promise<string> {
  const require = createRequire(import.meta.url);
  await mkdir(dir, { recursive: true });
  for (const lang of languages.split('+')) {
    const target = join(dir, `${lang}.traineddata`);
    if (existsSync(target)) continue;
    const source = join(dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`)), '4.0.0_best_int', `${lang}.traineddata.gz`);
    await pipeline(createReadStream(source), createGunzip(), createWriteStream(target));
  }
  // The binary reads its output configs (`txt`, `tsv`) from <tessdata>/configs: without them
  // `tesseract … txt tsv` writes no .tsv and docsift's native engine fails every page.
  for (const sub of ['configs', 'tessconfigs']) {
    const from = DEBIAN_TESSDATA ? join(DEBIAN_TESSDATA, sub) : null;
    if (from && existsSync(from) && !existsSync(join(dir, sub))) await symlink(from, join(dir, sub));
  }
  return dir;
}

/** The directory the binary reads without --tessdata-dir (its `--list-langs` header names it). */
export async function binaryTessdata(): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('tesseract', ['--list-langs']);
    const dir = /"([^"]+)"/.exec(stdout.split('\n')[0] ?? '')?.[1];
    return dir ? dir.replace(/\/+$/, '') : DEBIAN_TESSDATA;
  } catch {
    return null;
  }
}

export const DEBIAN_TESSDATA = ['/usr/share/tesseract-ocr/5/tessdata', '/usr/share/tesseract-ocr/4.00/tessdata'].find((d) => existsSync(d)) ?? null;

function ocrPage(path: string, tessdata: string, languages: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // One thread per process: tesseract's own OpenMP threading was 10x slower on these machines.
    const child = spawn('tesseract', [path, 'stdout', '--tessdata-dir', tessdata, '-l', languages, '--oem', '1', '--psm', '3'], {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let chars = 0;
    child.stdout.on('data', (d: Buffer) => (chars += d.toString('utf8').replace(/\s+/g, '').length));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(chars) : reject(new Error(`tesseract exited ${code} on ${path}`))));
  });
}

/** Pages/minute of native tesseract, one process per core, on exactly the pages docsift OCRs. */
export async function measureNativeOcr(pages: string[], tessdata: string, label: string, languages: string, processes: number): Promise<NativeOcrResult> {
  const before = cpuSeconds('self')?.children ?? 0;
  const sysBefore = systemCpu();
  const started = performance.now();
  let next = 0;
  let characters = 0;
  await Promise.all(
    Array.from({ length: processes }, async () => {
      while (next < pages.length) characters += await ocrPage(pages[next++]!, tessdata, languages);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sysAfter = systemCpu();
  const cpu = (cpuSeconds('self')?.children ?? 0) - before;
  const sysTotal = sysAfter.total - sysBefore.total;
  return {
    traineddata: label,
    languages,
    processes,
    pages: pages.length,
    seconds: round(seconds, 2)!,
    pagesPerMinute: round((pages.length / seconds) * 60, 1)!,
    cpuSeconds: round(cpu, 2)!,
    cpuSecondsPerPage: round(cpu / Math.max(1, pages.length), 3)!,
    characters,
    machineBusyCores: sysTotal > 0 ? round(((sysAfter.busy - sysBefore.busy) / sysTotal) * availableParallelism(), 2) : null,
  };
}
