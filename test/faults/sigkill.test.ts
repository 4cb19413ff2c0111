import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../devstack/samples.js';
import { FULL, SCENARIO_TIMEOUT_MS, World, report } from './harness/world.js';

/**
 * Scenario 1: SIGKILL at random moments. The worker is killed without warning, for reasons that
 * have nothing to do with its documents (node loss, eviction, a pod deleted past its grace period),
 * again and again while it works through the corpus; SQS redelivers what was in flight, and
 * indexing by a stable `_id` makes every redelivery an overwrite. Each replacement is a new pod with
 * a new emptyDir as TEMP_DIR, as Kubernetes does it. (A kill within one pod keeps TEMP_DIR and its
 * in-flight journal: that is the OOM kill or crash the poison guard exists for, and after two such
 * deaths with a message alone it is dead-lettered as `poison`; test/faults/poison.test.ts.)
 */
const MESSAGES = FULL ? 200 : 60;
const ROUNDS = FULL ? 10 : 4;

describe('fault 1: SIGKILL at random moments', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create();
  });
  afterAll(() => world?.close());

  it(`${ROUNDS} kills over ${MESSAGES} messages: every object indexed exactly once, queue empty, DLQ empty`, async () => {
    const samples = await world.seedCorpus(MESSAGES);
    const rand = rng(1234);
    const kills: Array<{ afterMs: number; indexedBefore: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const w = world.startWorker({ MAX_INFLIGHT: '8', TEMP_DIR: join(world.dir, `pod-${round}`) });
      // A random moment: every other round during start-up/first receive, otherwise mid-work
      // (once this worker has indexed something), so kills land between download, index and ack.
      await w.waitForLog((l) => l.event === 'startup', 20_000);
      if (round % 2 === 1) {
        const before = world.double.docs.size;
        await world.until(() => world.double.docs.size > before || !w.alive, 20_000).catch(() => undefined);
      }
      const afterMs = Math.round(rand() * (round % 2 === 1 ? 400 : 1500));
      await new Promise((r) => setTimeout(r, afterMs));
      const indexedBefore = world.double.docs.size;
      w.kill('SIGKILL');
      const exit = await w.exited;
      expect(exit.signal).toBe('SIGKILL');
      kills.push({ afterMs, indexedBefore });
    }
    const last = world.startWorker({ MAX_INFLIGHT: '8', TEMP_DIR: join(world.dir, 'pod-last') });
    // The killed workers may have finished the corpus already; the stop below must still reach a
    // worker that runs (a SIGTERM inside Node's own bootstrap, before any code of ours, kills it:
    // the start-up window after that is start-up-hygiene's case).
    await last.waitForLog((l) => l.event === 'startup', 20_000);
    await world.until(() => world.double.docs.size >= samples.length, 120_000, () => `${world.double.docs.size}/${samples.length} indexed`);
    // What the killed workers held in flight comes back after VISIBILITY_TIMEOUT and is re-indexed.
    await world.drained(60_000);
    const exit = await last.stop();
    expect(exit, `last worker: ${JSON.stringify(exit)}; stderr: ${last.stderr.slice(-3000)}; last log lines: ${JSON.stringify(last.logs.slice(-8))}`).toMatchObject({ code: 0 });
    const dead = await world.drainDlq();
    const { lost, duplicated, rewrites } = world.account(samples);
    report({
      scenario: '1 sigkill',
      messages: samples.length,
      lost: lost.length,
      duplicated,
      deadLettered: dead.length,
      maxRssMb: world.maxRssMb,
      kills: kills.length,
      extraIndexAttempts: rewrites,
      killedAfterMs: kills.map((k) => k.afterMs).join('/'),
      indexedAtKills: kills.map((k) => k.indexedBefore).join('/'),
    });
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    expect(dead).toEqual([]);
    expect(world.double.docs.size).toBe(samples.length);
    expect(await world.depth()).toEqual({ visible: 0, inFlight: 0 });
  });
});
