import type { Worker as ThreadWorker } from 'node:worker_threads';
import { DocsiftError } from '../../../domain/errors.js';
import { guardMessageListeners, loadTesseract, takeSpawnedThread } from './tesseract-js.loader.js';
import { timeout, type TesseractPoolOptions, type TWorker } from './tesseract-js.types.js';

/**
 * Parameters only initialisation can set. jpn.traineddata asks for a sub-language
 * (`tessedit_load_sublangs jpn_vert`); the WASM build looks it up under an empty name, fails and
 * prints "Failed loading language ''" to stderr for every worker started with jpn first. jpn stays
 * first (its CJK segmentation parameters apply to the primary language only), and the sub-language
 * load is switched off: it never loaded here, so recognition is unchanged, only the noise goes.
 */
/** A tesseract config file's text (what tesseract.js makes of an object too): the parameter, empty. */
export const INIT_CONFIG = 'tessedit_load_sublangs ';

export interface StartHooks {
  /** The worker's thread died (error or exit) after it was created. */
  onThreadDied: (why: string) => void;
  /** A stray message from a worker thread was ignored. */
  onStray: (err: unknown) => void;
}

/**
 * Starts one tesseract.js worker and the thread behind it, within the start timeout. Without an
 * errorHandler a failed language load is thrown uncaught; with one, createWorker can hang: both are
 * turned into a rejection here, and on any failure the thread and the half-made worker are
 * terminated.
 */
export async function startTesseractWorker(options: TesseractPoolOptions, hooks: StartHooks): Promise<{ worker: TWorker; thread: ThreadWorker | undefined }> {
  const { createWorker, OEM } = loadTesseract();
  let rejectStart: (err: Error) => void = () => undefined;
  const startFailed = new Promise<never>((_, reject) => (rejectStart = reject));
  startFailed.catch(() => undefined);
  const created = createWorker(
    options.languages,
    OEM.LSTM_ONLY,
    {
      langPath: options.langSource.langPath,
      gzip: options.langSource.gzip,
      cacheMethod: 'none',
      errorHandler: (err: unknown) => rejectStart(new Error(`OCR worker error: ${String(err)}`)),
    },
    INIT_CONFIG,
  );
  const thread = takeSpawnedThread();
  if (thread) guardMessageListeners(thread, hooks.onStray);
  thread?.on('error', (err) => hooks.onThreadDied(`thread error: ${err.message}`));
  thread?.on('exit', (code) => {
    rejectStart(new Error(`OCR worker thread exited with code ${code} while starting`));
    hooks.onThreadDied(`thread exited with code ${code}`);
  });
  try {
    const worker = await timeout(Promise.race([created, startFailed]), options.startTimeoutMs, () => new Error(`OCR worker did not start within ${options.startTimeoutMs} ms`));
    return { worker, thread: thread ?? (worker as unknown as { worker?: ThreadWorker }).worker };
  } catch (err) {
    void thread?.terminate();
    void created.then((w) => w.terminate()).catch(() => undefined);
    if (err instanceof DocsiftError) throw err;
    throw new DocsiftError('ocr_failed', 'ocr', err instanceof Error ? err.message : String(err), { cause: err });
  }
}
