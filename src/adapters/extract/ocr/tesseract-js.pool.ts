import type { Worker as ThreadWorker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type Tesseract from 'tesseract.js';
import { DocsiftError } from '../../../domain/errors.js';
import type { Logger } from '../../../observability/logger.js';
import { abortedError } from '../signal.js';
import type { OcrImage, OcrResult, OcrService } from './ocr.types.js';
import { guardMessageListeners, loadTesseract, takeSpawnedThread } from './tesseract-js.loader.js';
import type { LangSource } from './tessdata.js';

export type RecycleReason = 'jobs' | 'memory' | 'timeout' | 'error' | 'large_input' | 'exited' | 'aborted';

export interface TesseractPoolOptions {
  languages: string;
  langSource: LangSource;
  workers: number;
  /** Replace a worker after this many jobs. */
  recycleJobs: number;
  /** Replace a worker when (RSS - baseline) / live workers passes this many MiB. */
  workerMaxMb: number;
  timeoutMs: number;
  startTimeoutMs: number;
  /** Replace a worker right after an input with more pixels than this (its heap keeps the peak). */
  largeInputPixels: number;
  logger: Logger;
  onRecycle?: (reason: RecycleReason) => void;
  heartbeat?: (component: string) => void;
  heartbeatMs?: number;
  /**
   * Memory the pool's threads hold, in MiB. Threads share the process, so the default estimates it
   * as RSS above the RSS the process had before the pool's first worker started.
   */
  poolMemoryMb?: () => number;
}

type TWorker = Tesseract.Worker;

interface Job {
  image: OcrImage;
  signal: AbortSignal | undefined;
  resolve: (result: OcrResult) => void;
  reject: (err: unknown) => void;
  detach: () => void;
}

interface Slot {
  id: number;
  worker?: TWorker;
  thread?: ThreadWorker;
  starting?: Promise<TWorker>;
  /** Bumped on every retirement, so late events from an old thread are ignored. */
  generation: number;
  jobs: number;
  dpi?: number;
  busy: boolean;
  /** When the current job reached the worker (performance.now()), for the heartbeat. */
  jobStarted?: number;
  failCurrent?: (err: DocsiftError) => void;
}

const MiB = 1024 * 1024;

function timeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A fixed number of tesseract.js workers, each on its own worker thread, fed from one queue.
 * A worker is replaced after `recycleJobs` jobs, after a large input, when the pool's memory per
 * worker passes its cap, after any error, and when a job runs past its timeout (the thread is
 * terminated: WASM cannot be interrupted any other way). Replacements start in the background, so
 * no job waits on a dead worker; a worker that fails to start within its timeout is terminated.
 */
export class TesseractPool implements OcrService {
  readonly engine = 'tesseract.js' as const;
  readonly languages: string;
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  /** RSS before the pool's first worker started: the default memory estimate counts from here. */
  private baselineRss = process.memoryUsage.rss();
  private everStarted = false;
  private readonly beat: NodeJS.Timeout | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: TesseractPoolOptions) {
    this.languages = options.languages;
    this.slots = Array.from({ length: options.workers }, (_, i) => ({ id: i + 1, generation: 0, jobs: 0, busy: false }));
    loadTesseract();
    if (options.heartbeat) {
      this.beat = setInterval(() => this.heartbeatAll(), options.heartbeatMs ?? 2000);
      this.beat.unref();
      this.heartbeatAll();
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Starts every worker now instead of on first use (benchmarks, warm pods). */
  async warmUp(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.ensureWorker(slot)));
  }

  recognize(image: OcrImage, signal?: AbortSignal): Promise<OcrResult> {
    if (this.closed) return Promise.reject(new DocsiftError('ocr_failed', 'ocr', 'OCR pool is closed'));
    if (signal?.aborted) return Promise.reject(abortedError(signal, 'ocr'));
    return new Promise<OcrResult>((resolve, reject) => {
      const job: Job = { image, signal, resolve, reject, detach: () => undefined };
      if (signal) {
        const onAbort = () => {
          const at = this.queue.indexOf(job);
          if (at >= 0) {
            this.queue.splice(at, 1);
            reject(abortedError(signal, 'ocr'));
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
        job.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const idle = this.slots.filter((s) => !s.busy);
      if (idle.length === 0) return;
      const slot = idle.find((s) => s.worker) ?? idle[0]!;
      const job = this.queue.shift()!;
      job.detach();
      slot.busy = true;
      void this.run(slot, job).finally(() => {
        slot.busy = false;
        slot.jobStarted = undefined;
        slot.failCurrent = undefined;
        this.dispatch();
      });
    }
  }

  private async run(slot: Slot, job: Job): Promise<void> {
    const { signal } = job;
    this.options.heartbeat?.(`ocr-${slot.id}`);
    let worker: TWorker;
    let stopWaiting: () => void = () => undefined;
    try {
      // A job waiting for its worker to start still honours its abort.
      const aborted = new Promise<never>((_, reject) => {
        const onAbort = () => reject(abortedError(signal, 'ocr'));
        signal?.addEventListener('abort', onAbort, { once: true });
        stopWaiting = () => signal?.removeEventListener('abort', onAbort);
      });
      aborted.catch(() => undefined);
      worker = await Promise.race([this.ensureWorker(slot), aborted]);
    } catch (err) {
      job.reject(err);
      return;
    } finally {
      stopWaiting();
    }
    if (signal?.aborted) {
      job.reject(abortedError(signal, 'ocr'));
      return;
    }
    const generation = slot.generation;
    const started = performance.now();
    slot.jobStarted = started;
    let settled = false;
    let markDone: () => void = () => undefined;
    const decided = new Promise<void>((resolve) => {
      markDone = resolve;
    });
    const finish = (fn: () => void): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
      markDone();
      return true;
    };
    const fail = (err: DocsiftError, reason: RecycleReason) => {
      if (finish(() => job.reject(err))) this.retire(slot, generation, reason);
    };
    const timer = setTimeout(
      () => fail(new DocsiftError('ocr_timeout', 'ocr', `OCR of one ${job.image.width}x${job.image.height} image took longer than ${this.options.timeoutMs} ms`), 'timeout'),
      this.options.timeoutMs,
    );
    const onAbort = () => fail(abortedError(signal, 'ocr'), 'aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    slot.failCurrent = (err) => fail(err, 'exited');

    const attempt = async () => {
      if (job.image.dpi !== undefined && job.image.dpi !== slot.dpi) {
        await worker.setParameters({ user_defined_dpi: String(job.image.dpi) });
        slot.dpi = job.image.dpi;
      }
      return worker.recognize(job.image.data);
    };
    // A terminated or dead worker never settles its job: the timer, the abort or the thread's exit
    // decides it instead, and the slot moves on to a fresh worker.
    attempt().then(
      (result) => {
        const ms = performance.now() - started;
        const resolved = finish(() => job.resolve({ text: result.data.text ?? '', confidence: numberOrNull(result.data.confidence), ms }));
        if (resolved) this.afterJob(slot, generation, job.image);
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        fail(new DocsiftError('ocr_failed', 'ocr', `OCR failed: ${message}`, { cause: err }), 'error');
      },
    );
    await decided;
  }

  private afterJob(slot: Slot, generation: number, image: OcrImage): void {
    if (slot.generation !== generation) return;
    slot.jobs += 1;
    this.options.heartbeat?.(`ocr-${slot.id}`);
    if (slot.jobs >= this.options.recycleJobs) return this.retire(slot, generation, 'jobs');
    if (image.width * image.height > this.options.largeInputPixels) return this.retire(slot, generation, 'large_input');
    const live = this.slots.filter((s) => s.worker).length || 1;
    const poolMb = this.options.poolMemoryMb ? this.options.poolMemoryMb() : (process.memoryUsage.rss() - this.baselineRss) / MiB;
    if (poolMb / live > this.options.workerMaxMb) this.retire(slot, generation, 'memory');
  }

  private ensureWorker(slot: Slot): Promise<TWorker> {
    if (slot.worker) return Promise.resolve(slot.worker);
    if (!this.everStarted) {
      this.everStarted = true;
      this.baselineRss = process.memoryUsage.rss();
    }
    slot.starting ??= this.spawn(slot).finally(() => {
      slot.starting = undefined;
    });
    return slot.starting;
  }

  private async spawn(slot: Slot): Promise<TWorker> {
    const { createWorker, OEM } = loadTesseract();
    const generation = slot.generation;
    let rejectStart: (err: Error) => void = () => undefined;
    const startFailed = new Promise<never>((_, reject) => {
      rejectStart = reject;
    });
    startFailed.catch(() => undefined);
    const created = createWorker(this.options.languages, OEM.LSTM_ONLY, {
      langPath: this.options.langSource.langPath,
      gzip: this.options.langSource.gzip,
      cacheMethod: 'none',
      // Without a handler a failed load is thrown uncaught and kills the process.
      errorHandler: (err: unknown) => rejectStart(new Error(`OCR worker error: ${String(err)}`)),
    });
    const thread = takeSpawnedThread();
    if (thread) {
      guardMessageListeners(thread, (err) =>
        this.options.logger.warn({ event: 'worker_recycled', component: `ocr-${slot.id}`, err: String(err) }, 'stray message from an OCR worker ignored'),
      );
    }
    thread?.on('error', (err) => this.threadDied(slot, generation, `thread error: ${err.message}`));
    thread?.on('exit', (code) => {
      rejectStart(new Error(`OCR worker thread exited with code ${code} while starting`));
      this.threadDied(slot, generation, `thread exited with code ${code}`);
    });
    try {
      const worker = await timeout(Promise.race([created, startFailed]), this.options.startTimeoutMs, () => new Error(`OCR worker did not start within ${this.options.startTimeoutMs} ms`));
      if (this.closed || slot.generation !== generation) {
        await worker.terminate().catch(() => undefined);
        throw new DocsiftError('ocr_failed', 'ocr', 'OCR pool closed while a worker was starting');
      }
      slot.worker = worker;
      slot.thread = thread ?? (worker as unknown as { worker?: ThreadWorker }).worker;
      slot.jobs = 0;
      slot.dpi = undefined;
      return worker;
    } catch (err) {
      slot.generation += 1;
      void thread?.terminate();
      void created.then((w) => w.terminate()).catch(() => undefined);
      this.options.logger.error({ event: 'worker_recycled', component: `ocr-${slot.id}`, err: String(err) }, 'OCR worker failed to start');
      if (err instanceof DocsiftError) throw err;
      throw new DocsiftError('ocr_failed', 'ocr', err instanceof Error ? err.message : String(err), { cause: err });
    }
  }

  private threadDied(slot: Slot, generation: number, why: string): void {
    if (slot.generation !== generation || this.closed) return;
    const failCurrent = slot.failCurrent;
    if (failCurrent) failCurrent(new DocsiftError('ocr_failed', 'ocr', `OCR worker died: ${why}`));
    else this.retire(slot, generation, 'exited');
  }

  /** Terminates the slot's worker and starts its replacement in the background. */
  private retire(slot: Slot, generation: number, reason: RecycleReason): void {
    if (slot.generation !== generation) return;
    slot.generation += 1;
    const { worker, thread, jobs } = slot;
    slot.worker = undefined;
    slot.thread = undefined;
    slot.jobs = 0;
    slot.dpi = undefined;
    this.options.onRecycle?.(reason);
    this.options.logger.info({ event: 'worker_recycled', component: `ocr-${slot.id}`, reason, jobs }, 'OCR worker replaced');
    void (thread ? thread.terminate() : worker?.terminate())?.catch(() => undefined);
    if (!this.closed) {
      this.ensureWorker(slot).catch(() => undefined);
    }
  }

  /**
   * Every slot beats while it is idle (its worker starts on demand) or working within its timeout.
   * A slot whose job has outlived the timeout by more than a beat is stuck (the timer that should
   * have replaced its worker did not run): it stops beating and its heartbeat file goes stale.
   */
  private heartbeatAll(): void {
    const now = performance.now();
    const stuckAfter = this.options.timeoutMs + 2 * (this.options.heartbeatMs ?? 2000);
    for (const slot of this.slots) {
      if (slot.jobStarted !== undefined && now - slot.jobStarted > stuckAfter) continue;
      this.options.heartbeat?.(`ocr-${slot.id}`);
    }
  }

  /** Rejects queued jobs and terminates every thread, waiting (bounded) for them to exit. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    if (this.beat) clearInterval(this.beat);
    for (const job of this.queue.splice(0)) {
      job.detach();
      job.reject(new DocsiftError('ocr_failed', 'ocr', 'OCR pool closed'));
    }
    const exits: Promise<unknown>[] = [];
    for (const slot of this.slots) {
      slot.failCurrent?.(new DocsiftError('ocr_failed', 'ocr', 'OCR pool closed'));
      const starting = slot.starting;
      if (starting) exits.push(starting.then((w) => w.terminate(), () => undefined));
      slot.generation += 1;
      const { thread, worker } = slot;
      slot.worker = undefined;
      slot.thread = undefined;
      if (thread) exits.push(thread.terminate().catch(() => undefined));
      else if (worker) exits.push(worker.terminate().catch(() => undefined));
    }
    await timeout(Promise.allSettled(exits), 5000, () => new Error('OCR threads did not exit')).catch(() => undefined);
    this.options.langSource.dispose();
  }
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
