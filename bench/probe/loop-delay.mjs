// Preloaded into a measured child (`node --import <this> bin/docsift.js run`): records the event-loop
// delay of the worker without touching its code, and writes a summary to BENCH_PROBE_FILE on exit.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  // Event-loop utilisation over the busy part of the run: from the first to the last job_done is
  // not visible here, so keep the figure of the whole life and of the busiest 5 s window.
  let last = performance.eventLoopUtilization();
  let busiest = 0;
  const window = setInterval(() => {
    const now = performance.eventLoopUtilization();
    busiest = Math.max(busiest, performance.eventLoopUtilization(now, last).utilization);
    last = now;
  }, 5000);
  window.unref();
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  process.on('exit', () => {
    histogram.disable();
    const summary = {
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
      meanMs: ms(histogram.mean),
      utilisation: Math.round(performance.eventLoopUtilization().utilization * 1000) / 1000,
      busiestUtilisation5s: Math.round(busiest * 1000) / 1000,
    };
    try {
      writeFileSync(file, JSON.stringify(summary));
    } catch {
      // a probe must never change how the worker exits
    }
  });
}
