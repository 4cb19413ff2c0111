import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSamples } from '../../devstack/samples.js';
import { FaultProxy } from './harness/fault-proxy.js';
import { FULL, SCENARIO_TIMEOUT_MS, World, nextSequencer, report, s3EventBody } from './harness/world.js';

/**
 * Scenario 7: SIGTERM mid-run (scale-in, rollout, the daily restart). The worker stops receiving,
 * finishes or releases what it holds within SHUTDOWN_TIMEOUT, flushes index and acks, and exits 0.
 * Some downloads stall so there is always unfinished work to release at the deadline.
 */
const MESSAGES = FULL ? 200 : 40;
const ROUNDS = FULL ? 5 : 3;
const SHUTDOWN_TIMEOUT_S = 3;
/** Abort + release + flushes after the deadline: well under the 10 s the worker allows itself. */
const EXIT_MARGIN_MS = 5000;

describe('fault 7: SIGTERM mid-run', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  let proxy: FaultProxy;
  beforeAll(async () => {
    world = await World.create();
    proxy = new FaultProxy(world.stack.s3Endpoint);
    await proxy.start();
  });
  afterAll(async () => {
    await proxy?.stop();
    await world?.close();
  });

  it(`${ROUNDS} SIGTERMs over ${MESSAGES} messages: exit 0 within the shutdown timeout, nothing lost`, async () => {
    const samples = makeSamples(MESSAGES, 71).map((s, i) => ({ ...s, key: `${i % 10 === 0 ? 'slow' : 'fast'}/${s.key}` }));
    await world.upload(samples);
    // Every first GET of a `slow/` object stalls after 10 bytes: in flight until released.
    const seen = new Set<string>();
    proxy.decide = ({ method, path }) => {
      if (method !== 'GET' || !path.includes('/slow/') || seen.has(path)) return undefined;
      seen.add(path);
      return { kind: 'stall', bytes: 10 };
    };
    await world.send(samples.map((s) => s3EventBody('created', world.stack.bucket, s.key, nextSequencer(), s.body.length)));
    const env = { AWS_ENDPOINT_URL_S3: proxy.url, SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT_S), MAX_INFLIGHT: '6', PROCESSING_TIMEOUT: '8', OCR_TIMEOUT: '4' };
    const rounds: Array<{ exitMs: number; code: number | null; released: number; indexedAtTerm: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const w = world.startWorker(env);
      await w.waitForLog((l) => l.event === 'startup', 20_000);
      const before = world.double.docs.size;
      await world.until(() => world.double.docs.size >= Math.min(samples.length, before + 5) || !w.alive, 30_000, () => 'no progress before SIGTERM');
      const termAt = Date.now();
      const indexedAtTerm = world.double.docs.size;
      w.kill('SIGTERM');
      const exit = await w.exited;
      const released = w.logs.filter((l) => l.event === 'shutdown' && typeof l.released === 'number').reduce((n, l) => n + Number(l.released), 0);
      rounds.push({ exitMs: Date.now() - termAt, code: exit.code, released, indexedAtTerm });
    }
    const last = world.startWorker(env);
    // The last round may already have indexed everything: wait for start-up anyway, or the SIGTERM
    // below can land while Node is still loading modules, before any handler exists.
    await last.waitForLog((l) => l.event === 'startup', 20_000);
    await world.until(() => world.double.docs.size >= samples.length, 120_000, () => `${world.double.docs.size}/${samples.length} indexed`);
    await world.drained(60_000);
    const lastExit = await last.stop();
    const dead = await world.drainDlq();
    const { lost, duplicated } = world.account(samples);
    report({
      scenario: '7 sigterm',
      messages: samples.length,
      lost: lost.length,
      duplicated,
      deadLettered: dead.length,
      maxRssMb: world.maxRssMb,
      rounds: rounds.length,
      exitCodes: rounds.map((r) => r.code).join('/'),
      exitMsAfterSigterm: rounds.map((r) => r.exitMs).join('/'),
      releasedAtDeadline: rounds.map((r) => r.released).join('/'),
      indexedAtSigterm: rounds.map((r) => r.indexedAtTerm).join('/'),
      shutdownTimeoutSeconds: SHUTDOWN_TIMEOUT_S,
    });
    for (const r of rounds) {
      expect(r.code).toBe(0);
      expect(r.exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_S * 1000 + EXIT_MARGIN_MS);
    }
    // There was unfinished work to hand back at least once (the stalled downloads).
    expect(rounds.some((r) => r.released > 0)).toBe(true);
    expect(lastExit.code).toBe(0);
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    expect(dead).toEqual([]);
    expect(await world.depth()).toEqual({ visible: 0, inFlight: 0 });
  });
});
