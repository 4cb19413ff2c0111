import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BEAT_SUFFIX } from './heartbeat-check.js';

export interface HeartbeatWriterOptions {
  /** How often recorded beats are written to their files, ms. @defaultValue 1000 */
  flushMs?: number;
  now?: () => number;
}

function fileName(component: string): string {
  return `${component.replace(/[^A-Za-z0-9_.-]/g, '_')}${BEAT_SUFFIX}`;
}

/**
 * Heartbeat files under HEARTBEAT_DIR, one per component (`intake`, `ocr-1`, ...). `beat()` only
 * records the time in memory, so the intake loop can call it every iteration; a timer on the same
 * event loop writes each file with its modification time set to the component's last beat. So a
 * blocked event loop (no flush) and a stuck component (no new beat) both leave a file that ages,
 * and `docsift healthcheck` sees it.
 */
export class HeartbeatWriter {
  private readonly last = new Map<string, number>();
  private readonly written = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    readonly dir: string,
    private readonly options: HeartbeatWriterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Records a beat of `component` (cheap: no I/O). Bound, so it can be passed as a callback. */
  readonly beat = (component: string): void => {
    this.last.set(component, this.now());
  };

  /** Creates the directory, removes heartbeats of a previous run (an emptyDir outlives a container) and starts writing. */
  start(): void {
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith(BEAT_SUFFIX)) rmSync(join(this.dir, name), { force: true });
    }
    this.flush();
    this.timer ??= setInterval(() => this.flush(), this.options.flushMs ?? 1000);
    this.timer.unref();
  }

  /** Writes every beat recorded since the last flush. Errors are kept to the return value, never thrown. */
  flush(): Error | undefined {
    let failure: Error | undefined;
    for (const [component, at] of this.last) {
      if (this.written.get(component) === at) continue;
      const path = join(this.dir, fileName(component));
      try {
        writeFileSync(path, `${new Date(at).toISOString()} pid ${process.pid}\n`);
        utimesSync(path, at / 1000, at / 1000);
        this.written.set(component, at);
      } catch (err) {
        failure = err as Error;
      }
    }
    return failure;
  }

  /** A component that ends on purpose (a closed pool) removes its file, so it is not mistaken for a stuck one. */
  retire(component: string): void {
    this.last.delete(component);
    this.written.delete(component);
    rmSync(join(this.dir, fileName(component)), { force: true });
  }

  /** Seconds since each component's last beat, for /healthz and docsift_heartbeat_age_seconds. */
  ages(now = this.now()): Map<string, number> {
    const out = new Map<string, number>();
    for (const [component, at] of this.last) out.set(component, Math.max(0, (now - at) / 1000));
    return out;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }
}
