import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../chart/lib/helm.js';

const run = promisify(execFile);

/** The settings scripts/deploy/env.sh gives buildah and podman (vfs, runc, no default ulimits). */
export const CONTAINER_ENV = { ...process.env, CONTAINERS_CONF: join(REPO_ROOT, 'scripts', 'deploy', 'containers.conf') };
const GLOBAL = ['--storage-driver', 'vfs', '--runtime', 'runc'];

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `podman ...`; never throws on a non-zero exit (the caller decides). */
export async function podman(args: string[], timeoutMs = 120_000): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run('podman', [...GLOBAL, ...args], { env: CONTAINER_ENV, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; killed?: boolean };
    return { code: typeof e.code === 'number' ? e.code : 124, stdout: e.stdout ?? '', stderr: `${e.stderr ?? ''}${e.killed ? ' (timed out)' : ''}` };
  }
}

async function must(args: string[], timeoutMs?: number): Promise<string> {
  const r = await podman(args, timeoutMs);
  if (r.code !== 0) throw new Error(`podman ${args.slice(0, 2).join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export interface ContainerState {
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
  status: string;
}

/** A container started with `podman run -d`; stopped by its own id only. */
export class Container {
  private constructor(
    readonly id: string,
    readonly name: string,
  ) {}

  static async run(runArgs: string[], name: string): Promise<Container> {
    // A container left by an interrupted run keeps its name: remove that one (by name, ours only).
    await podman(['rm', '--force', '--ignore', name]);
    const id = await must(['run', '--detach', ...runArgs], 180_000);
    return new Container(id, name);
  }

  async state(): Promise<ContainerState> {
    const out = await must(['inspect', '--format', '{{json .State}}', this.id]);
    const s = JSON.parse(out) as { Running: boolean; ExitCode: number; OOMKilled: boolean; Status: string };
    return { running: s.Running, exitCode: s.ExitCode, oomKilled: s.OOMKilled, status: s.Status };
  }

  /** `podman exec` with a timeout, as a kubelet runs an exec probe. */
  exec(command: string[], timeoutMs: number): Promise<CommandResult> {
    return podman(['exec', this.id, ...command], timeoutMs);
  }

  async logs(): Promise<string> {
    const r = await podman(['logs', this.id]);
    return r.stdout + r.stderr;
  }

  /** JSON log lines of the container (non-JSON lines are dropped). */
  async jsonLogs(): Promise<Array<Record<string, unknown>>> {
    return (await this.logs())
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  /** `podman stop -t GRACE`: SIGTERM (the image's STOPSIGNAL), SIGKILL after the grace period. */
  async stop(graceSeconds: number): Promise<{ ms: number; state: ContainerState }> {
    const started = Date.now();
    await must(['stop', '--time', String(graceSeconds), this.id], (graceSeconds + 60) * 1000);
    return { ms: Date.now() - started, state: await this.state() };
  }

  /** Waits for the container to exit by itself (a Job's pod). */
  async wait(timeoutMs: number): Promise<ContainerState> {
    await must(['wait', this.id], timeoutMs);
    return this.state();
  }

  async remove(): Promise<void> {
    await podman(['rm', '--force', '--ignore', '--time', '0', this.id]);
  }
}

/** Follows a container's output live (for debugging a failing suite). */
export function follow(id: string, onLine: (line: string) => void): () => void {
  const child = spawn('podman', [...GLOBAL, 'logs', '--follow', id], { env: CONTAINER_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  const onData = (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return () => child.kill('SIGTERM');
}
