import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../devstack/local-stack.js';
import { ROOT, WorkerChild } from './child.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ queueName: `rt-live-${Date.now().toString(36)}` });
});
afterAll(async () => {
  await stack?.close();
});

/** Runs the real `docsift healthcheck` entry (a separate process, as the kubelet runs it). */
function healthcheck(dir: string, maxAge: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/healthcheck.ts'), '--max-age', String(maxAge)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HEARTBEAT_DIR: dir },
    });
    let output = '';
    p.stdout.on('data', (c: Buffer) => (output += c.toString()));
    p.stderr.on('data', (c: Buffer) => (output += c.toString()));
    p.on('exit', (code) => resolve({ code, output: output.trim() }));
  });
}

describe('docsift healthcheck against a real worker', () => {
  it('fails within --max-age while the event loop is blocked, naming the stale heartbeat, and passes after recovery', async () => {
    const MAX_AGE = 3;
    const BLOCK_MS = 7000;
    // OCR off: this is about the intake loop and the event loop (OCR workers beat every 2 s, too coarse for a 3 s max age).
    const worker = new WorkerChild({ ...stack.env, HEARTBEAT_MAX_AGE: '12', OCR_ENABLED: 'false' });
    try {
      await worker.waitFor(() => worker.logs.some((l) => l.event === 'startup' && typeof l.metrics_port === 'number') || worker.logs.some((l) => l.event === 'memory_check'), 20_000, 'start-up');
      // Healthy while idle: the intake loop beats on every (empty) long poll.
      let ok = await healthcheck(worker.heartbeatDir, MAX_AGE);
      for (let i = 0; i < 20 && ok.code !== 0; i += 1) ok = await healthcheck(worker.heartbeatDir, MAX_AGE);
      expect(ok).toMatchObject({ code: 0, output: expect.stringMatching(/^ok: intake /) });
      await new Promise((r) => setTimeout(r, 1500));
      expect((await healthcheck(worker.heartbeatDir, MAX_AGE)).code).toBe(0);

      const blockedAt = performance.now();
      worker.control(`block ${BLOCK_MS}`);
      let failedAfter: number | null = null;
      let failure = '';
      while (performance.now() - blockedAt < BLOCK_MS - 500) {
        const r = await healthcheck(worker.heartbeatDir, MAX_AGE);
        if (r.code !== 0) {
          failedAfter = (performance.now() - blockedAt) / 1000;
          failure = r.output;
          break;
        }
      }
      console.log(`healthcheck failed ${failedAfter?.toFixed(2)} s after the event loop was blocked (max age ${MAX_AGE} s): ${failure}`);
      expect(failedAfter).not.toBeNull();
      // Within --max-age of the block, plus one probe's own start time.
      expect(failedAfter!).toBeLessThan(MAX_AGE + 1.5);
      expect(failure).toMatch(/^unhealthy: stale heartbeat intake \d+\.\ds \(max age 3s\)$/);

      await worker.waitFor(() => worker.stderr.includes(`control: done block ${BLOCK_MS}`), BLOCK_MS + 5000, 'the end of the block');
      const recoveredAt = performance.now();
      let again = await healthcheck(worker.heartbeatDir, MAX_AGE);
      while (again.code !== 0 && performance.now() - recoveredAt < 5000) again = await healthcheck(worker.heartbeatDir, MAX_AGE);
      console.log(`healthcheck passed again ${((performance.now() - recoveredAt) / 1000).toFixed(2)} s after the loop was released`);
      expect(again.code).toBe(0);
      worker.proc.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    } finally {
      await worker.kill();
    }
  });
});
