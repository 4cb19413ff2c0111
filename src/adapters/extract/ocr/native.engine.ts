import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { nativeOcrEnv } from '../../../config/extract.settings.js';
import { DocsiftError } from '../../../domain/errors.js';
import { abortedError } from '../signal.js';
import type { OcrImage, OcrResult, OcrService } from './ocr.types.js';
import { splitLanguages } from './tessdata.js';

export interface NativeOptions {
  languages: string;
  tessdataDir?: string;
  /** Where each call's scratch directory is made (TEMP_DIR). */
  workDir: string;
  processes: number;
  timeoutMs: number;
  binary?: string;
  heartbeat?: (component: string) => void;
  /**
   * Read turned pages upright: each page is read as it lies first (page segmentation mode 3) and
   * again with orientation and script detection (mode 1) only when the first reading's mean word
   * confidence is below ORIENTATION_RETRY_BELOW or it found no words; the reading with the higher
   * confidence is kept. Off: mode 3 only. Needs `osd.traineddata` (Debian: tesseract-ocr-osd),
   * which checkNativeLanguages requires.
   * @defaultValue true
   */
  orientation?: boolean;
}

/**
 * Mean word confidence below which a page read as it lies is read again with orientation
 * detection. Generated A4 pages at 200 DPI read as they lie score 93-96 upright (English,
 * Japanese) and 21-47 turned 90 or 180 degrees.
 */
export const ORIENTATION_RETRY_BELOW = 80;

/** Chinese, Japanese and Korean tesseract languages (and their vertical variants). */
const CJK_LANGUAGE = /^(jpn|chi_sim|chi_tra|kor)(_vert)?$/;

/**
 * Whether a language is Chinese, Japanese or Korean: then pages read as they lie (mode 3) use
 * tesseract's CJK fixed-pitch layout model (`textord_use_cjk_fp_model`), which mode 1 switches on
 * by itself when detection finds a CJK script. Without it mode 3 confidently dropped and garbled
 * lines of upright Japanese pages (character recall 0.84-0.96 against 1.00 with it, two pages of
 * the peer benchmark's corpus); English pages read the same with it (word recall 1.00).
 */
export function hasCjkLanguage(languages: string): boolean {
  return splitLanguages(languages).some((l) => CJK_LANGUAGE.test(l));
}

/**
 * Checks that `tesseract` runs (the OS resolves it on PATH) and is 4 or newer (LSTM, `--oem 1`);
 * a clear start-up error when it is missing or too old.
 */
export function findTesseract(binary = 'tesseract'): string {
  // 4.x prints its version on stderr, 5.x on stdout.
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  if (run.error) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'the `tesseract` binary is not on PATH: install tesseract-ocr (Debian: apt-get install tesseract-ocr tesseract-ocr-jpn) or use OCR_ENGINE=tesseract.js'
        : `\`${binary} --version\` failed: ${run.error.message}`,
    );
  }
  const out = `${run.stdout}\n${run.stderr}`;
  const major = Number(/tesseract\s+v?(\d+)\./.exec(out)?.[1]);
  if (run.status !== 0 || !(major >= 4)) {
    throw new Error(`\`${binary} --version\` answered ${JSON.stringify(out.trim().split('\n')[0] ?? '')} (exit ${run.status}): native OCR needs tesseract 4 or newer`);
  }
  return binary;
}

/** Checks the languages against `tesseract --list-langs` once at start-up. */
export function checkNativeLanguages(binary: string, languages: string, tessdataDir?: string, orientation = true): void {
  const args = ['--list-langs', ...(tessdataDir ? ['--tessdata-dir', tessdataDir] : [])];
  const out = execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  const have = new Set(out.split('\n').slice(1).map((l) => l.trim()).filter(Boolean));
  const missing = splitLanguages(languages).filter((l) => !have.has(l));
  if (missing.length > 0) {
    throw new Error(`OCR_LANGUAGES=${languages}: native tesseract has no ${missing.join(', ')} (apt-get install ${missing.map((l) => `tesseract-ocr-${l}`).join(' ')}, or set TESSDATA_DIR)`);
  }
  // Every call asks for the `txt` and `tsv` configs, which tesseract reads from <tessdata>/configs:
  // a directory of bare traineddata files would fail every page (no .tsv written), not start-up.
  if (tessdataDir && !existsSync(join(tessdataDir, 'configs', 'tsv'))) {
    throw new Error(`TESSDATA_DIR=${tessdataDir} has no configs/tsv, which OCR_ENGINE=native needs (Debian's tesseract-ocr tessdata has it)`);
  }
  // Without osd, page segmentation mode 1 silently reads a turned page as it lies (garbage).
  if (orientation && !have.has('osd')) {
    throw new Error(`OCR_DETECT_ORIENTATION=true but native tesseract has no osd: apt-get install tesseract-ocr-osd${tessdataDir ? `, or put osd.traineddata in TESSDATA_DIR=${tessdataDir}` : ''}`);
  }
}

/** Mean of the word confidences (level 5 rows with conf >= 0) of a TSV result. */
export function meanTsvConfidence(tsv: string): number | null {
  let sum = 0;
  let n = 0;
  for (const line of tsv.split('\n').slice(1)) {
    const cols = line.split('\t');
    if (cols[0] !== '5' || cols.length < 12) continue;
    const conf = Number(cols[10]);
    if (Number.isFinite(conf) && conf >= 0 && (cols[11] ?? '').trim() !== '') {
      sum += conf;
      n += 1;
    }
  }
  return n === 0 ? null : Math.round((sum / n) * 10) / 10;
}

/**
 * Native tesseract, one process per page, at most `processes` at once, each limited to one
 * thread (OMP_THREAD_LIMIT=1: its default threading was ten times slower on two cores). A process
 * is its own recycling: memory returns to the system when it exits.
 */
export class NativeTesseract implements OcrService {
  readonly engine = 'native' as const;
  readonly languages: string;
  /** Read pages as they lie with the CJK layout model (a CJK language is configured). */
  private readonly cjk: boolean;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly children = new Set<ChildProcess>();
  private closed = false;
  /** Heartbeat component numbers `ocr-<n>` of the process slots not in use. */
  private readonly freeIds: number[];
  /** Start time of the process in each busy slot, for the heartbeat. */
  private readonly busySince = new Map<number, number>();
  private readonly beat: NodeJS.Timeout | undefined;

  constructor(private readonly options: NativeOptions & { binary: string }) {
    this.languages = options.languages;
    this.cjk = hasCjkLanguage(options.languages);
    this.freeIds = Array.from({ length: options.processes }, (_, i) => options.processes - i);
    if (options.heartbeat) {
      this.beat = setInterval(() => this.heartbeatAll(), 2000);
      this.beat.unref();
      this.heartbeatAll();
    }
  }

  /** Every slot beats unless its process has outlived the timeout (then the kill did not work). */
  private heartbeatAll(): void {
    const now = performance.now();
    for (let id = 1; id <= this.options.processes; id += 1) {
      const since = this.busySince.get(id);
      if (since !== undefined && now - since > this.options.timeoutMs + 4000) continue;
      this.options.heartbeat?.(`ocr-${id}`);
    }
  }

  get size(): number {
    return this.options.processes;
  }

  async recognize(image: OcrImage, signal?: AbortSignal): Promise<OcrResult> {
    if (this.closed) throw new DocsiftError('ocr_failed', 'ocr', 'OCR engine is closed');
    await this.acquire(signal);
    const slot = this.freeIds.pop() ?? 0;
    this.busySince.set(slot, performance.now());
    try {
      this.options.heartbeat?.(`ocr-${slot}`);
      return await this.runOnce(image, signal);
    } finally {
      this.busySince.delete(slot);
      this.options.heartbeat?.(`ocr-${slot}`);
      this.freeIds.push(slot);
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortedError(signal, 'ocr'));
    if (this.running < this.options.processes) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        this.running += 1;
        resolve();
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(go);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(abortedError(signal, 'ocr'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  private release(): void {
    this.running -= 1;
    this.waiting.shift()?.();
  }

  private async runOnce(image: OcrImage, signal?: AbortSignal): Promise<OcrResult> {
    const started = performance.now();
    const asItLies = await this.read(image, '3', signal);
    const confident = asItLies.confidence !== null && asItLies.confidence >= ORIENTATION_RETRY_BELOW;
    if (this.options.orientation === false || confident) return { ...asItLies, ms: performance.now() - started };
    const detected = await this.read(image, '1', signal);
    const best = (detected.confidence ?? -1) > (asItLies.confidence ?? -1) ? detected : asItLies;
    return { ...best, ms: performance.now() - started };
  }

  /** One tesseract process over the page in page segmentation mode `psm`. */
  private async read(image: OcrImage, psm: '1' | '3', signal?: AbortSignal): Promise<Omit<OcrResult, 'ms'>> {
    const dir = await mkdtemp(join(this.options.workDir, 'ocr-'));
    try {
      const base = join(dir, 'out');
      const args = ['stdin', base, '-l', this.options.languages, '--oem', '1', '--psm', psm];
      if (psm === '3' && this.cjk) args.push('-c', 'textord_use_cjk_fp_model=1');
      // No inverted-text pass (white on black): 5% less CPU per page at equal recall (`npm run bench:tesseract-options`).
      args.push('-c', 'tessedit_do_invert=0');
      if (this.options.tessdataDir) args.push('--tessdata-dir', this.options.tessdataDir);
      if (image.dpi !== undefined) args.push('--dpi', String(image.dpi));
      args.push('txt', 'tsv');
      await this.spawnTesseract(args, image.data, signal);
      const [text, tsv] = await Promise.all([readFile(`${base}.txt`, 'utf8'), readFile(`${base}.tsv`, 'utf8')]);
      return { text, confidence: meanTsvConfidence(tsv) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private spawnTesseract(args: string[], input: Buffer, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.binary, args, {
        env: nativeOcrEnv(),
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      this.children.add(child);
      let stderr = '';
      let decided: DocsiftError | undefined;
      const kill = (err: DocsiftError) => {
        decided ??= err;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(
        () => kill(new DocsiftError('ocr_timeout', 'ocr', `native OCR took longer than ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
      const onAbort = () => kill(abortedError(signal, 'ocr'));
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stderr?.on('data', (chunk: Buffer) => {
        if (stderr.length < 4000) stderr += chunk.toString('utf8');
      });
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
      const done = (err?: DocsiftError) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.children.delete(child);
        if (err) reject(err);
        else resolve();
      };
      child.on('error', (err) => done(new DocsiftError('ocr_failed', 'ocr', `cannot run tesseract: ${err.message}`, { cause: err })));
      child.on('close', (code, sig) => {
        if (decided) return done(decided);
        if (code === 0) return done();
        done(new DocsiftError('ocr_failed', 'ocr', `tesseract exited with ${code ?? sig}: ${stderr.trim().slice(0, 300)}`));
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.beat) clearInterval(this.beat);
    for (const child of this.children) child.kill('SIGKILL');
  }
}
