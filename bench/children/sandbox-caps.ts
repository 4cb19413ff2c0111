/**
 * One limit case of bench/sandbox-options.ts in its own process: a V8 heap runaway, a native
 * memory runaway or a native crash inside a worker thread or a child process. Prints one JSON line;
 * if this process dies with its thread, the driver records that instead.
 */
import { rssKiB } from '../measure/proc.js';
import { CAP, Host } from '../sandbox-options.js';

const { kind, test } = JSON.parse(process.argv[2]!) as { kind: 'thread' | 'child'; test: 'heap' | 'native' | 'crash' };
const host = new Host(kind);
await host.ready;
let peakMb = 0;
let watchdogKilled = false;
const watchdog = setInterval(() => {
  const kib = kind === 'thread' ? process.memoryUsage.rss() / 1024 : (rssKiB(host.child!.pid!) ?? 0);
  peakMb = Math.max(peakMb, Math.round(kib / 1024));
  // A child can be killed from outside at its cap; a thread shares this process, and terminate()
  // cannot interrupt native code, so there is nothing to kill but everything.
  if (kind === 'child' && kib / 1024 > CAP.memoryMb && !watchdogKilled) {
    watchdogKilled = true;
    host.child!.kill('SIGKILL');
  }
}, 50);
const started = performance.now();
const message = test === 'heap' ? { kind: 'heap' } : test === 'native' ? { kind: 'native', mb: 1024 } : { kind: 'crash' };
const outcome = await Promise.race([host.request(message).then((r) => ({ outcome: 'completed', reply: r })), host.exited.then((exit) => ({ outcome: 'sandbox exited', exit }))]);
clearInterval(watchdog);
console.log(JSON.stringify({ ...outcome, watchdogKilled, peakRssMb: peakMb, ms: Math.round(performance.now() - started) }));
await host.close().catch(() => undefined);
process.exit(0);
