import type { Logger } from './logger.js';
import { MiB } from '../platform/cgroup.js';

export type GuardState = 'ok' | 'soft' | 'hard';
const STATE_VALUE: Record<GuardState, number> = { ok: 0, soft: 1, hard: 2 };

export interface MemoryGuardOptions {
  /** MiB; unset: never pause. */
  softLimitMb?: number | undefined;
  /** MiB; unset: never drain. */
  hardLimitMb?: number | undefined;
  /** MiB below the soft limit at which intake resumes. */
  hysteresisMb: number;
  intervalMs: number;
  /** Resident set size in bytes; process.memoryUsage.rss by default, injectable for tests. */
  rss?: () => number;
  logger?: Logger;
  /** Called on every state change (metrics, and the drain at the hard limit). */
  onChange?: (state: GuardState, rssBytes: number) => void;
}

/**
 * Watches RSS and tells the intake loop when to stop taking work. Soft limit: pause receiving until
 * RSS falls MEMORY_HYSTERESIS_MB below it (in-flight work continues and frees memory). Hard limit:
 * drain and exit so the container restarts clean instead of being OOM-killed; that state never
 * clears. Implements the worker's IntakeGate.
 */
export class MemoryGuard {
  private current: GuardState = 'ok';
  private timer: NodeJS.Timeout | undefined;
  private readonly rss: () => number;
  lastRssBytes = 0;

  constructor(private readonly options: MemoryGuardOptions) {
    this.rss = options.rss ?? (() => process.memoryUsage.rss());
  }

  get state(): GuardState {
    return this.current;
  }

  get stateValue(): number {
    return STATE_VALUE[this.current];
  }

  get enabled(): boolean {
    return this.options.softLimitMb !== undefined || this.options.hardLimitMb !== undefined;
  }

  paused(): boolean {
    return this.current !== 'ok';
  }

  draining(): boolean {
    return this.current === 'hard';
  }

  /** Reads RSS once and moves the state; returns the new state. */
  check(): GuardState {
    const bytes = this.rss();
    this.lastRssBytes = bytes;
    const mb = bytes / MiB;
    const { softLimitMb: soft, hardLimitMb: hard, hysteresisMb } = this.options;
    let next: GuardState = this.current;
    if (this.current === 'hard') next = 'hard';
    else if (hard !== undefined && mb >= hard) next = 'hard';
    else if (soft !== undefined && mb >= soft) next = 'soft';
    else if (this.current === 'soft' && soft !== undefined && mb >= soft - hysteresisMb) next = 'soft';
    else next = 'ok';
    if (next !== this.current) {
      const previous = this.current;
      this.current = next;
      this.options.logger?.warn(
        { event: 'memory_guard', state: next, previous, rss_mb: Math.round(mb), soft_limit_mb: soft ?? null, hard_limit_mb: hard ?? null, resume_below_mb: soft === undefined ? null : soft - hysteresisMb },
        next === 'hard' ? 'memory hard limit: draining, then exit 0' : next === 'soft' ? 'memory soft limit: intake paused' : 'memory below soft limit: intake resumed',
      );
      this.options.onChange?.(next, bytes);
    }
    return next;
  }

  start(): void {
    if (this.timer || !this.enabled) return;
    this.check();
    this.timer = setInterval(() => this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
