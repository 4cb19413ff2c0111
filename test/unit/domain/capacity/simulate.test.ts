import { describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOR } from '../../../../src/domain/capacity/hpa.js';
import { KEDA_SQS_DEFAULTS } from '../../../../src/domain/capacity/keda.js';
import { DEFAULT_DAEMON_OVERHEAD, DEFAULT_POD_REQUESTS, T3_MEDIUM } from '../../../../src/domain/capacity/nodes.js';
import { simulateCapacity, type CapacityScenario } from '../../../../src/domain/capacity/simulate.js';

const base: CapacityScenario = {
  backlog: 0,
  arrivals: [],
  perPodPerMinute: 60,
  inFlightPerPod: 16,
  scaler: KEDA_SQS_DEFAULTS,
  minReplicas: 0,
  maxReplicas: 10,
  pollingIntervalSeconds: 30,
  cooldownPeriodSeconds: 300,
  behavior: DEFAULT_BEHAVIOR,
  hpaSyncSeconds: 15,
  tolerance: 0.1,
  podStartupSeconds: 60,
  initialReplicas: 0,
  node: T3_MEDIUM,
  pod: DEFAULT_POD_REQUESTS,
  overhead: DEFAULT_DAEMON_OVERHEAD,
  horizonSeconds: 7 * 86_400,
};

describe('capacity simulation: the whole run of 259,399 messages', () => {
  // A measured rate: the old worker's best was 122/min; a docsift pod is planned at 100/min.
  const scenario: CapacityScenario = { ...base, backlog: 259_399, perPodPerMinute: 100, maxReplicas: 20 };
  const plan = simulateCapacity(scenario);

  it('drains, and processes exactly the backlog', () => {
    expect(plan.drained).toBe(true);
    expect(plan.processed).toBe(259_399);
    expect(plan.finalBacklog).toBe(0);
  });

  it('takes the time the rate and the ramp imply', () => {
    const fullFleetSeconds = (259_399 / (20 * 100)) * 60; // 7,782 s at 20 pods × 100/min
    // Lower bound: the full fleet from t=0. Upper bound: plus the ramp (first pod after the start-up, full at peak time + start-up).
    expect(plan.drainSeconds!).toBeGreaterThanOrEqual(fullFleetSeconds);
    expect(plan.drainSeconds!).toBeLessThanOrEqual(fullFleetSeconds + plan.peakReplicasAtSeconds + scenario.podStartupSeconds + 1);
    // The messages are the integral of ready pods × rate: check it over the 15 s timeline within one sample's worth.
    let integral = 0;
    for (let i = 1; i < plan.timeline.length; i++) {
      const prev = plan.timeline[i - 1]!;
      const cur = plan.timeline[i]!;
      if (prev.t >= plan.drainSeconds!) break;
      integral += prev.ready * (100 / 60) * (Math.min(cur.t, plan.drainSeconds!) - prev.t);
    }
    expect(Math.abs(integral - 259_399)).toBeLessThan(20 * (100 / 60) * 15);
  });

  it('ramps 0 → 1 (KEDA) → 5 → 10 → 20 (HPA default policies) and reaches max within a minute', () => {
    expect(plan.events.slice(0, 4).map((e) => [e.by, e.to])).toEqual([
      ['keda', 1],
      ['hpa', 5],
      ['hpa', 10],
      ['hpa', 20],
    ]);
    expect(plan.peakReplicas).toBe(20);
    expect(plan.peakReplicasAtSeconds).toBeLessThanOrEqual(60);
    expect(plan.firstReadySeconds).toBe(60);
  });

  it('puts two pods on a t3.medium: 10 nodes at the peak', () => {
    expect(plan.podsPerNode).toBe(2);
    expect(plan.peakNodes).toBe(10);
  });

  it('scales back to zero after the cooldown, and counts that tail in pod-hours and cost', () => {
    const last = plan.events[plan.events.length - 1]!;
    expect(last).toMatchObject({ by: 'keda', to: 0 });
    expect(last.t - plan.drainSeconds!).toBeLessThanOrEqual(scenario.cooldownPeriodSeconds + scenario.pollingIntervalSeconds);
    expect(plan.podHours).toBeGreaterThan(plan.podHoursToDrain!);
    expect(plan.cost).toBeCloseTo(plan.nodeHours * T3_MEDIUM.hourlyPrice, 10);
    // About 20 pods for 2h10m: 43-46 pod-hours.
    expect(plan.podHours).toBeGreaterThan(43);
    expect(plan.podHours).toBeLessThan(46);
  });
});

describe('capacity simulation: scaling rules', () => {
  it.each([
    ['an empty queue never starts a pod', { backlog: 0 }, 0],
    ['a backlog at activationQueueLength does not activate', { backlog: 10, scaler: { ...KEDA_SQS_DEFAULTS, activationQueueLength: 10 } }, 0],
    ['a backlog above activationQueueLength does', { backlog: 11, scaler: { ...KEDA_SQS_DEFAULTS, activationQueueLength: 10 } }, 3],
    ['minReplicas holds pods up with nothing to do', { backlog: 0, minReplicas: 2, initialReplicas: 2 }, 2],
    ['maxReplicas caps a huge backlog', { backlog: 1_000_000, maxReplicas: 7, horizonSeconds: 600 }, 7],
  ] as const)('%s', (_name, over, peak) => {
    expect(simulateCapacity({ ...base, ...over }).peakReplicas).toBe(peak);
  });

  it('does not drain when arrivals exceed the fleet, and says so', () => {
    const plan = simulateCapacity({ ...base, arrivals: [{ fromSeconds: 0, perMinute: 1000 }], maxReplicas: 5, horizonSeconds: 3600 });
    expect(plan.drained).toBe(false);
    expect(plan.drainSeconds).toBeNull();
    expect(plan.finalBacklog).toBeGreaterThan(3600 * (1000 - 5 * 60) / 60 - 1000);
  });

  it('a burst of arrivals that stops is drained after it stops', () => {
    const plan = simulateCapacity({ ...base, arrivals: [{ fromSeconds: 0, perMinute: 600 }, { fromSeconds: 3600, perMinute: 0 }], maxReplicas: 20 });
    expect(plan.drained).toBe(true);
    expect(plan.drainSeconds!).toBeGreaterThanOrEqual(3600);
    expect(plan.processed).toBe(36_000);
  });

  it('the metric counts in-flight messages only with scaleOnInFlight', () => {
    const on = simulateCapacity({ ...base, backlog: 2000, maxReplicas: 10 });
    const off = simulateCapacity({ ...base, backlog: 2000, maxReplicas: 10, scaler: { ...KEDA_SQS_DEFAULTS, scaleOnInFlight: false } });
    const busyOn = on.timeline.filter((p) => p.ready > 0 && p.backlog > 0);
    const busyOff = off.timeline.filter((p) => p.ready > 0 && p.backlog > 0);
    expect(busyOn.length).toBeGreaterThan(0);
    expect(busyOff.length).toBeGreaterThan(0);
    for (const p of busyOn) expect(p.metric).toBe(p.backlog);
    for (const p of busyOff) expect(p.metric).toBe(p.backlog - Math.min(p.backlog, p.ready * 16));
  });

  it('refuses a pod that does not fit the node type', () => {
    expect(() => simulateCapacity({ ...base, backlog: 1, pod: { millicpu: 4000, memoryMiB: 512 } })).toThrow(/does not fit/);
  });
});
