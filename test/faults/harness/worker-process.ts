import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processTree } from '../../../bench/measure/proc.js';
import { ensureBuilt, ROOT } from './build.js';

export interface LogLine {
  level?: string;
  event?: string;
  msg?: string;
  [field: string]: unknown;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ms from spawn to exit */
  ms: number;
}

/** RSS of a live process from /proc, bytes; null once it is gone. */
export function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * `docsift run` as a real child process: JSON log lines captured and parsed, raw stdout/stderr kept
 * for secret scans, RSS sampled every 100 ms (the max is what a memory limit would see).
 */
export class WorkerProcess {
  readonly logs: LogLine[] = [];
  stdout = '';
  stderr = '';
  maxRss = 0;
  /** Largest RSS of the worker with its children (extraction sandboxes, OCR processes), bytes. */
  maxTreeRss = 0;
  readonly startedAt = Date.now();
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private readonly sampler: NodeJS.Timeout;
  private partial = '';
  exit: ExitInfo | null = null;

  constructor(env: Record<string, string>, args: string[] = [], options: { cwd?: string; command?: string[] } = {}) {
    const entry = ensureBuilt();
    const [cmd, ...pre] = options.command ?? [process.execPath, entry];
    this.child = spawn(cmd!, [...pre, 'run', ...args], {
      cwd: options.cwd ?? ROOT,
      // A clean environment: nothing from the test runner leaks in (or gets scanned as a secret).
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8');
    this.child.stderr!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.sampler = setInterval(() => this.sample(), 100);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        clearInterval(this.sampler);
        this.exit = { code, signal, ms: Date.now() - this.startedAt };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exit === null;
  }

  private sample(): void {
    const rss = rssOf(this.child.pid!);
    if (rss !== null && rss > this.maxRss) this.maxRss = rss;
    let tree = 0;
    for (const pid of processTree(this.child.pid!)) tree += rssOf(pid) ?? 0;
    if (tree > this.maxTreeRss) this.maxTreeRss = tree;
  }

  private onStdout(chunk: string): void {
    this.stdout += chunk;
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.logs.push({ event: 'unparsed', msg: line });
      }
    }
  }

  events(name: string): LogLine[] {
    return this.logs.filter((l) => l.event === name);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 20_000): Promise<ExitInfo> {
    if (!this.alive) return this.exit!;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  /** Resolves when a log line matches, or rejects after `timeoutMs` (or on exit). */
  async waitForLog(match: (l: LogLine) => boolean, timeoutMs: number): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.logs.find(match);
      if (found) return found;
      if (!this.alive) throw new Error(`worker exited (${JSON.stringify(this.exit)}) before the expected log line; stderr: ${this.stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('timed out waiting for a log line');
  }
}
