/**
 * Runs `tick` now and every `intervalMs` until stopped, on an unref'd timer (it never keeps the
 * process alive). An interval of 0 or less disables it. The pollers of observability/ share it.
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => void,
  ) {}

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.tick();
    this.timer = setInterval(this.tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
