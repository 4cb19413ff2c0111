import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../devstack/local-stack.js';
import { makeSamples } from '../../../devstack/samples.js';
import { upload, WorkerChild } from './child.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ queueName: `rt-sigterm-${Date.now().toString(36)}` });
});
afterAll(async () => {
  await stack?.close();
});

function keyOf(body: string | undefined): string {
  const record = (JSON.parse(body ?? '{}') as { Records?: Array<{ s3: { object: { key: string } } }> }).Records?.[0];
  return decodeURIComponent((record?.s3.object.key ?? '').replace(/\+/g, ' '));
}

describe('SIGTERM in the middle of a 100-message run', () => {
  it('finishes in-flight work, loses nothing, leaves the rest visible within a second and exits 0', async () => {
    const samples = makeSamples(100, 11);
    await upload(stack, samples);
    const worker = new WorkerChild({ ...stack.env, MAX_INFLIGHT: '8', SHUTDOWN_TIMEOUT: '20' });
    try {
      await worker.waitFor(() => worker.count('job_done') >= 25, 30_000, '25 finished messages');
      const signalledAt = performance.now();
      const doneAtSignal = worker.count('job_done');
      worker.proc.kill('SIGTERM');
      // A second consumer takes whatever is visible during the first second after the signal.
      const seen: string[] = [];
      while (performance.now() - signalledAt < 1000) {
        const out = await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 }));
        for (const m of out.Messages ?? []) seen.push(keyOf(m.Body));
        if ((out.Messages ?? []).length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      const exit = await worker.exited;
      const drainMs = exit.at - signalledAt;
      const indexed = worker.indexedKeys();
      const done = worker.count('job_done');
      const drained = worker.logs.find((l) => l.event === 'drained');
      const stopping = worker.logs.find((l) => l.event === 'shutdown' && l.reason === 'signal' && typeof l.inflight === 'number');
      console.log(
        `SIGTERM after ${doneAtSignal} done, ${String(stopping?.inflight)} in flight: exit ${exit.code} in ${Math.round(drainMs)} ms (worker drain ${String(drained?.drain_ms)} ms); indexed ${indexed.length}, visible within 1 s ${seen.length}; counts ${JSON.stringify(drained?.counts)}`,
      );

      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(done).toBeLessThan(100); // the signal really landed mid-run
      expect(indexed.length).toBeGreaterThanOrEqual(doneAtSignal);
      // Nothing lost: every object is either indexed (and its message deleted) or back on the queue.
      expect(new Set([...indexed, ...seen])).toEqual(new Set(samples.map((s) => s.key)));
      // Nothing processed twice: no object both indexed and handed back, no document written twice.
      expect(indexed.filter((k) => seen.includes(k))).toEqual([]);
      expect(new Set(indexed).size).toBe(indexed.length);
      expect(drained).toBeDefined();
      expect(worker.logs.some((l) => l.event === 'shutdown' && l.signal === 'SIGTERM')).toBe(true);
    } finally {
      await worker.kill();
    }
  });
});
