import { HEARTBEAT_DIR_DEFAULT, HEARTBEAT_MAX_AGE_DEFAULT } from './heartbeat.env.js';
import { int, text } from './setting.js';
import type { Rule } from './rule.js';

/** Liveness, metrics and shutdown: the settings of the runtime around the loop (memory: memory.settings.ts). */
export const runtimeSettings = {
  METRICS_PORT: int(0, 65_535, 9464, { unit: 'port', doc: 'HTTP port of /metrics, /healthz and /readyz; 0 disables the server' }),
  HEARTBEAT_DIR: text(HEARTBEAT_DIR_DEFAULT, { doc: 'Directory of heartbeat files read by `docsift healthcheck`; cleared of old heartbeats at start', defaultText: '$TMPDIR/docsift-heartbeat' }),
  HEARTBEAT_MAX_AGE: int(5, 3600, HEARTBEAT_MAX_AGE_DEFAULT, {
    unit: 's',
    doc: '/healthz and `docsift healthcheck` (default of --max-age) fail when a heartbeat is older; must exceed RECEIVE_WAIT_SECONDS + 10 (the longest receive)',
  }),
  SHUTDOWN_TIMEOUT: int(1, 3600, 60, { unit: 's', doc: 'On SIGTERM, how long in-flight messages may take to finish before the rest are released' }),
  QUEUE_DEPTH_INTERVAL: int(0, 3600, 30, { unit: 's', doc: 'How often GetQueueAttributes is read for docsift_queue_messages (queue and DLQ); 0 disables' }),
  REDRIVE_POLICY_INTERVAL: int(0, 86_400, 300, {
    unit: 's',
    doc: "How often QUEUE_URL's RedrivePolicy is read again (it is always read at start-up); its maxReceiveCount marks a message's last receive; 0: start-up only",
  }),
};

export const runtimeRules: Rule[] = [
  (c) =>
    c.HEARTBEAT_MAX_AGE <= c.RECEIVE_WAIT_SECONDS + 10
      ? [`HEARTBEAT_MAX_AGE=${c.HEARTBEAT_MAX_AGE} must be greater than RECEIVE_WAIT_SECONDS + 10 = ${c.RECEIVE_WAIT_SECONDS + 10} (a long poll may take that long)`]
      : [],
];
