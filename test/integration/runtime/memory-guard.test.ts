import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../devstack/local-stack.js';
import { makeSamples } from '../../../devstack/samples.js';
import { freePort, ROOT, sample, upload, WorkerChild } from './child.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ queueName: `rt-mem-${Date.now().toString(36)}` });
});
afterAll(async () => {
  await stack?.close();
});

const LIMITS = { MEMORY_LIMIT_MB: '4096', MEMORY_SOFT_LIMIT_MB: '420', MEMORY_HARD_LIMIT_MB: '760', MEMORY_HYSTERESIS_MB: '40', MEMORY_CHECK_INTERVAL_MS: '100' };

describe('memory guard in a real worker process', () => {
  it('pauses intake at the soft limit, resumes below it, and at the hard limit drains and exits 0', async () => {
    const port = await freePort();
    const worker = new WorkerChild({ ...stack.env, ...LIMITS, METRICS_PORT: String(port) }, ['--expose-gc']);
    const guardState = async () => sample(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), 'docsift_memory_guard_state');
    const states = () => worker.logs.filter((l) => l.event === 'memory_guard').map((l) => l.state);
    try {
      await upload(stack, makeSamples(5, 1));
      await worker.waitFor(() => worker.count('job_done') >= 5, 30_000, 'the first 5 messages');
      const start = worker.logs.find((l) => l.event === 'memory_check');
      console.log(`worker RSS at start ${String(start?.rss_mb)} MiB; soft ${LIMITS.MEMORY_SOFT_LIMIT_MB}, hard ${LIMITS.MEMORY_HARD_LIMIT_MB}`);
      expect(await guardState()).toBe(0);

      worker.control('ballast 448');
      await worker.waitFor(() => states().includes('soft'), 10_000, 'the soft limit');
      expect(await guardState()).toBe(1);
      // A long poll already on the wire may still finish (RECEIVE_WAIT_SECONDS=1); no new one starts.
      await new Promise((r) => setTimeout(r, 1500));
      await upload(stack, makeSamples(5, 2).map((s) => ({ ...s, key: `second/${s.key}` })));
      await new Promise((r) => setTimeout(r, 2500));
      expect(worker.count('job_done')).toBe(5); // paused: nothing new was received
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200); // paused is not dead

      worker.control('ballast 0');
      await worker.waitFor(() => states().filter((s) => s === 'ok').length >= 1, 10_000, 'resume below the soft limit');
      await worker.waitFor(() => worker.count('job_done') >= 10, 20_000, 'the paused messages');
      expect(await guardState()).toBe(0);

      await upload(stack, makeSamples(3, 3).map((s) => ({ ...s, key: `third/${s.key}` })));
      await worker.waitFor(() => worker.count('job_done') >= 13, 20_000, 'the third batch');
      worker.control('ballast 832');
      const exit = await worker.exited;
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(states()).toEqual(['soft', 'ok', 'hard']);
      const stopped = worker.logs.find((l) => l.event === 'shutdown' && l.reason === 'memory' && l.counts);
      expect(stopped).toBeDefined();
      expect(worker.logs.some((l) => l.event === 'drained' && l.reason === 'memory')).toBe(true);
    } finally {
      await worker.kill();
    }
  });

  it('refuses to start (exit 2) when the soft limit is not below the hard limit, naming both values', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/index.ts'), 'run'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...stack.env, MEMORY_SOFT_LIMIT_MB: '800', MEMORY_HARD_LIMIT_MB: '700', MEMORY_LIMIT_MB: '4096' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/MEMORY_SOFT_LIMIT_MB=800 must be less than MEMORY_HARD_LIMIT_MB=700/);
  });
});
