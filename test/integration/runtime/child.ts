import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LocalStack } from '../../../devstack/local-stack.js';
import type { Sample } from '../../../devstack/samples.js';
import { freePort } from '../../../devstack/free-port.js';
import { uploadSamples, waitForQueued } from '../../../devstack/upload.js';
export { freePort };

export const ROOT = resolve(import.meta.dirname, '../../..');
const PRELOAD = join(import.meta.dirname, 'control.preload.mjs');

/** Uploads the samples; the stack's S3 bridge puts one event per object on the queue. */
export async function upload(stack: LocalStack, samples: Sample[]): Promise<void> {
  await uploadSamples(stack, samples);
  if (!(await waitForQueued(stack, samples.length, 15_000, 50))) throw new Error('S3 events did not reach the queue');
}

export interface LogLine {
  event?: string;
  [k: string]: unknown;
}

/** A real `docsift run` process (TypeScript sources through tsx), with its JSON log lines collected. */
export class WorkerChild {
  readonly proc: ChildProcess;
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly dir = mkdtempSync(join(tmpdir(), 'docsift-rt-'));
  readonly controlFile = join(this.dir, 'control');
  readonly heartbeatDir = join(this.dir, 'heartbeat');
  readonly indexFile = join(this.dir, 'index.ndjson');
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  private waiters: Array<() => void> = [];

  constructor(env: Record<string, string>, nodeArgs: string[] = []) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', '--import', PRELOAD, ...nodeArgs, join(ROOT, 'src/cli/index.ts'), 'run'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        INDEX_SINK: 'file',
        INDEX_FILE: this.indexFile,
        TEMP_DIR: join(this.dir, 'tmp'),
        HEARTBEAT_DIR: this.heartbeatDir,
        RECEIVE_WAIT_SECONDS: '1',
        LOG_LEVEL: 'info',
        METRICS_PORT: '0',
        DOCSIFT_TEST_CONTROL: this.controlFile,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.proc.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.stderr += `${line}\n`;
        }
      }
      this.notify();
    });
    this.proc.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      this.notify();
    });
    this.exited = new Promise((ok) => this.proc.on('exit', (code, signal) => ok({ code, signal, at: performance.now() })));
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  count(event: string): number {
    return this.logs.filter((l) => l.event === event).length;
  }

  /** Resolves when `predicate` holds, checked on every output and every 50 ms. */
  async waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}\nstderr:\n${this.stderr.slice(-2000)}`);
      if (this.proc.exitCode !== null) throw new Error(`worker exited (${this.proc.exitCode}) while waiting for ${what}\nstderr:\n${this.stderr.slice(-2000)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** The HTTP port the worker logged when its server started. */
  async metricsPort(): Promise<number> {
    await this.waitFor(() => this.logs.some((l) => typeof l.metrics_port === 'number'), 20_000, 'the metrics server');
    return this.logs.find((l) => typeof l.metrics_port === 'number')!.metrics_port as number;
  }

  control(command: string): void {
    writeFileSync(this.controlFile, command);
  }

  /** Keys of the documents in the index file, one entry per write. */
  indexedKeys(): string[] {
    let text = '';
    try {
      text = readFileSync(this.indexFile, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((l) => l.startsWith('{') && !l.startsWith('{"index"') && !l.startsWith('{"delete"'))
      .map((l) => (JSON.parse(l) as { key: string }).key);
  }

  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Reads one metric sample's value from Prometheus text. */
export function sample(text: string, name: string, labels = ''): number | undefined {
  const escaped = `${name}${labels ? `{${labels}}` : ''}`.replace(/[{}()[\].*+?^$|\\]/g, '\\$&');
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}
