import { readFile } from 'node:fs/promises';
import type { Worker as ThreadWorker } from 'node:worker_threads';
import type Tesseract from 'tesseract.js';
import { gunzipSync } from 'node:zlib';
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

/** Page segmentation: automatic (3), with orientation and script detection first (1) when osd data is at hand. */
export function pageSegMode(options: TesseractPoolOptions): '1' | '3' {
  return options.orientation !== false && options.langSource.osdFile ? '1' : '3';
}

/**
 * Orientation detection runs tesseract's legacy classifier on `osd.traineddata`, which the
 * LSTM-only WASM build leaves out: with OSD the worker loads the full build (recognition stays
 * LSTM_ONLY). tesseract loads `osd` lazily from its data path (the WASM file system's `.`) the first
 * time a page is segmented with OSD, so the file is written there.
 */
async function prepareWorker(worker: TWorker, options: TesseractPoolOptions): Promise<void> {
  const psm = pageSegMode(options);
  if (psm === '1') {
    const data = await readFile(options.langSource.osdFile!);
    const plain = data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data;
    await worker.FS('writeFile', ['osd.traineddata', plain]);
  }
  // OSD reports each page's doubts ("Weak margin", "Too few characters") through tesseract's debug
  // output, which the WASM build writes to the process's stderr: to the null device instead, so the
  // worker's stderr stays JSON logs.
  await worker.setParameters({ tessedit_pageseg_mode: psm as Tesseract.PSM, debug_file: '/dev/null' });
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
      legacyCore: pageSegMode(options) === '1',
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
    const prepared = created.then(async (w) => {
      await prepareWorker(w, options);
      return w;
    });
    const worker = await timeout(Promise.race([prepared, startFailed]), options.startTimeoutMs, () => new Error(`OCR worker did not start within ${options.startTimeoutMs} ms`));
    return { worker, thread: thread ?? (worker as unknown as { worker?: ThreadWorker }).worker };
  } catch (err) {
    void thread?.terminate();
    void created.then((w) => w.terminate()).catch(() => undefined);
    if (err instanceof DocsiftError) throw err;
    throw new DocsiftError('ocr_failed', 'ocr', err instanceof Error ? err.message : String(err), { cause: err });
  }
}
