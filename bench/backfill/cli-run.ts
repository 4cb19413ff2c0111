import { spawn } from 'node:child_process';
import { rssKiB } from '../measure/proc.js';

export interface BackfillRun {
  /** The command's own --json summary (listed, enqueued, seconds, ...). */
  summary: { listed: number; enqueued: number; unchanged: number; seconds: number; stoppedBy: string; ratePerSecond: number };
  /** Process start to exit, node start-up included. */
  wallSeconds: number;
  peakRssMiB: number | null;
  exitCode: number | null;
}

/**
 * `docsift backfill ... --json` as a child process from the build (as the chart's Job runs it),
 * its RSS read from /proc every 50 ms.
 */
export async function runBackfillCli(entry: string, args: string[], env: Record<string, string>): Promise<BackfillRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [entry, 'backfill', ...args, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peak = 0;
  const timer = setInterval(() => {
    const kib = child.pid ? rssKiB(child.pid) : null;
    if (kib !== null && kib > peak) peak = kib;
  }, 50);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearInterval(timer);
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (exitCode !== 0 || !line) throw new Error(`backfill ${args.join(' ')} exited ${exitCode}: ${stderr.slice(-2000)}${stdout.slice(-1000)}`);
  return {
    summary: JSON.parse(line) as BackfillRun['summary'],
    wallSeconds: (performance.now() - started) / 1000,
    peakRssMiB: peak > 0 ? Math.round(peak / 102.4) / 10 : null,
    exitCode,
  };
}

/** The environment of a child: the endpoints and settings given, nothing inherited that could change a setting. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return { ...env, NODE_NO_WARNINGS: '1', ...extra };
}
