#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { spawn } from 'node:child_process';

const command = process.argv[2];

function fail(err) {
  process.stderr.write(`docsift: cannot start: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
}

/**
 * The V8 heap limit from the container limit (HEAP_LIMIT_FRACTION of it, default 0.4), for the
 * long-running commands, unless NODE_OPTIONS or the node flags already set one. V8 cannot change
 * the heap limit of a running isolate, so the worker is re-executed with the flag; the
 * launcher then only forwards signals and the exit status. Setting
 * NODE_OPTIONS=--max-old-space-size=<MiB> in the pod avoids the extra process.
 */
async function heapFlag() {
  if (command !== 'run' && command !== 'dev') return null;
  if (process.env.DOCSIFT_HEAP_MB) return null; // already re-executed
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (/--max-old-space-size/.test(flags)) return null;
  let limitMb = Number(process.env.MEMORY_LIMIT_MB);
  if (!(limitMb > 0)) {
    const { containerMemoryLimit } = await import('../dist/platform/cgroup.js');
    const bytes = containerMemoryLimit();
    if (bytes === null) return null;
    limitMb = bytes / (1024 * 1024);
  }
  const fraction = Number(process.env.HEAP_LIMIT_FRACTION);
  const mb = Math.max(64, Math.floor(limitMb * (fraction >= 0.1 && fraction <= 0.9 ? fraction : 0.4)));
  return mb;
}

function reexec(mb) {
  // Its own process group: a signal sent to the launcher's group (tini -g, Ctrl-C) reaches the
  // worker once, through the launcher, and is not taken for the "second signal, exit now".
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${mb}`, ...process.argv.slice(1)], {
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, DOCSIFT_HEAP_MB: String(mb) },
  });
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']) process.on(signal, forward);
  child.on('error', fail);
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
}

if (command === 'healthcheck') {
  // The liveness probe: a tiny module, no command parser, no SDK.
  import('../dist/cli/healthcheck.js').then((m) => m.main(process.argv.slice(3)), fail);
} else {
  heapFlag().then((mb) => (mb === null ? import('../dist/cli/index.js') : reexec(mb)), fail);
}
