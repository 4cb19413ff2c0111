import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The production entry point, exactly as the image runs it. */
const BIN = fileURLToPath(new URL('../bin/docsift.js', import.meta.url));
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export interface LogLine {
  level?: string;
  event?: string;
  [field: string]: unknown;
}

/**
 * `docsift run` in a child process: the same code, flags and exit paths as in a pod. Its JSON log
 * lines are parsed (the caller sees each one) and those at `showLevel` or above are echoed to
 * stderr; the child itself logs at info at least, so the caller gets the `drained` summary.
 */
export function startWorker(env: Record<string, string>, showLevel: string, onLine: (line: LogLine) => void): { child: ChildProcess; exited: Promise<number | null> } {
  const childLevel = (LEVELS[showLevel] ?? 40) < LEVELS.info! ? showLevel : 'info';
  const child = spawn(process.execPath, [BIN, 'run', '--exit-when-idle', '3'], {
    env: { ...process.env, ...env, LOG_LEVEL: childLevel },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      process.stderr.write(`${text}\n`);
      return;
    }
    onLine(line);
    if ((LEVELS[line.level ?? 'info'] ?? 30) >= (LEVELS[showLevel] ?? 40)) process.stderr.write(`${text}\n`);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

/** The worker's counters, read from its /metrics (docsift_messages_total by outcome, in-flight gauge). */
export async function scrapeProgress(port: number): Promise<{ outcomes: Record<string, number>; inflight: number } | null> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const outcomes: Record<string, number> = {};
    for (const m of text.matchAll(/^docsift_messages_total\{outcome="([a-z_]+)"\} (\d+)/gm)) outcomes[m[1]!] = Number(m[2]);
    const inflight = Number(/^docsift_inflight_messages (\d+)/m.exec(text)?.[1] ?? 0);
    return { outcomes, inflight };
  } catch {
    return null; // not listening yet, or already gone
  }
}
