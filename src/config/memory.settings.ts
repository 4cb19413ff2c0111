import { containerMemoryLimit, MiB, type FileReader } from '../platform/cgroup.js';
import { int } from './setting.js';
import type { Rule } from './rule.js';

/**
 * The one owner of the memory thresholds: everything is derived here from the container limit and
 * two percentages, so a deployment passes inputs (the chart's memoryGuard percents), never results.
 * The V8 heap is not derived here: Node sizes it from the same cgroup limit when started with
 * NODE_OPTIONS=--max-old-space-size-percentage (the chart's heap.percent).
 */
/** Percent of the container limit each threshold defaults to; the fraction of the soft limit RSS must fall by before intake resumes. */
const DEFAULTS = { softPercent: 70, hardPercent: 85, hysteresis: 0.1 } as const;

export const memorySettings = {
  MEMORY_LIMIT_MB: int(16, 1_048_576, undefined, {
    unit: 'MiB',
    doc: 'Memory limit of the container; the memory defaults below are fractions of it',
    defaultText: 'the cgroup limit (v2 memory.max, v1 memory.limit_in_bytes); unset when there is none',
  }),
  MEMORY_SOFT_LIMIT_PERCENT: int(1, 99, DEFAULTS.softPercent, { unit: 'percent', doc: 'Default of MEMORY_SOFT_LIMIT_MB as a percent of MEMORY_LIMIT_MB' }),
  MEMORY_HARD_LIMIT_PERCENT: int(1, 99, DEFAULTS.hardPercent, { unit: 'percent', doc: 'Default of MEMORY_HARD_LIMIT_MB as a percent of MEMORY_LIMIT_MB' }),
  MEMORY_SOFT_LIMIT_MB: int(1, 1_048_576, undefined, {
    unit: 'MiB',
    doc: 'RSS at which intake pauses (no new receives; in-flight work continues) until RSS is MEMORY_HYSTERESIS_MB below it',
    defaultText: 'MEMORY_SOFT_LIMIT_PERCENT of MEMORY_LIMIT_MB; unset (never pause) without a limit',
  }),
  MEMORY_HARD_LIMIT_MB: int(1, 1_048_576, undefined, {
    unit: 'MiB',
    doc: 'RSS at which the worker stops receiving, finishes in-flight work, flushes and exits 0, so the container restarts clean before the OOM killer strikes',
    defaultText: 'MEMORY_HARD_LIMIT_PERCENT of MEMORY_LIMIT_MB; unset (never drain) without a limit',
  }),
  MEMORY_HYSTERESIS_MB: int(0, 1_048_576, undefined, {
    unit: 'MiB',
    doc: 'Intake resumes once RSS is this far below MEMORY_SOFT_LIMIT_MB',
    defaultText: `${DEFAULTS.hysteresis * 100}% of MEMORY_SOFT_LIMIT_MB`,
  }),
  MEMORY_CHECK_INTERVAL_MS: int(50, 60_000, 1000, { unit: 'ms', doc: 'How often the memory guard reads RSS' }),
};

/** What the memory defaults are computed from; tests pass a fake cgroup reader. */
export interface SystemFacts {
  readFile?: FileReader;
  cgroupRoot?: string;
}

interface MemoryInputs {
  MEMORY_LIMIT_MB?: number | undefined;
  MEMORY_SOFT_LIMIT_PERCENT?: number;
  MEMORY_HARD_LIMIT_PERCENT?: number;
  MEMORY_SOFT_LIMIT_MB?: number | undefined;
  MEMORY_HARD_LIMIT_MB?: number | undefined;
  MEMORY_HYSTERESIS_MB?: number | undefined;
}

/**
 * Fills the memory settings left unset from the container limit, read from the cgroup when
 * MEMORY_LIMIT_MB is not given. Without any limit the guard stays off unless its limits are set.
 */
export function resolveMemoryDefaults<T extends MemoryInputs>(raw: T, system: SystemFacts = {}): T {
  const bytes = raw.MEMORY_LIMIT_MB === undefined ? containerMemoryLimit(system.readFile, system.cgroupRoot) : null;
  const limit = raw.MEMORY_LIMIT_MB ?? (bytes === null ? undefined : Math.floor(bytes / MiB));
  const share = (percent: number | undefined, fallback: number) => (limit === undefined ? undefined : Math.floor((limit * (percent ?? fallback)) / 100));
  const soft = raw.MEMORY_SOFT_LIMIT_MB ?? share(raw.MEMORY_SOFT_LIMIT_PERCENT, DEFAULTS.softPercent);
  const hard = raw.MEMORY_HARD_LIMIT_MB ?? share(raw.MEMORY_HARD_LIMIT_PERCENT, DEFAULTS.hardPercent);
  const hysteresis = raw.MEMORY_HYSTERESIS_MB ?? (soft === undefined ? undefined : Math.floor(soft * DEFAULTS.hysteresis));
  return { ...raw, MEMORY_LIMIT_MB: limit, MEMORY_SOFT_LIMIT_MB: soft, MEMORY_HARD_LIMIT_MB: hard, MEMORY_HYSTERESIS_MB: hysteresis };
}

export const memoryRules: Rule[] = [
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
];
