import { DocsiftError } from '../../../domain/errors.js';
import { abortedError } from '../signal.js';
import type { OcrImage, OcrResult, OcrService } from './ocr.types.js';
import { loadTesseract } from './tesseract-js.loader.js';
import { runJob, type JobHost } from './tesseract-js.job.js';
import { startTesseractWorker } from './tesseract-js.start.js';
import { timeout, type Job, type RecycleReason, type Slot, type TesseractPoolOptions, type TWorker } from './tesseract-js.types.js';

export type { RecycleReason, TesseractPoolOptions } from './tesseract-js.types.js';

const MiB = 1024 * 1024;

/**
 * A fixed number of tesseract.js workers, each on its own worker thread, fed from one queue.
 * A worker is replaced after `recycleJobs` jobs, after a large input, when the pool's memory per
 * worker passes its cap, after any error, and when a job runs past its timeout (the thread is
 * terminated: WASM cannot be interrupted any other way). Replacements start in the background, so
 * no job waits on a dead worker; a worker that fails to start within its timeout is terminated.
 */
export class TesseractPool implements OcrService, JobHost {
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

  constructor(readonly options: TesseractPoolOptions) {
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
      void runJob(this, slot, job).finally(() => {
        slot.busy = false;
        slot.jobStarted = undefined;
        slot.failCurrent = undefined;
        this.dispatch();
      });
    }
  }

  afterJob(slot: Slot, generation: number, job: Job): void {
    const image = job.image;
    if (slot.generation !== generation) return;
    slot.jobs += 1;
    this.options.heartbeat?.(`ocr-${slot.id}`);
    if (slot.jobs >= this.options.recycleJobs) return this.retire(slot, generation, 'jobs');
    if (image.width * image.height > this.options.largeInputPixels) return this.retire(slot, generation, 'large_input');
    const live = this.slots.filter((s) => s.worker).length || 1;
    const poolMb = this.options.poolMemoryMb ? this.options.poolMemoryMb() : (process.memoryUsage.rss() - this.baselineRss) / MiB;
    if (poolMb / live > this.options.workerMaxMb) this.retire(slot, generation, 'memory');
  }

  ensureWorker(slot: Slot): Promise<TWorker> {
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
    const generation = slot.generation;
    const component = `ocr-${slot.id}`;
    try {
      const { worker, thread } = await startTesseractWorker(this.options, {
        onThreadDied: (why) => this.threadDied(slot, generation, why),
        onStray: (err) => this.options.logger.warn({ event: 'worker_recycled', component, err: String(err) }, 'stray message from an OCR worker ignored'),
      });
      if (this.closed || slot.generation !== generation) {
        void (thread ? thread.terminate() : worker.terminate()).catch(() => undefined);
        throw new DocsiftError('ocr_failed', 'ocr', 'OCR pool closed while a worker was starting');
      }
      slot.worker = worker;
      slot.thread = thread;
      slot.jobs = 0;
      slot.dpi = undefined;
      return worker;
    } catch (err) {
      slot.generation += 1;
      this.options.logger.error({ event: 'worker_recycled', component, err: String(err) }, 'OCR worker failed to start');
      throw err;
    }
  }

  private threadDied(slot: Slot, generation: number, why: string): void {
    if (slot.generation !== generation || this.closed) return;
    const failCurrent = slot.failCurrent;
    if (failCurrent) failCurrent(new DocsiftError('ocr_failed', 'ocr', `OCR worker died: ${why}`));
    else this.retire(slot, generation, 'exited');
  }

  /** Terminates the slot's worker and starts its replacement in the background. */
  retire(slot: Slot, generation: number, reason: RecycleReason): void {
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

