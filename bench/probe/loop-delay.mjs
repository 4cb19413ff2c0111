// Preloaded into a measured child (`node --import <this> bin/docsift.js run`): records the event-loop
// delay of the worker without touching its code, and writes a summary to BENCH_PROBE_FILE on exit.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  process.on('exit', () => {
    histogram.disable();
    const summary = { p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max), meanMs: ms(histogram.mean) };
    try {
      writeFileSync(file, JSON.stringify(summary));
    } catch {
      // a probe must never change how the worker exits
    }
  });
}
