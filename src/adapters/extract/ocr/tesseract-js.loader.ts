import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker as ThreadWorker } from 'node:worker_threads';
import type Tesseract from 'tesseract.js';

const require = createRequire(import.meta.url);

type TesseractModule = typeof Tesseract;

let loaded: TesseractModule | undefined;
let lastSpawned: ThreadWorker | undefined;
const remember = (thread: ThreadWorker): void => {
  lastSpawned = thread;
};

/**
 * Loads tesseract.js so that the worker thread behind each tesseract.js worker can be seen.
 *
 * tesseract.js hides its `worker_threads.Worker` until `createWorker` resolves, and never listens
 * to its `error` or `exit` events: a thread that dies mid-job leaves the job pending forever, an
 * `error` event with no listener crashes the process, and a start-up that hangs (a documented
 * tesseract.js behaviour when an errorHandler is set) leaks a thread nobody can terminate.
 * tesseract.js's node spawner reads `require('worker_threads').Worker` once, when its module
 * loads; for that one load we put a subclass there that remembers each thread it creates, then
 * restore the original. `createWorker` spawns synchronously before its first await, so the
 * thread read right after the call is that worker's own.
 */
export function loadTesseract(): TesseractModule {
  if (loaded) return loaded;
  const threads = require('node:worker_threads') as typeof WorkerThreads;
  const Original = threads.Worker;
  class TrackedWorker extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      super(...args);
      remember(this);
    }
  }
  threads.Worker = TrackedWorker;
  try {
    loaded = require('tesseract.js') as TesseractModule;
  } finally {
    threads.Worker = Original;
  }
  return loaded;
}

/** The thread spawned by the last synchronous `createWorker` call, if the hook saw it. */
export function takeSpawnedThread(): ThreadWorker | undefined {
  const thread = lastSpawned;
  lastSpawned = undefined;
  return thread;
}

/**
 * tesseract.js's message handler throws when a message arrives for a job it has already settled:
 * its worker script answers a failed `initialize` with a reject and then a resolve for the same job
 * (bad or truncated language data does it). A throw inside an event listener is an uncaught
 * exception that would kill the process, so each `message` listener is wrapped to report instead.
 */
export function guardMessageListeners(thread: ThreadWorker, onError: (err: unknown) => void): void {
  for (const listener of thread.listeners('message') as Array<(...args: unknown[]) => void>) {
    thread.off('message', listener);
    thread.on('message', (...args: unknown[]) => {
      try {
        listener(...args);
      } catch (err) {
        onError(err);
      }
    });
  }
}
