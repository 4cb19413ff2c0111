import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL, PRODUCTION_MAX_RECEIVES, SCENARIO_TIMEOUT_MS, World, report } from './harness/world.js';

/**
 * Scenario 2: the index answers 503 to everything for OUTAGE_MS, then recovers; later every bulk item
 * is rejected with 429 on its first two attempts. Nothing is lost, nothing is dead-lettered for a
 * transient cause, and while the index fails the worker backs off instead of hammering it.
 */
const MESSAGES = FULL ? 200 : 40;
const OUTAGE_MS = FULL ? 30_000 : 8_000;

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

describe('fault 2: index outage, then per-item 429s', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create();
  });
  afterAll(() => world?.close());

  it(`503 for ${OUTAGE_MS / 1000} s, then 429s per item: nothing lost, nothing dead-lettered, retries bounded with backoff`, async () => {
    const env = { MAX_INFLIGHT: '8', RETRY_BASE_SECONDS: '2', RETRY_MAX_SECONDS: '8', BULK_MAX_RETRIES: '5' };
    const worker = world.startWorker(env);
    await worker.waitForLog((l) => l.event === 'startup', 20_000);
    await world.until(() => world.double.templates.size > 0, 20_000, () => 'index template never applied');

    // Phase A: outage from before the first message until OUTAGE_MS later.
    world.double.requestFault = 503;
    const outageStart = Date.now();
    const firstHalf = await world.seedCorpus(MESSAGES / 2, 11);
    await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - outageStart)));
    world.double.requestFault = null;
    const outageEnd = Date.now();
    const during = world.double.requests.filter((r) => r.at >= outageStart && r.at < outageEnd);
    expect(during.every((r) => r.status === 503)).toBe(true);
    expect(world.double.docs.size).toBe(0);

    // Phase B: recovered, but every item gets 429 on its first two attempts.
    const attempts = new Map<string, number>();
    world.double.itemFault = ({ id }) => {
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      return n <= 2 ? { status: 429, type: 'es_rejected_execution_exception', reason: 'injected 429' } : undefined;
    };
    const secondHalf = await world.seedCorpus(MESSAGES / 2, 12);
    const samples = [...firstHalf, ...secondHalf];
    await world.until(() => world.double.docs.size >= samples.length, 120_000, () => `${world.double.docs.size}/${samples.length} indexed`);
    await world.drained(60_000);
    const exit = await worker.stop();
    expect(exit.code).toBe(0);

    const dead = await world.drainDlq();
    const { lost, duplicated, rewrites } = world.account(samples);
    const outageRate = during.length / (OUTAGE_MS / 1000);
    const outageGaps = gaps(during.map((r) => r.at));
    const retries = worker.events('index_retry');
    const maxAttemptsPerId = Math.max(...attempts.values());
    report({
      scenario: '2 index outage + 429',
      messages: samples.length,
      lost: lost.length,
      duplicated,
      deadLettered: dead.length,
      maxRssMb: world.maxRssMb,
      outageSeconds: OUTAGE_MS / 1000,
      bulkRequestsDuringOutage: during.length,
      bulkRequestsPerSecondDuringOutage: Number(outageRate.toFixed(2)),
      longestGapDuringOutageMs: Math.max(0, ...outageGaps),
      recoveredAfterMs: (world.double.requests.find((r) => r.at >= outageEnd && r.status === 200)?.at ?? NaN) - outageEnd,
      indexRetryLogLines: retries.length,
      maxBulkAttemptsPerIdIn429Phase: maxAttemptsPerId,
      maxDeliveriesPerMessage: world.maxReceives,
      extraIndexAttempts: rewrites,
    });
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    expect(dead).toEqual([]);
    // A redrive policy of 5 would not have dead-lettered anything for this transient outage.
    expect(world.maxReceives).toBeLessThan(PRODUCTION_MAX_RECEIVES);
    // Bounded while failing: the bulk chain sleeps between attempts (200 ms base, doubling,
    // jittered to at least half), so even with new messages arriving it cannot exceed a few
    // requests per second; a retry loop without backoff would send hundreds.
    expect(outageRate).toBeLessThan(3);
    expect(during.length).toBeGreaterThan(2);
    // Backoff, not a fixed interval: some gap reached at least the 4th step (>= 0.8 s).
    expect(Math.max(...outageGaps)).toBeGreaterThanOrEqual(800);
    // 429 phase: each item needed exactly its two rejections plus one success; retries were logged.
    expect(maxAttemptsPerId).toBe(3);
    expect(retries.length).toBeGreaterThan(0);
    expect(await world.depth()).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe('fault 2b: worker started during an index outage', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create();
  });
  afterAll(() => world?.close());

  /**
   * A pod started during an outage must not crash-loop: `createApp` retries transient template
   * failures with backoff (waitForIndex in src/main.ts) and the worker indexes once the index is back.
   */
  it('stays up through a start-up outage and indexes once the index is back', async () => {
    world.double.requestFault = 503;
    const worker = world.startWorker();
    await new Promise((r) => setTimeout(r, 5000));
    const aliveDuringOutage = worker.alive;
    world.double.requestFault = null;
    const samples = await world.seedCorpus(5, 21);
    expect(aliveDuringOutage).toBe(true);
    await world.until(() => world.double.docs.size >= samples.length || !worker.alive, 30_000);
    expect(world.account(samples).lost).toEqual([]);
  });
});
