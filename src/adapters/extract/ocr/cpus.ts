import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * CPUs the container may use: the cgroup v2 `cpu.max` quota (or v1 cfs quota/period), rounded up,
 * never more than the machine has; without a quota, available parallelism.
 */
export function containerCpus(root = '/sys/fs/cgroup'): number {
  const machine = availableParallelism();
  const v2 = read(`${root}/cpu.max`);
  if (v2) {
    const [quota, period] = v2.split(/\s+/);
    if (quota && quota !== 'max' && period) return clamp(Number(quota) / Number(period), machine);
    return machine;
  }
  const quota = read(`${root}/cpu/cpu.cfs_quota_us`) ?? read(`${root}/cpu.cfs_quota_us`);
  const period = read(`${root}/cpu/cpu.cfs_period_us`) ?? read(`${root}/cpu.cfs_period_us`);
  if (quota && period && Number(quota) > 0) return clamp(Number(quota) / Number(period), machine);
  return machine;
}

function clamp(cpus: number, machine: number): number {
  if (!Number.isFinite(cpus) || cpus <= 0) return machine;
  return Math.max(1, Math.min(machine, Math.ceil(cpus)));
}
