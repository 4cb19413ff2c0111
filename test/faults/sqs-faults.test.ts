import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../src/adapters/aws/classify-aws-error.js';
import { localSqsClient } from '../../devstack/local-stack.js';
import { FaultProxy, sqsJsonError } from './harness/fault-proxy.js';
import { FULL, PRODUCTION_MAX_RECEIVES, SCENARIO_TIMEOUT_MS, World, report } from './harness/world.js';

/**
 * Scenario 4: SQS throttles and refuses connections during receive and delete. The worker backs off
 * (bounded request rate while failing), does not crash, and carries on; what it could not delete
 * comes back and is re-indexed under the same `_id`.
 */
const MESSAGES = FULL ? 200 : 40;
const PHASE_MS = FULL ? 15_000 : 5_000;
const THROTTLE = sqsJsonError(400, 'ThrottlingException', 'Rate exceeded');

const isReceive = (t: string | undefined) => t === 'AmazonSQS.ReceiveMessage';
const isDelete = (t: string | undefined) => t === 'AmazonSQS.DeleteMessageBatch';

describe('fault 4: SQS throttling and refused connections', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  let proxy: FaultProxy;
  beforeAll(async () => {
    world = await World.create();
    proxy = new FaultProxy(world.stack.sqsEndpoint);
    await proxy.start();
  });
  afterAll(async () => {
    await proxy?.stop();
    await world?.close();
  });

  it('the injected throttling response is what the SDK parses as ThrottlingException', async () => {
    proxy.decide = () => THROTTLE;
    const client = localSqsClient(proxy.url);
    try {
      const err = await client.send(new ReceiveMessageCommand({ QueueUrl: world.stack.queueUrl }), {}).catch((e: unknown) => e);
      expect((err as Error).name).toBe('ThrottlingException');
      expect(classifyAwsError(err, 'receive', 'connection').code).toBe('throttled');
    } finally {
      client.destroy();
      proxy.decide = () => undefined;
      proxy.log.length = 0;
    }
  });

  it('throttled receives, throttled deletes, refused connections: backs off, keeps running, loses nothing', async () => {
    const phases: Record<string, { from: number; to: number }> = {};
    let mode: 'throttle_receive' | 'throttle_delete' | 'pass' = 'throttle_receive';
    proxy.decide = ({ target }) => {
      if (mode === 'throttle_receive' && isReceive(target)) return THROTTLE;
      if (mode === 'throttle_delete' && isDelete(target)) return THROTTLE;
      return undefined;
    };
    const worker = world.startWorker({ AWS_ENDPOINT_URL_SQS: proxy.url, MAX_INFLIGHT: '4', RECEIVE_BATCH_SIZE: '4' });
    await worker.waitForLog((l) => l.event === 'startup', 20_000);
    const samples = await world.seedCorpus(MESSAGES, 41);

    // Phase A: every ReceiveMessage is throttled.
    phases.throttleReceive = { from: Date.now(), to: 0 };
    await new Promise((r) => setTimeout(r, PHASE_MS));
    phases.throttleReceive.to = Date.now();
    expect(world.double.docs.size).toBe(0);

    // Phase B: receives pass, every DeleteMessageBatch is throttled.
    mode = 'throttle_delete';
    phases.throttleDelete = { from: Date.now(), to: 0 };
    await new Promise((r) => setTimeout(r, PHASE_MS));
    phases.throttleDelete.to = Date.now();
    const indexedDuringDeleteFaults = world.double.docs.size;

    // Phase C: nothing listens: every connection is refused.
    mode = 'pass';
    await proxy.refuse();
    phases.refused = { from: Date.now(), to: 0 };
    const errorsBefore = worker.events('receive_error').length;
    await new Promise((r) => setTimeout(r, PHASE_MS));
    phases.refused.to = Date.now();
    const refusedErrors = worker.events('receive_error').slice(errorsBefore);
    expect(worker.alive).toBe(true);
    await proxy.accept();

    await world.until(() => world.double.docs.size >= samples.length, 120_000, () => `${world.double.docs.size}/${samples.length} indexed`);
    await world.drained(90_000);
    expect(worker.alive).toBe(true);
    const exit = await worker.stop();
    expect(exit.code).toBe(0);

    const inPhase = (p: { from: number; to: number }, f: (t: string | undefined) => boolean) =>
      proxy.log.filter((r) => r.at >= p.from && r.at < p.to && f(r.target)).length;
    const seconds = PHASE_MS / 1000;
    const receivesWhileThrottled = inPhase(phases.throttleReceive!, isReceive);
    const deletesWhileThrottled = inPhase(phases.throttleDelete!, isDelete);
    const retryDelays = refusedErrors.map((l) => Number(l.retry_in_ms));
    const dead = await world.drainDlq();
    const { lost, duplicated, rewrites } = world.account(samples);
    report({
      scenario: '4 sqs faults',
      messages: samples.length,
      lost: lost.length,
      duplicated,
      deadLettered: dead.length,
      maxRssMb: world.maxRssMb,
      phaseSeconds: seconds,
      receiveRequestsWhileThrottled: receivesWhileThrottled,
      receivesPerSecondWhileThrottled: Number((receivesWhileThrottled / seconds).toFixed(2)),
      deleteRequestsWhileThrottled: deletesWhileThrottled,
      indexedDuringDeleteFaults,
      receiveErrorsWhileRefused: refusedErrors.length,
      refusedRetryDelaysMs: retryDelays.join('/'),
      reindexedAfterFailedDeletes: rewrites,
      maxDeliveriesPerMessage: world.maxReceives,
    });
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    expect(dead).toEqual([]);
    // Not a tight loop: the SDK makes at most 3 attempts per receive and the loop backs off
    // 0.5 s, 1 s, 2 s… between failed receives, so a 5 s phase sees a handful of requests (a loop
    // without backoff would send hundreds).
    expect(receivesWhileThrottled).toBeGreaterThan(0);
    expect(receivesWhileThrottled / seconds).toBeLessThan(3);
    // Deletes: 4 attempts per batch with 250 ms doubling backoff, at most one batch per 10 acks.
    expect(deletesWhileThrottled).toBeGreaterThan(0);
    expect(deletesWhileThrottled / seconds).toBeLessThan(10);
    // Refused: each failed receive waits longer than the one before, up to the 30 s cap.
    expect(refusedErrors.length).toBeGreaterThan(0);
    expect(refusedErrors.length).toBeLessThan(10);
    expect(refusedErrors.every((l) => l.error_class === 'connection')).toBe(true);
    for (let i = 1; i < retryDelays.length; i++) expect(retryDelays[i]!).toBeGreaterThanOrEqual(retryDelays[i - 1]!);
    expect(world.maxReceives).toBeLessThan(PRODUCTION_MAX_RECEIVES);
    expect(await world.depth()).toEqual({ visible: 0, inFlight: 0 });
  });
});
