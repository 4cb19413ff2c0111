import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSamples, type Sample } from '../../devstack/samples.js';
import { FaultProxy, s3XmlError, type Fault } from './harness/fault-proxy.js';
import { FULL, PRODUCTION_MAX_RECEIVES, SCENARIO_TIMEOUT_MS, World, nextSequencer, report, s3EventBody } from './harness/world.js';

/**
 * Scenario 3: S3 misbehaves between the worker and the bucket. A missing object is a permanent
 * `not_found` (straight to the DLQ); 500s and connection resets are retried (by the SDK, then by
 * redelivery); a body that stalls mid-download hits PROCESSING_TIMEOUT and is retried.
 */
const PER_KIND = FULL ? 10 : 3;
/** Failing GETs per key: more than the SDK's 3 attempts, so redelivery is exercised too. */
const FAILURES_PER_KEY = 4;

function withPrefix(prefix: string, samples: Sample[]): Sample[] {
  return samples.map((s) => ({ ...s, key: `${prefix}/${s.key}` }));
}

describe('fault 3: S3 404, 500, connection reset, stalled body', { timeout: SCENARIO_TIMEOUT_MS }, () => {
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

  it('404 dead-letters as not_found; 500s, resets and stalls are retried until indexed', async () => {
    const healthy = withPrefix('ok', makeSamples(PER_KIND * 2, 31));
    const e500 = withPrefix('e500', makeSamples(PER_KIND, 32));
    const reset = withPrefix('reset', makeSamples(PER_KIND, 33));
    const stall = withPrefix('stall', makeSamples(PER_KIND, 34, ['txt', 'pdf']));
    const missing = withPrefix('missing', makeSamples(PER_KIND, 35));
    await world.upload([...healthy, ...e500, ...reset, ...stall]);

    const failures = new Map<string, number>();
    proxy.decide = ({ method, path }) => {
      if (method !== 'GET') return undefined;
      const kind = /^\/[^/]+\/(e500|reset|stall)\//.exec(path)?.[1];
      if (!kind) return undefined;
      const n = (failures.get(path) ?? 0) + 1;
      failures.set(path, n);
      if (kind === 'stall') return n === 1 ? ({ kind: 'stall', bytes: 10 } as Fault) : undefined;
      if (n > FAILURES_PER_KEY) return undefined;
      return kind === 'e500' ? s3XmlError(500, 'InternalError', 'injected') : { kind: 'reset' };
    };

    const all = [...healthy, ...e500, ...reset, ...stall, ...missing];
    await world.send(all.map((s) => s3EventBody('created', world.stack.bucket, s.key, nextSequencer(), s.body.length)));
    const worker = world.startWorker({ AWS_ENDPOINT_URL_S3: proxy.url, PROCESSING_TIMEOUT: '5', OCR_TIMEOUT: '2', MAX_INFLIGHT: '8' });
    const present = [...healthy, ...e500, ...reset, ...stall];
    await world.until(() => present.every((s) => world.double.docs.has(world.idOf(s.key))), 120_000, () => `${world.double.docs.size}/${present.length} indexed`);
    await world.drained(60_000);
    const exit = await worker.stop();
    expect(exit.code).toBe(0);

    const dead = await world.drainDlq();
    const { lost, duplicated } = world.account(present);
    const getsPerKey = (prefix: string) => [...failures.entries()].filter(([p]) => p.includes(`/${prefix}/`)).map(([, n]) => n);
    const failed = worker.events('job_failed');
    const timeouts = failed.filter((l) => l.error_class === 'processing_timeout').length;
    report({
      scenario: '3 s3 faults',
      messages: all.length,
      lost: lost.length,
      duplicated,
      deadLettered: dead.length,
      maxRssMb: world.maxRssMb,
      notFoundDeadLettered: dead.filter((d) => d.errorClass === 'not_found').length,
      getsPer500Key: Math.max(...getsPerKey('e500')),
      getsPerResetKey: Math.max(...getsPerKey('reset')),
      stallTimeouts: timeouts,
      jobFailures: failed.length,
      maxDeliveriesPerMessage: world.maxReceives,
      s3Requests: proxy.log.length,
    });
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    // Exactly the missing objects, each once, classified not_found at the fetch stage.
    expect(dead.map((d) => d.errorClass)).toEqual(missing.map(() => 'not_found'));
    expect(dead.every((d) => d.stage === 'fetch')).toBe(true);
    expect(dead.map((d) => (JSON.parse(d.body) as { Records: Array<{ s3: { object: { key: string } } }> }).Records[0]!.s3.object.key).sort()).toEqual(
      missing.map((s) => encodeURIComponent(s.key).replace(/%20/g, '+').replace(/%2F/g, '/')).sort(),
    );
    // Retried, and boundedly: every failing GET was followed by exactly one that passed.
    for (const n of [...getsPerKey('e500'), ...getsPerKey('reset')]) expect(n).toBe(FAILURES_PER_KEY + 1);
    for (const n of getsPerKey('stall')) expect(n).toBe(2);
    expect(timeouts).toBe(stall.length);
    expect(world.maxReceives).toBeLessThan(PRODUCTION_MAX_RECEIVES);
    expect(await world.depth()).toEqual({ visible: 0, inFlight: 0 });
  });
});
