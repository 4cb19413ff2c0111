import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * The ground floor: what the kernel says about this container (memory limit, working set, CPU
 * quota), read from the cgroup files. Imports nothing else of docsift, so config, observability and
 * the adapters can all build on it.
 */

/** Reads a text file, undefined when it does not exist or cannot be read. Injected in tests. */
export type FileReader = (path: string) => string | undefined;

export const readText: FileReader = (path) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** cgroup v1 reports "no limit" as LONG_MAX rounded down to a page; anything this large is no limit. */
const UNLIMITED_FROM = 2 ** 60;

function parseLimit(value: string | undefined): number | null | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'max') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return n >= UNLIMITED_FROM ? null : n;
}

/** The cgroup paths of this process from /proc/self/cgroup: v2 ("0::/path") and the v1 memory controller. */
function ownPaths(read: FileReader): { v2?: string; v1?: string } {
  const text = read('/proc/self/cgroup');
  const out: { v2?: string; v1?: string } = {};
  for (const line of text?.split('\n') ?? []) {
    const [id, controllers, path] = line.split(':', 3);
    if (path === undefined) continue;
    if (id === '0' && controllers === '') out.v2 = path;
    else if (controllers?.split(',').includes('memory')) out.v1 = path;
  }
  return out;
}

/** "/a/b" → ["/a/b", "/a", ""] (the last is the mount root itself). */
function ancestors(path: string | undefined): string[] {
  const parts = (path ?? '/').split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = parts.length; i >= 0; i -= 1) out.push(i === 0 ? '' : `/${parts.slice(0, i).join('/')}`);
  return out;
}

/**
 * The memory limit of the container in bytes, or null when there is none. cgroup v2 first
 * (`memory.max`), then v1 (`memory/memory.limit_in_bytes`). Inside a container the cgroup
 * namespace makes the container's own cgroup the mount root; outside one (or without a namespace)
 * the process's cgroup path from /proc/self/cgroup is followed and the smallest limit on the way up
 * wins, as the kernel enforces every ancestor's limit.
 */
export function containerMemoryLimit(read: FileReader = readText, root = '/sys/fs/cgroup'): number | null {
  const own = ownPaths(read);
  const candidates: Array<[string, string | undefined]> = [
    ['memory.max', own.v2],
    ['memory/memory.limit_in_bytes', own.v1],
  ];
  for (const [file, path] of candidates) {
    let found = false;
    let limit: number | null = null;
    for (const dir of ancestors(path)) {
      const base = file === 'memory.max' ? `${root}${dir}` : `${root}/memory${dir}`;
      const value = parseLimit(read(`${base}/${file === 'memory.max' ? 'memory.max' : 'memory.limit_in_bytes'}`));
      if (value === undefined) continue;
      found = true;
      if (value !== null) limit = limit === null ? value : Math.min(limit, value);
    }
    if (found) return limit;
  }
  return null;
}

/** A `key value` line of memory.stat. */
function statValue(text: string | undefined, key: string): number | undefined {
  const line = text?.split('\n').find((l) => l.startsWith(`${key} `));
  const n = line === undefined ? NaN : Number(line.slice(key.length + 1));
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The container's working set in bytes (usage minus inactive page cache, as the kubelet counts it
 * for eviction and the dashboard shows it), or null when the cgroup cannot be read. It includes
 * child processes (native OCR) and memory-backed emptyDirs, which the process RSS does not.
 */
export function containerWorkingSet(read: FileReader = readText, root = '/sys/fs/cgroup'): number | null {
  const own = ownPaths(read);
  const v2dir = `${root}${own.v2 && own.v2 !== '/' ? own.v2 : ''}`;
  const v2 = Number(read(`${v2dir}/memory.current`));
  if (Number.isFinite(v2) && v2 > 0) return Math.max(0, v2 - (statValue(read(`${v2dir}/memory.stat`), 'inactive_file') ?? 0));
  const v1dir = `${root}/memory${own.v1 && own.v1 !== '/' ? own.v1 : ''}`;
  const v1 = Number(read(`${v1dir}/memory.usage_in_bytes`));
  if (Number.isFinite(v1) && v1 > 0) return Math.max(0, v1 - (statValue(read(`${v1dir}/memory.stat`), 'total_inactive_file') ?? 0));
  return null;
}

export const MiB = 1024 * 1024;

/**
 * CPUs the container may use: the cgroup v2 `cpu.max` quota (or v1 cfs quota/period), rounded up,
 * never more than the machine has; without a quota, available parallelism.
 */
export function containerCpus(root = '/sys/fs/cgroup', read: FileReader = readText): number {
  const machine = availableParallelism();
  const v2 = read(`${root}/cpu.max`);
  if (v2) {
    const [quota, period] = v2.split(/\s+/);
    if (quota && quota !== 'max' && period) return clampCpus(Number(quota) / Number(period), machine);
    return machine;
  }
  const quota = read(`${root}/cpu/cpu.cfs_quota_us`) ?? read(`${root}/cpu.cfs_quota_us`);
  const period = read(`${root}/cpu/cpu.cfs_period_us`) ?? read(`${root}/cpu.cfs_period_us`);
  if (quota && period && Number(quota) > 0) return clampCpus(Number(quota) / Number(period), machine);
  return machine;
}

function clampCpus(cpus: number, machine: number): number {
  if (!Number.isFinite(cpus) || cpus <= 0) return machine;
  return Math.max(1, Math.min(machine, Math.ceil(cpus)));
}
