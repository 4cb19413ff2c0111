#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
// The V8 heap is sized by Node itself: NODE_OPTIONS=--max-old-space-size-percentage=N takes N% of
// the cgroup memory limit (the chart sets it from heap.percent), so there is nothing to derive here.

function fail(err) {
  process.stderr.write(`docsift: cannot start: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
}

if (process.argv[2] === 'healthcheck') {
  // The liveness probe: a tiny module, no command parser, no SDK.
  import('../dist/cli/healthcheck.js').then((m) => m.main(process.argv.slice(3)), fail);
} else {
  import('../dist/cli/index.js').catch(fail);
}
