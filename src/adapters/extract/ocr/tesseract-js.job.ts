import { performance } from 'node:perf_hooks';
import { DocsiftError } from '../../../domain/errors.js';
import { abortedError } from '../signal.js';
import { numberOrNull, type Job, type RecycleReason, type Slot, type TesseractPoolOptions, type TWorker } from './tesseract-js.types.js';

/** What a job needs of its pool. */
export interface JobHost {
  readonly options: TesseractPoolOptions;
  ensureWorker(slot: Slot): Promise<TWorker>;
  retire(slot: Slot, generation: number, reason: RecycleReason): void;
  afterJob(slot: Slot, generation: number, job: Job): void;
}

/** The slot's worker, started if need be; null (the job already rejected) when the job was aborted meanwhile. */
async function workerFor(host: JobHost, slot: Slot, job: Job): Promise<TWorker | null> {
  const { signal } = job;
  let stopWaiting: () => void = () => undefined;
  try {
    // A job waiting for its worker to start still honours its abort.
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(abortedError(signal, 'ocr'));
      signal?.addEventListener('abort', onAbort, { once: true });
      stopWaiting = () => signal?.removeEventListener('abort', onAbort);
    });
    aborted.catch(() => undefined);
    const worker = await Promise.race([host.ensureWorker(slot), aborted]);
    if (signal?.aborted) {
      job.reject(abortedError(signal, 'ocr'));
      return null;
    }
    return worker;
  } catch (err) {
    job.reject(err);
    return null;
  } finally {
    stopWaiting();
  }
}

/**
 * Recognises one job on the slot's worker. A terminated or dead worker never settles its job: the
 * timer, the abort or the thread's exit decides it instead, and the slot moves on to a fresh worker.
 */
async function execute(host: JobHost, slot: Slot, job: Job, worker: TWorker): Promise<void> {
  const { signal } = job;
  const generation = slot.generation;
  const started = performance.now();
  slot.jobStarted = started;
  let settled = false;
  let markDone: () => void = () => undefined;
  const decided = new Promise<void>((resolve) => (markDone = resolve));
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
    if (finish(() => job.reject(err))) host.retire(slot, generation, reason);
  };
  const timer = setTimeout(
    () => fail(new DocsiftError('ocr_timeout', 'ocr', `OCR of one ${job.image.width}x${job.image.height} image took longer than ${host.options.timeoutMs} ms`), 'timeout'),
    host.options.timeoutMs,
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
  attempt().then(
    (result) => {
      const ms = performance.now() - started;
      if (finish(() => job.resolve({ text: result.data.text ?? '', confidence: numberOrNull(result.data.confidence), ms }))) host.afterJob(slot, generation, job);
    },
    (err: unknown) => fail(new DocsiftError('ocr_failed', 'ocr', `OCR failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err }), 'error'),
  );
  await decided;
}

/** Runs one job on a slot: its worker (started if need be), a timeout, its abort. */
export async function runJob(host: JobHost, slot: Slot, job: Job): Promise<void> {
  host.options.heartbeat?.(`ocr-${slot.id}`);
  const worker = await workerFor(host, slot, job);
  if (worker) await execute(host, slot, job, worker);
}
