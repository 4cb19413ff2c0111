import type { Worker as ThreadWorker } from 'node:worker_threads';
import type Tesseract from 'tesseract.js';
import type { DocsiftError } from '../../../domain/errors.js';
import type { Logger } from '../../../observability/logger.js';
import type { OcrImage, OcrResult } from './ocr.types.js';
import type { LangSource } from './tessdata.js';

/** The tesseract.js pool's shapes, shared by the pool, its job runner and its worker start-up. */
export type RecycleReason = 'jobs' | 'memory' | 'timeout' | 'error' | 'large_input' | 'exited' | 'aborted';

export interface TesseractPoolOptions {
  languages: string;
  langSource: LangSource;
  workers: number;
  /**
   * Detect each page's orientation and read it upright (page segmentation mode 1, auto with OSD)
   * when the language source has osd data; else mode 3 (auto). Either way never the library's
   * default single block, which reads straight across columns.
   * @defaultValue true
   */
  orientation?: boolean;
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

export type TWorker = Tesseract.Worker;

export interface Job {
  image: OcrImage;
  signal: AbortSignal | undefined;
  resolve: (result: OcrResult) => void;
  reject: (err: unknown) => void;
  detach: () => void;
}

export interface Slot {
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

export function timeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
