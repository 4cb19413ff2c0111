#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import('../dist/cli/index.js').catch((err) => {
  process.stderr.write(`docsift: cannot start: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
