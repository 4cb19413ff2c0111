import { DocsiftError } from '../../../domain/errors.js';
import type { Extraction } from '../../../ports/extractor.port.js';
import { abortedError } from '../signal.js';
import type { SandboxJob, SandboxProcess } from './sandbox-process.js';

export interface SandboxPoolOptions {
  size: number;
  /** Replace a sandbox after this many documents. */
  recycleDocs: number;
  /** Replace a sandbox whose RSS stays above this after a document (MiB). */
  recycleRssMb: number;
  spawn: () => SandboxProcess;
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

  constructor(private readonly options: SandboxPoolOptions) {}

  get size(): number {
    return this.options.size;
  }

  /** Live sandbox processes (idle, starting or working), for tests and the RSS picture. */
  get processes(): SandboxProcess[] {
    return [...this.live];
  }

  async run(job: SandboxJob): Promise<Extraction> {
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
