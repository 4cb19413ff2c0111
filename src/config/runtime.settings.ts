import { containerMemoryLimit, MiB, type FileReader } from '../platform/cgroup.js';
import { HEARTBEAT_DIR_DEFAULT, HEARTBEAT_MAX_AGE_DEFAULT } from './heartbeat.env.js';
import { int, num, text } from './setting.js';
import type { Rule } from './rule.js';

/** Fractions of the container limit the memory defaults are derived from (documented in each setting). */
export const MEMORY_DEFAULTS = { soft: 0.7, hard: 0.85, hysteresis: 0.1, heap: 0.4 } as const;

/** Liveness, metrics, memory guard and shutdown: the settings of the runtime around the loop. */
export const runtimeSettings = {
  METRICS_PORT: int(0, 65_535, 9464, { unit: 'port', doc: 'HTTP port of /metrics, /healthz and /readyz; 0 disables the server' }),
  HEARTBEAT_DIR: text(HEARTBEAT_DIR_DEFAULT, { doc: 'Directory of heartbeat files read by `docsift healthcheck`; cleared of old heartbeats at start', defaultText: '$TMPDIR/docsift-heartbeat' }),
  HEARTBEAT_MAX_AGE: int(5, 3600, HEARTBEAT_MAX_AGE_DEFAULT, {
    unit: 's',
    doc: '/healthz and `docsift healthcheck` (default of --max-age) fail when a heartbeat is older; must exceed RECEIVE_WAIT_SECONDS + 10 (the longest receive)',
  }),
  SHUTDOWN_TIMEOUT: int(1, 3600, 60, { unit: 's', doc: 'On SIGTERM, how long in-flight messages may take to finish before the rest are released' }),
  QUEUE_DEPTH_INTERVAL: int(0, 3600, 30, { unit: 's', doc: 'How often GetQueueAttributes is read for docsift_queue_messages (queue and DLQ); 0 disables' }),
  MEMORY_LIMIT_MB: int(16, 1_048_576, undefined, {
    unit: 'MiB',
    doc: 'Memory limit of the container; the memory defaults below are fractions of it',
    defaultText: 'the cgroup limit (v2 memory.max, v1 memory.limit_in_bytes); unset when there is none',
  }),
  MEMORY_SOFT_LIMIT_MB: int(1, 1_048_576, undefined, {
    unit: 'MiB',
    doc: 'RSS at which intake pauses (no new receives; in-flight work continues) until RSS is MEMORY_HYSTERESIS_MB below it',
    defaultText: `${MEMORY_DEFAULTS.soft * 100}% of MEMORY_LIMIT_MB; unset (never pause) without a limit`,
  }),
  MEMORY_HARD_LIMIT_MB: int(1, 1_048_576, undefined, {
    unit: 'MiB',
    doc: 'RSS at which the worker stops receiving, finishes in-flight work, flushes and exits 0, so the container restarts clean before the OOM killer strikes',
    defaultText: `${MEMORY_DEFAULTS.hard * 100}% of MEMORY_LIMIT_MB; unset (never drain) without a limit`,
  }),
  MEMORY_HYSTERESIS_MB: int(0, 1_048_576, undefined, {
    unit: 'MiB',
    doc: 'Intake resumes once RSS is this far below MEMORY_SOFT_LIMIT_MB',
    defaultText: `${MEMORY_DEFAULTS.hysteresis * 100}% of MEMORY_SOFT_LIMIT_MB`,
  }),
  MEMORY_CHECK_INTERVAL_MS: int(50, 60_000, 1000, { unit: 'ms', doc: 'How often the memory guard reads RSS' }),
  HEAP_LIMIT_FRACTION: num(0.1, 0.9, MEMORY_DEFAULTS.heap, {
    unit: 'fraction',
    doc: 'V8 old-space limit as a fraction of MEMORY_LIMIT_MB; bin/docsift.js starts the worker with --max-old-space-size from it unless NODE_OPTIONS already sets one',
  }),
};

/** What the runtime defaults are computed from; tests pass a fake cgroup reader. */
export interface SystemFacts {
  readFile?: FileReader;
  cgroupRoot?: string;
}

interface MemorySettings {
  MEMORY_LIMIT_MB?: number | undefined;
  MEMORY_SOFT_LIMIT_MB?: number | undefined;
  MEMORY_HARD_LIMIT_MB?: number | undefined;
  MEMORY_HYSTERESIS_MB?: number | undefined;
}

/**
 * Fills the memory settings left unset from the container limit, read from the cgroup when
 * MEMORY_LIMIT_MB is not given. Without any limit the guard stays off unless its limits are set.
 */
export function resolveMemoryDefaults<T extends MemorySettings>(raw: T, system: SystemFacts = {}): T {
  const bytes = raw.MEMORY_LIMIT_MB === undefined ? containerMemoryLimit(system.readFile, system.cgroupRoot) : null;
  const limit = raw.MEMORY_LIMIT_MB ?? (bytes === null ? undefined : Math.floor(bytes / MiB));
  const soft = raw.MEMORY_SOFT_LIMIT_MB ?? (limit === undefined ? undefined : Math.floor(limit * MEMORY_DEFAULTS.soft));
  const hard = raw.MEMORY_HARD_LIMIT_MB ?? (limit === undefined ? undefined : Math.floor(limit * MEMORY_DEFAULTS.hard));
  const hysteresis = raw.MEMORY_HYSTERESIS_MB ?? (soft === undefined ? undefined : Math.floor(soft * MEMORY_DEFAULTS.hysteresis));
  return { ...raw, MEMORY_LIMIT_MB: limit, MEMORY_SOFT_LIMIT_MB: soft, MEMORY_HARD_LIMIT_MB: hard, MEMORY_HYSTERESIS_MB: hysteresis };
}

/** The V8 heap limit bin/docsift.js derives: HEAP_LIMIT_FRACTION of the container limit, MiB. */
export function heapLimitMb(limitMb: number, fraction: number): number {
  return Math.max(64, Math.floor(limitMb * fraction));
}

export const runtimeRules: Rule[] = [
  (c) =>
    c.MEMORY_SOFT_LIMIT_MB !== undefined && c.MEMORY_HARD_LIMIT_MB !== undefined && c.MEMORY_SOFT_LIMIT_MB >= c.MEMORY_HARD_LIMIT_MB
      ? [`MEMORY_SOFT_LIMIT_MB=${c.MEMORY_SOFT_LIMIT_MB} must be less than MEMORY_HARD_LIMIT_MB=${c.MEMORY_HARD_LIMIT_MB} (the soft limit pauses intake before the hard limit drains)`]
      : [],
  (c) =>
    c.MEMORY_HARD_LIMIT_MB !== undefined && c.MEMORY_LIMIT_MB !== undefined && c.MEMORY_HARD_LIMIT_MB >= c.MEMORY_LIMIT_MB
      ? [`MEMORY_HARD_LIMIT_MB=${c.MEMORY_HARD_LIMIT_MB} must be less than the container memory limit MEMORY_LIMIT_MB=${c.MEMORY_LIMIT_MB} (or the OOM killer strikes before the drain)`]
      : [],
  (c) =>
    c.MEMORY_SOFT_LIMIT_MB !== undefined && c.MEMORY_LIMIT_MB !== undefined && c.MEMORY_HARD_LIMIT_MB === undefined && c.MEMORY_SOFT_LIMIT_MB >= c.MEMORY_LIMIT_MB
      ? [`MEMORY_SOFT_LIMIT_MB=${c.MEMORY_SOFT_LIMIT_MB} must be less than the container memory limit MEMORY_LIMIT_MB=${c.MEMORY_LIMIT_MB}`]
      : [],
  (c) =>
    c.MEMORY_SOFT_LIMIT_MB !== undefined && c.MEMORY_HYSTERESIS_MB !== undefined && c.MEMORY_HYSTERESIS_MB >= c.MEMORY_SOFT_LIMIT_MB
      ? [`MEMORY_HYSTERESIS_MB=${c.MEMORY_HYSTERESIS_MB} must be less than MEMORY_SOFT_LIMIT_MB=${c.MEMORY_SOFT_LIMIT_MB}`]
      : [],
  (c) => {
    if (c.MEMORY_LIMIT_MB === undefined || c.MEMORY_HARD_LIMIT_MB === undefined) return [];
    const heap = heapLimitMb(c.MEMORY_LIMIT_MB, c.HEAP_LIMIT_FRACTION);
    return heap >= c.MEMORY_HARD_LIMIT_MB
      ? [`HEAP_LIMIT_FRACTION=${c.HEAP_LIMIT_FRACTION} gives a V8 heap limit of ${heap} MiB, which must be below MEMORY_HARD_LIMIT_MB=${c.MEMORY_HARD_LIMIT_MB}`]
      : [];
  },
  (c) =>
    c.HEARTBEAT_MAX_AGE <= c.RECEIVE_WAIT_SECONDS + 10
      ? [`HEARTBEAT_MAX_AGE=${c.HEARTBEAT_MAX_AGE} must be greater than RECEIVE_WAIT_SECONDS + 10 = ${c.RECEIVE_WAIT_SECONDS + 10} (a long poll may take that long)`]
      : [],
];
