import { readFileSync } from 'node:fs';

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

export const MiB = 1024 * 1024;
