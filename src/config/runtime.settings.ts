import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { int, text } from './setting.js';
import type { Rule } from './rule.js';

/** Liveness, metrics and shutdown: the settings of the runtime around the loop. */
export const runtimeSettings = {
  METRICS_PORT: int(0, 65_535, 9464, { unit: 'port', doc: 'HTTP port of /metrics, /healthz and /readyz; 0 disables the server' }),
  HEARTBEAT_DIR: text(join(tmpdir(), 'docsift-heartbeat'), { doc: 'Directory of heartbeat files read by `docsift healthcheck`', defaultText: '$TMPDIR/docsift-heartbeat' }),
  SHUTDOWN_TIMEOUT: int(1, 3600, 60, { unit: 's', doc: 'On SIGTERM, how long in-flight messages may take to finish before the rest are released' }),
};

export const runtimeRules: Rule[] = [];
