import { exponentialBackoff } from '../domain/backoff.js';

/**
 * Pauses intake while the index keeps failing transiently. Without it, an outage longer than a few
 * redeliveries pushes healthy messages through the queue's redrive policy into the DLQ (with no
 * error class) for a temporary cause: every receive raises their receive count. While open,
 * nothing new is received; in-flight work and its retries continue; when the pause ends the next
 * receive is the probe. Pauses double per consecutive opening, up to `maxMs`.
 */
export interface CircuitOptions {
  /** Consecutive transient index failures that open the circuit. @defaultValue 3 */
  threshold: number;
  /** @defaultValue 5000 */
  baseMs: number;
  /** @defaultValue 60000 */
  maxMs: number;
  now?: () => number;
}

const DEFAULTS: CircuitOptions = { threshold: 3, baseMs: 5000, maxMs: 60_000 };

export class IndexCircuit {
  private consecutive = 0;
  private opens = 0;
  private openUntil = 0;

  private readonly options: CircuitOptions;

  constructor(options: Partial<CircuitOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  recordSuccess(): void {
    this.consecutive = 0;
    this.opens = 0;
  }

  /** Returns the pause started by this failure, in ms, or 0 when the circuit stays closed. */
  recordFailure(): number {
    // Failures of work that was already in flight when the circuit opened say nothing new.
    if (this.isOpen()) return 0;
    this.consecutive += 1;
    if (this.consecutive < this.options.threshold) return 0;
    const pauseMs = exponentialBackoff(this.opens + 1, { base: this.options.baseMs, max: this.options.maxMs });
    this.opens += 1;
    this.consecutive = 0;
    this.openUntil = this.now() + pauseMs;
    return pauseMs;
  }

  isOpen(): boolean {
    return this.now() < this.openUntil;
  }
}
