import type { Clock } from '../ports/clock.port.js';

/**
 * The real clock: every wait in docsift goes through `Clock.sleep`, so tests swap in a virtual
 * clock or fake timers. An abort resolves the sleep at once (it never rejects): a loop that is
 * told to stop simply wakes up and sees that it is stopping.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};
