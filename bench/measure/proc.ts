import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (100 on Linux almost always). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process exited between two reads
  }
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid: number | 'self'): string[] | null {
  const text = read(`/proc/${pid}/stat`);
  if (!text) return null;
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** utime+stime (own) and cutime+cstime (waited-for children), in seconds. */
export function cpuSeconds(pid: number | 'self'): { own: number; children: number } | null {
  const f = statFields(pid);
  if (!f) return null;
  // After ")": state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
  return { own: (Number(f[11]) + Number(f[12])) / CLK_TCK, children: (Number(f[13]) + Number(f[14])) / CLK_TCK };
}

export function rssKiB(pid: number): number | null {
  const text = read(`/proc/${pid}/status`);
  const m = text?.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return m ? Number(m[1]) : null;
}

/** pid and every live descendant (through /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.push(p);
    const tasks = read(`/proc/${p}/task/${p}/children`);
    if (tasks) for (const c of tasks.trim().split(/\s+/).filter(Boolean)) stack.push(Number(c));
  }
  return out;
}

/** RSS of a process and its descendants (MiB) and their CPU seconds, children already reaped included. */
export function treeUsage(pid: number): { rssMiB: number; cpuSeconds: number } | null {
  const root = cpuSeconds(pid);
  if (!root) return null;
  let rss = 0;
  let cpu = root.own + root.children;
  for (const p of processTree(pid)) {
    rss += rssKiB(p) ?? 0;
    if (p !== pid) cpu += cpuSeconds(p)?.own ?? 0;
  }
  return { rssMiB: rss / 1024, cpuSeconds: cpu };
}

/** Machine-wide CPU time from /proc/stat, in seconds summed over all CPUs. */
export function systemCpu(): { busy: number; total: number } {
  const line = (read('/proc/stat') ?? '').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}
