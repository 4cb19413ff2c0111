import { DocsiftError } from '../../../domain/errors.js';
import type { Extraction } from '../../../ports/extractor.port.js';
import { abortedError } from '../signal.js';
import { SandboxDeath } from './crash.js';
import type { SandboxJob, SandboxProcess } from './sandbox-process.js';

export interface SandboxPoolOptions {
  size: number;
  /** Replace a sandbox after this many documents. */
  recycleDocs: number;
  /** Replace a sandbox whose RSS stays above this after a document (MiB). */
  recycleRssMb: number;
  /** A sandbox; `solo`: one with the memory of all of them, for a document that ran out in its own. */
  spawn: (solo?: boolean) => SandboxProcess;
}

interface Waiter {
  go: () => void;
  fail: (err: DocsiftError) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * At most `size` sandboxes, each extracting one document at a time; documents wait their turn in
 * arrival order (and leave the line when their message is aborted). A sandbox that died, served
 * `recycleDocs` documents or kept too much memory is replaced, the replacement starting in the
 * background so the next document does not wait for it.
 */
export class SandboxPool {
  private readonly idle: SandboxProcess[] = [];
  private readonly live = new Set<SandboxProcess>();
  private readonly waiters: Waiter[] = [];
  private busy = 0;
  private closed = false;
  /** One solo run at a time: it holds every slot. */
  private solo: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SandboxPoolOptions) {}

  get size(): number {
    return this.options.size;
  }

  /** Live sandbox processes (idle, starting or working), for tests and the RSS picture. */
  get processes(): SandboxProcess[] {
    return [...this.live];
  }

  /**
   * Extracts one document. One that runs out of memory in its sandbox gets one more try alone, in
   * a sandbox with the memory of all of them (every other document held back meanwhile): real
   * documents exist that need more than their share to render (pdf.js's test corpus has a 3 KB
   * shading that peaks at 630 MiB), and runaways fail again, permanently, within the same budget.
   */
  async run(job: SandboxJob): Promise<Extraction> {
    try {
      return await this.runShared(job);
    } catch (err) {
      if (!(err instanceof SandboxDeath) || !err.outOfMemory || this.options.size < 2 || this.closed || job.signal?.aborted) throw err;
      const attempt = this.solo.then(() => this.runSolo(job));
      this.solo = attempt.catch(() => undefined);
      return attempt;
    }
  }

  private async runShared(job: SandboxJob): Promise<Extraction> {
    await this.slot(job.signal);
    let sandbox: SandboxProcess | undefined;
    try {
      sandbox = this.take();
      await sandbox.ready;
      return await sandbox.run(job);
    } finally {
      if (sandbox) this.giveBack(sandbox);
      this.busy -= 1;
      this.next();
    }
  }

  /** Takes every slot, lets idle sandboxes go (their memory is the solo one's), runs, gives all back. */
  private async runSolo(job: SandboxJob): Promise<Extraction> {
    let held = 0;
    let sandbox: SandboxProcess | undefined;
    try {
      for (; held < this.options.size; held += 1) await this.slot(job.signal);
      for (const idle of this.idle.splice(0)) {
        idle.kill();
        this.live.delete(idle);
      }
      sandbox = this.options.spawn(true);
      this.live.add(sandbox);
      await sandbox.ready;
      return await sandbox.run(job);
    } finally {
      if (sandbox) {
        sandbox.shutdown();
        this.live.delete(sandbox);
      }
      this.busy -= held;
      for (let i = 0; i < held; i += 1) this.next();
    }
  }

  private slot(signal: AbortSignal | undefined): Promise<void> {
    if (this.closed) return Promise.reject(new DocsiftError('internal', 'extract', 'extraction sandboxes are closed'));
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    if (this.busy < this.options.size) {
      this.busy += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        signal,
        go: () => {
          signal?.removeEventListener('abort', waiter.onAbort);
          this.busy += 1;
          resolve();
        },
        fail: (err) => {
          signal?.removeEventListener('abort', waiter.onAbort);
          reject(err);
        },
        onAbort: () => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          reject(abortedError(signal));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private next(): void {
    if (this.busy < this.options.size) this.waiters.shift()?.go();
  }

  private take(): SandboxProcess {
    for (let sandbox = this.idle.pop(); sandbox; sandbox = this.idle.pop()) {
      if (sandbox.alive) return sandbox;
      this.live.delete(sandbox);
    }
    return this.spawn();
  }

  private spawn(): SandboxProcess {
    const sandbox = this.options.spawn();
    this.live.add(sandbox);
    return sandbox;
  }

  private giveBack(sandbox: SandboxProcess): void {
    const rss = sandbox.alive ? sandbox.rssMb() : null;
    const keep = sandbox.alive && !this.closed && sandbox.docs < this.options.recycleDocs && (rss === null || rss <= this.options.recycleRssMb);
    if (keep) {
      this.idle.push(sandbox);
      return;
    }
    sandbox.kill();
    this.live.delete(sandbox);
    // The replacement starts now, so its start-up overlaps other documents' work.
    if (!this.closed && this.live.size < this.options.size) this.idle.push(this.spawn());
  }

  /** Rejects waiting documents and kills every sandbox. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.fail(new DocsiftError('internal', 'extract', 'extraction sandboxes are closed'));
    for (const sandbox of this.live) sandbox.shutdown();
    this.live.clear();
    this.idle.length = 0;
  }
}
