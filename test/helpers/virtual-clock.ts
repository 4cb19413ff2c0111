import type { Clock } from '../../src/ports/clock.port.js';

/** Time that passes only when someone sleeps: waits are checked exactly and cost nothing. */
export function virtualClock(start = 0): Clock & { slept: number } {
  let now = start;
  const clock = {
    slept: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      clock.slept += ms;
    },
  };
  return clock;
}
