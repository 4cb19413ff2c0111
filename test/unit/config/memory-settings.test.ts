import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { resolveMemoryDefaults } from '../../../src/config/memory.settings.js';

const MiB = 1024 ** 2;
const cgroupOf = (bytes: number | 'max') => ({
  readFile: (path: string) => ({ '/proc/self/cgroup': '0::/', '/sys/fs/cgroup/memory.max': String(bytes) })[path],
});
const noCgroup = { readFile: () => undefined };

describe('memory settings', () => {
  it('derives soft, hard and hysteresis from the container limit', () => {
    const r = resolveMemoryDefaults({}, cgroupOf(2048 * MiB));
    expect(r).toEqual({ MEMORY_LIMIT_MB: 2048, MEMORY_SOFT_LIMIT_MB: 1433, MEMORY_HARD_LIMIT_MB: 1740, MEMORY_HYSTERESIS_MB: 143 });
  });

  it('leaves the guard off without a limit, unless limits are set', () => {
    expect(resolveMemoryDefaults({}, cgroupOf('max'))).toEqual({ MEMORY_LIMIT_MB: undefined, MEMORY_SOFT_LIMIT_MB: undefined, MEMORY_HARD_LIMIT_MB: undefined, MEMORY_HYSTERESIS_MB: undefined });
    expect(resolveMemoryDefaults({ MEMORY_SOFT_LIMIT_MB: 300, MEMORY_HARD_LIMIT_MB: 400 }, noCgroup)).toMatchObject({ MEMORY_SOFT_LIMIT_MB: 300, MEMORY_HARD_LIMIT_MB: 400, MEMORY_HYSTERESIS_MB: 30 });
  });

  it('takes the thresholds as percents of the limit (the inputs a chart passes)', () => {
    const r = loadConfig({}, { MEMORY_SOFT_LIMIT_PERCENT: '60', MEMORY_HARD_LIMIT_PERCENT: '80' }, cgroupOf(1400 * MiB));
    expect(r.ok && r.config).toMatchObject({ MEMORY_LIMIT_MB: 1400, MEMORY_SOFT_LIMIT_MB: 840, MEMORY_HARD_LIMIT_MB: 1120, MEMORY_HYSTERESIS_MB: 84 });
  });

  it('an explicit limit in MiB wins over its percent', () => {
    const r = loadConfig({}, { MEMORY_SOFT_LIMIT_PERCENT: '60', MEMORY_SOFT_LIMIT_MB: '500' }, cgroupOf(1400 * MiB));
    expect(r.ok && r.config.MEMORY_SOFT_LIMIT_MB).toBe(500);
  });

  it('MEMORY_LIMIT_MB wins over the cgroup', () => {
    const r = loadConfig({}, { MEMORY_LIMIT_MB: '1000' }, cgroupOf(4096 * MiB));
    expect(r.ok && r.config.MEMORY_HARD_LIMIT_MB).toBe(850);
  });

  const bad: Array<{ name: string; env: Record<string, string>; limit: number | 'max'; line: RegExp }> = [
    { name: 'soft not below hard', env: { MEMORY_SOFT_LIMIT_MB: '900', MEMORY_HARD_LIMIT_MB: '800' }, limit: 'max', line: /^MEMORY_SOFT_LIMIT_MB=900 must be less than MEMORY_HARD_LIMIT_MB=800/ },
    { name: 'hard not below the cgroup limit', env: { MEMORY_HARD_LIMIT_MB: '2048' }, limit: 2048 * MiB, line: /^MEMORY_HARD_LIMIT_MB=2048 must be less than the container memory limit MEMORY_LIMIT_MB=2048/ },
    { name: 'soft above the container limit, no hard', env: { MEMORY_LIMIT_MB: '500', MEMORY_SOFT_LIMIT_MB: '600', MEMORY_HARD_LIMIT_MB: '' }, limit: 'max', line: /^MEMORY_SOFT_LIMIT_MB=600 must be less than MEMORY_HARD_LIMIT_MB=425/ },
    { name: 'hysteresis not below soft', env: { MEMORY_SOFT_LIMIT_MB: '100', MEMORY_HYSTERESIS_MB: '100' }, limit: 'max', line: /^MEMORY_HYSTERESIS_MB=100 must be less than MEMORY_SOFT_LIMIT_MB=100/ },
    { name: 'hard percent not above soft percent', env: { MEMORY_SOFT_LIMIT_PERCENT: '80', MEMORY_HARD_LIMIT_PERCENT: '75' }, limit: 1000 * MiB, line: /^MEMORY_SOFT_LIMIT_MB=800 must be less than MEMORY_HARD_LIMIT_MB=750/ },
    { name: 'heartbeat max age shorter than a long poll', env: { HEARTBEAT_MAX_AGE: '25' }, limit: 'max', line: /^HEARTBEAT_MAX_AGE=25 must be greater than RECEIVE_WAIT_SECONDS \+ 10 = 30/ },
  ];
  it.each(bad)('rejects $name naming both values', ({ env, limit, line }) => {
    const r = loadConfig({}, env, cgroupOf(limit));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(expect.arrayContaining([expect.stringMatching(line)]));
  });

  it('accepts the defaults on a 2 GiB container', () => {
    const r = loadConfig({}, {}, cgroupOf(2048 * MiB));
    expect(r.ok).toBe(true);
  });
});
