import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sandboxEnv } from '../../../config/sandbox.settings.js';
import { DocsiftError, isErrorClass, truncateMessage } from '../../../domain/errors.js';
import type { ExtractInput, Extraction } from '../../../ports/extractor.port.js';
import type { EngineOptions } from '../engine-options.js';
import type { ExtractPhase } from '../engine.js';
import type { OcrImage, OcrResult, OcrService } from '../ocr/ocr.types.js';
import { abortedError } from '../signal.js';
import { BudgetTimer } from './budget-timer.js';
import { classifyExit, SandboxDeath, type ClassifiedExit, type SandboxExit, type SandboxSettings } from './crash.js';
import { processRssMb } from './proc-rss.js';
import { asBuffer, type FromSandbox, type ToSandbox } from './protocol.js';

export interface SandboxLimits extends SandboxSettings {
  startTimeoutMs: number;
  /** How often the RSS of a working sandbox is read. */
  watchMs: number;
}

export interface SandboxJob {
  input: ExtractInput;
  /** The worker's OCR, for the pages and images the sandbox hands over. */
  ocr?: (image: OcrImage, signal?: AbortSignal) => Promise<OcrResult>;
  signal?: AbortSignal;
}

/** A sandbox death under a document, for the one log line and the counter. */
export interface CrashReport extends ClassifiedExit {
  phase: ExtractPhase;
  exitCode: number | null;
  signal: string | null;
  rssMb: number | null;
  ms: number;
}

export interface SandboxSpawnOptions {
  engine: EngineOptions;
  ocr: Pick<OcrService, 'engine' | 'languages' | 'size'> | null;
  limits: SandboxLimits;
  onCrash: (report: CrashReport) => void;
}

interface Running {
  job: number;
  phase: ExtractPhase;
  started: number;
  peakRssMb: number;
  killedFor: SandboxExit['killedFor'];
  budget: BudgetTimer;
  /** OCR requests in the worker's pool, each stoppable on the sandbox's ocr_cancel. */
  ocrRequests: Map<number, AbortController>;
  watchdog: NodeJS.Timeout;
  resolve: (extraction: Extraction) => void;
  reject: (err: unknown) => void;
}

/**
 * Running from sources (tests, tsx) the child is a .ts file and needs tsx's loader; the build
 * runs the compiled .js next to this file.
 */
function childEntry(): { file: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) return { file: self.replace(/sandbox-process\.ts$/, 'sandbox.child.ts'), execArgv: ['--import', 'tsx'] };
  return { file: self.replace(/sandbox-process\.js$/, 'sandbox.child.js'), execArgv: [] };
}

const STDERR_TAIL = 8192;
let nextId = 0;
let nextJob = 0;

/**
 * One sandbox: a forked Node process running the extraction engine with a V8 heap limit, watched
 * from here for RSS (SIGKILL past SANDBOX_MEMORY_MB: sharp's and canvas's native memory is outside
 * any heap limit) and for time (SIGKILL past EXTRACT_TIMEOUT of its own work). Its death, whatever
 * the cause, fails only the document it held, with a classified error.
 */
export class SandboxProcess {
  readonly id = ++nextId;
  readonly ready: Promise<void>;
  docs = 0;
  private readonly child: ChildProcess;
  private stderrTail = '';
  private running: Running | null = null;
  private closed = false;
  /** Set by shutdown(): a death we caused on purpose is no crash. */
  private shuttingDown = false;
  private killed = false;
  /** The current job's OCR and abort signal. */
  private ocr: SandboxJob['ocr'];
  private signal: AbortSignal | undefined;

  constructor(private readonly options: SandboxSpawnOptions) {
    const { file, execArgv } = childEntry();
    this.child = fork(file, [], {
      execArgv: [...execArgv, `--max-old-space-size=${options.limits.heapMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: sandboxEnv(),
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL);
    });
    this.child.on('message', (message: FromSandbox) => this.onMessage(message));
    this.child.on('error', () => undefined); // a failed send or spawn shows up as the close below
    this.child.on('close', this.onClose);
    this.ready = this.handshake();
    this.ready.catch(() => undefined);
  }

  /** False from the moment it is killed, not only once the kernel has reaped it. */
  get alive(): boolean {
    return !this.closed && !this.killed && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  rssMb(): number | null {
    return this.child.pid === undefined ? null : processRssMb(this.child.pid);
  }

  private handshake(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new DocsiftError('internal', 'extract', `extraction sandbox did not start within ${this.options.limits.startTimeoutMs} ms`));
      }, this.options.limits.startTimeoutMs);
      this.child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.once('close', (code, signal) => {
        clearTimeout(timer);
        reject(new DocsiftError('internal', 'extract', `extraction sandbox exited while starting (${signal ?? code})`));
      });
      this.send({ kind: 'init', options: this.options.engine, ocr: this.options.ocr });
    });
  }

  private send(message: ToSandbox): void {
    if (this.child.connected) this.child.send(message, (err) => err && this.kill());
  }

  /** Extracts one document; rejects with a DocsiftError (too_complex / extract_crashed on a death). */
  run(job: SandboxJob): Promise<Extraction> {
    if (this.running || !this.alive) return Promise.reject(new DocsiftError('internal', 'extract', 'sandbox busy or gone'));
    const { signal } = job;
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    this.docs += 1;
    return new Promise<Extraction>((resolve, reject) => {
      const id = ++nextJob;
      const limits = this.options.limits;
      const running: Running = {
        job: id,
        phase: 'detect',
        started: performance.now(),
        peakRssMb: 0,
        killedFor: null,
        budget: new BudgetTimer(limits.timeoutSeconds * 1000, () => this.kill('time')),
        ocrRequests: new Map(),
        watchdog: setInterval(() => this.watch(), limits.watchMs),
        resolve,
        reject,
      };
      const onAbort = () => this.finish(running, () => reject(abortedError(signal)), true);
      signal?.addEventListener('abort', onAbort, { once: true });
      running.resolve = (e) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(e);
      };
      running.reject = (e) => {
        signal?.removeEventListener('abort', onAbort);
        reject(e);
      };
      this.running = running;
      this.ocr = job.ocr;
      this.signal = signal;
      this.send({ kind: 'extract', job: id, input: job.input });
    });
  }

  private watch(): void {
    const running = this.running;
    const rss = this.rssMb();
    if (!running || rss === null) return;
    running.peakRssMb = Math.max(running.peakRssMb, rss);
    if (rss > this.options.limits.memoryMb) this.kill('memory');
  }

  private onMessage(message: FromSandbox): void {
    const running = this.running;
    if (!running || !('job' in message) || message.job !== running.job) return;
    if (message.kind === 'phase') running.phase = message.phase;
    else if (message.kind === 'ocr') void this.serveOcr(running, message.request, message.image);
    else if (message.kind === 'ocr_cancel') running.ocrRequests.get(message.request)?.abort();
    else if (message.kind === 'done') {
      const extraction = message.extraction;
      if (extraction.thumbnail) extraction.thumbnail = { ...extraction.thumbnail, data: asBuffer(extraction.thumbnail.data) };
      this.finish(running, () => running.resolve(extraction));
    } else if (message.kind === 'failed') {
      // The code comes from a process that reads untrusted bytes: only a known class is taken.
      const code = isErrorClass(message.error.code) ? message.error.code : 'internal';
      const stage = message.error.stage === 'ocr' ? 'ocr' : 'extract';
      this.finish(running, () => running.reject(new DocsiftError(code, stage, truncateMessage(String(message.error.message)))));
    }
  }

  private async serveOcr(running: Running, request: number, image: OcrImage): Promise<void> {
    running.budget.pause();
    const cancel = new AbortController();
    running.ocrRequests.set(request, cancel);
    try {
      if (!this.ocr) throw new DocsiftError('ocr_failed', 'ocr', 'OCR is disabled');
      const signal = this.signal ? AbortSignal.any([this.signal, cancel.signal]) : cancel.signal;
      const result = await this.ocr({ ...image, data: asBuffer(image.data) }, signal);
      if (this.running === running) this.send({ kind: 'ocr_result', job: running.job, request, result });
    } catch (err) {
      const error = err instanceof DocsiftError ? err : new DocsiftError('ocr_failed', 'ocr', err instanceof Error ? err.message : String(err));
      if (this.running === running) this.send({ kind: 'ocr_result', job: running.job, request, error: { code: error.code, stage: error.stage, message: error.message } });
    } finally {
      running.ocrRequests.delete(request);
      running.budget.resume();
    }
  }

  /** Ends the job in one place; `kill` for an abort: the process is given up with its document. */
  private finish(running: Running, settle: () => void, kill = false): void {
    if (this.running !== running) return;
    this.running = null;
    running.budget.clear();
    // Pages still in the pool belong to a document that is settled: their processes are stopped.
    for (const cancel of running.ocrRequests.values()) cancel.abort();
    clearInterval(running.watchdog);
    if (kill) this.kill();
    settle();
  }

  /** Kills the process; with a reason, the document it holds fails with that limit named. */
  kill(reason?: 'memory' | 'time'): void {
    if (reason && this.running) this.running.killedFor ??= reason;
    this.killed = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** The worker is closing: the process goes, and a document it holds fails as not done (transient). */
  shutdown(): void {
    this.shuttingDown = true;
    this.kill();
  }

  /** Wired once: a death while a document is held fails that document, classified. */
  private onClose = (code: number | null, signal: NodeJS.Signals | null): void => {
    this.closed = true;
    const running = this.running;
    if (!running) return;
    if (this.shuttingDown) {
      this.finish(running, () => running.reject(new DocsiftError('internal', 'extract', 'extraction sandboxes closed while extracting')));
      return;
    }
    const exit: SandboxExit = { code, signal, killedFor: running.killedFor, stderrTail: this.stderrTail, rssMb: running.peakRssMb || null };
    const classified = classifyExit(exit, running.phase, this.options.limits);
    this.options.onCrash({ ...classified, phase: running.phase, exitCode: code, signal, rssMb: exit.rssMb, ms: Math.round(performance.now() - running.started) });
    this.finish(running, () => running.reject(new SandboxDeath(classified)));
  };
}
