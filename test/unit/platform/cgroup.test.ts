import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerCpus, containerMemoryLimit, containerWorkingSet } from '../../../src/platform/cgroup.js';

const GiB = 1024 ** 3;
const fs = (files: Record<string, string>) => (path: string) => files[path];

describe('containerMemoryLimit', () => {
  const cases: Array<{ name: string; files: Record<string, string>; expected: number | null }> = [
    { name: 'v2 limit in a container (cgroup namespace: own cgroup is the root)', files: { '/proc/self/cgroup': '0::/', '/sys/fs/cgroup/memory.max': String(2 * GiB) }, expected: 2 * GiB },
    { name: 'v2 without a limit', files: { '/proc/self/cgroup': '0::/', '/sys/fs/cgroup/memory.max': 'max' }, expected: null },
    {
      name: 'v2 nested: the smallest limit on the way up wins',
      files: { '/proc/self/cgroup': '0::/kubepods/pod1/c1', '/sys/fs/cgroup/kubepods/pod1/c1/memory.max': 'max', '/sys/fs/cgroup/kubepods/pod1/memory.max': String(GiB), '/sys/fs/cgroup/kubepods/memory.max': String(8 * GiB) },
      expected: GiB,
    },
    { name: 'v1 limit', files: { '/proc/self/cgroup': '4:memory:/\n0::/', '/sys/fs/cgroup/memory/memory.limit_in_bytes': String(512 * 1024 ** 2) }, expected: 512 * 1024 ** 2 },
    { name: 'v1 "unlimited" (LONG_MAX rounded to a page), as on this machine', files: { '/proc/self/cgroup': '4:memory:/x\n', '/sys/fs/cgroup/memory/x/memory.limit_in_bytes': '9223372036854771712', '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712' }, expected: null },
    { name: 'v1 nested path', files: { '/proc/self/cgroup': '11:memory,foo:/docker/abc', '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': String(3 * GiB) }, expected: 3 * GiB },
    { name: 'no cgroup files at all', files: {}, expected: null },
    { name: 'garbage is ignored', files: { '/proc/self/cgroup': '0::/', '/sys/fs/cgroup/memory.max': 'lots' }, expected: null },
  ];
  it.each(cases)('$name', ({ files, expected }) => {
    expect(containerMemoryLimit(fs(files))).toBe(expected);
  });

  it('reads the real machine without throwing', () => {
    const limit = containerMemoryLimit();
    expect(limit === null || limit > 0).toBe(true);
  });
});

describe('containerWorkingSet', () => {
  it('v2: memory.current minus inactive page cache', () => {
    const read = fs({ '/proc/self/cgroup': '0::/', '/sys/fs/cgroup/memory.current': String(900 * 1024 ** 2), '/sys/fs/cgroup/memory.stat': `anon 1\ninactive_file ${100 * 1024 ** 2}\nactive_file 5` });
    expect(containerWorkingSet(read)).toBe(800 * 1024 ** 2);
  });
  it('v1: usage_in_bytes minus total_inactive_file, in the process cgroup', () => {
    const read = fs({ '/proc/self/cgroup': '4:memory:/pod/c', '/sys/fs/cgroup/memory/pod/c/memory.usage_in_bytes': '5000', '/sys/fs/cgroup/memory/pod/c/memory.stat': 'cache 9\ntotal_inactive_file 1000' });
    expect(containerWorkingSet(read)).toBe(4000);
  });
  it('null without cgroup files', () => {
    expect(containerWorkingSet(fs({}))).toBeNull();
  });
});

function cgroup(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'docsift-cgroup-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  return root;
}

describe('containerCpus (OCR_WORKERS default)', () => {
  const machine = availableParallelism();
  it.each([
    ['cgroup v2 quota of 1.5 CPUs rounds up', { 'cpu.max': '150000 100000\n' }, Math.min(2, machine)],
    ['cgroup v2 quota of one CPU', { 'cpu.max': '100000 100000' }, 1],
    ['cgroup v2 without a quota', { 'cpu.max': 'max 100000' }, machine],
    ['cgroup v1 quota of half a CPU', { 'cpu/cpu.cfs_quota_us': '50000', 'cpu/cpu.cfs_period_us': '100000' }, 1],
    ['cgroup v1 without a quota (-1)', { 'cpu/cpu.cfs_quota_us': '-1', 'cpu/cpu.cfs_period_us': '100000' }, machine],
    ['a quota above the machine is capped', { 'cpu.max': '6400000 100000' }, machine],
    ['no cgroup files at all', {}, machine],
  ])('%s', (_name, files, expected) => {
    expect(containerCpus(cgroup(files))).toBe(expected);
  });
});
