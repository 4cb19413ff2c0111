/**
 * A one-shot timer that can be paused: a sandbox's time budget counts its own work, not the time
 * its page images wait in the worker's OCR queue behind other documents.
 */
export class BudgetTimer {
  private timer: NodeJS.Timeout | undefined;
  private since = 0;
  private left: number;
  private paused = 0;

  constructor(
    budgetMs: number,
    private readonly onExpired: () => void,
  ) {
    this.left = budgetMs;
    this.arm();
  }

  /** Nested pauses are counted: the budget runs again when the last one resumes. */
  pause(): void {
    this.paused += 1;
    if (this.paused > 1 || !this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.left -= performance.now() - this.since;
  }

  resume(): void {
    if (this.paused === 0) return;
    this.paused -= 1;
    if (this.paused === 0) this.arm();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.paused = -1;
  }

  private arm(): void {
    this.since = performance.now();
    this.timer = setTimeout(this.onExpired, Math.max(0, this.left));
  }
}
