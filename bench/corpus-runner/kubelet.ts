import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { processTree, rssKiB } from '../measure/proc.js';

export interface WorkerExit {
  run: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
  logFile: string;
  /** Largest RSS of the worker's process tree (worker, sandboxes, OCR processes), MiB. */
  peakTreeMiB: number;
  /** Largest RSS of the worker process alone, MiB. */
  peakMainMiB: number;
}

export interface KubeletSpec {
  entry: string;
  env: Record<string, string>;
  workDir: string;
  /** True when there is nothing left to do (queue empty, nothing in flight). */
  finished: () => Promise<boolean>;
  deadline: number;
  onExit?: (exit: WorkerExit) => void;
}

/** RSS of a process tree and of its root, MiB. */
function treeRss(pid: number): { tree: number; main: number } {
  let tree = 0;
  for (const p of processTree(pid)) tree += rssKiB(p) ?? 0;
  return { tree: Math.round(tree / 1024), main: Math.round((rssKiB(pid) ?? 0) / 1024) };
}

function runOnce(spec: KubeletSpec, run: number): Promise<WorkerExit> {
  const logFile = join(spec.workDir, `worker-${run}.log`);
  const out = openSync(logFile, 'w');
  const started = performance.now();
  const child = spawn(process.execPath, [spec.entry, 'run', '--exit-when-idle', '3'], { env: spec.env, stdio: ['ignore', out, out] });
  let peakTree = 0;
  let peakMain = 0;
  const sampler = setInterval(() => {
    const { tree, main } = treeRss(child.pid!);
    peakTree = Math.max(peakTree, tree);
    peakMain = Math.max(peakMain, main);
  }, 250);
  const timeout = setTimeout(() => child.kill('SIGKILL'), Math.max(1000, spec.deadline - Date.now()));
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(timeout);
      closeSync(out);
      resolve({ run, code, signal, seconds: Math.round((performance.now() - started) / 100) / 10, logFile, peakTreeMiB: peakTree, peakMainMiB: peakMain });
    });
  });
}

/**
 * Runs `docsift run --exit-when-idle 3` again and again, like a kubelet restarting a container
 * after every exit, until the queue is empty or the deadline passes. A non-zero exit is a crash
 * (the OOM killer's 137, V8's abort 134); an exit 0 with work left (messages still invisible after
 * a crash) is simply followed by another start.
 */
export async function kubelet(spec: KubeletSpec): Promise<WorkerExit[]> {
  const exits: WorkerExit[] = [];
  for (let run = 1; Date.now() < spec.deadline; run += 1) {
    const exit = await runOnce(spec, run);
    exits.push(exit);
    spec.onExit?.(exit);
    if (await spec.finished()) break;
    // A short pause, not CrashLoopBackOff's minutes: the corpus has to finish in a sitting.
    await new Promise((r) => setTimeout(r, exit.code === 0 && exit.signal === null ? 2000 : 1000));
  }
  return exits;
}
