import { describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOR, emptyHpaMemory, externalMetricReplicas, hpaSync, type HpaBehavior } from '../../../../src/domain/capacity/hpa.js';
import { isScalerActive, KEDA_SQS_DEFAULTS, sqsMetric, type SqsScalerSpec } from '../../../../src/domain/capacity/keda.js';

const spec = (over: Partial<SqsScalerSpec> = {}): SqsScalerSpec => ({ ...KEDA_SQS_DEFAULTS, ...over });

describe('KEDA aws-sqs-queue metric', () => {
  it.each([
    ['visible + in flight with scaleOnInFlight (default)', { visible: 12, inFlight: 8, delayed: 3 }, {}, 20],
    ['visible only without scaleOnInFlight', { visible: 12, inFlight: 8, delayed: 3 }, { scaleOnInFlight: false }, 12],
    ['delayed counted only with scaleOnDelayed', { visible: 12, inFlight: 8, delayed: 3 }, { scaleOnDelayed: true }, 23],
    ['in flight alone keeps the metric up', { visible: 0, inFlight: 16, delayed: 0 }, {}, 16],
    ['in flight alone is ignored without scaleOnInFlight', { visible: 0, inFlight: 16, delayed: 0 }, { scaleOnInFlight: false }, 0],
  ] as const)('%s', (_name, queue, over, expected) => {
    expect(sqsMetric(queue, spec(over))).toBe(expected);
  });

  it.each([
    ['empty queue, activation 0: inactive', 0, 0, false],
    ['one message, activation 0: active', 1, 0, true],
    ['at activationQueueLength: still inactive (strictly greater)', 10, 10, false],
    ['above activationQueueLength: active', 11, 10, true],
    ['below activationQueueLength: inactive', 3, 10, false],
  ] as const)('%s', (_name, metric, activation, expected) => {
    expect(isScalerActive(metric, spec({ activationQueueLength: activation }))).toBe(expected);
  });
});

describe('HPA replicas for an External AverageValue target', () => {
  it.each([
    ['20 messages, queueLength 5, from 1 replica → 4', 20, 5, 1, 4],
    ['21 messages round up → 5', 21, 5, 1, 5],
    ['0 messages → 0 (the HPA min clamps it later)', 0, 5, 3, 0],
    ['ratio 1.08 is within the 10% tolerance: keep 10', 54, 5, 10, 10],
    ['ratio 0.92 is within the 10% tolerance: keep 10', 46, 5, 10, 10],
    ['ratio 1.12 is outside the tolerance → ceil(56/5) = 12', 56, 5, 10, 12],
    ['ratio 0.88 is outside the tolerance → ceil(44/5) = 9', 44, 5, 10, 9],
    ['exactly on target keeps the count', 50, 5, 10, 10],
    ['from 0 replicas there is no ratio: ceil(usage/target)', 7, 5, 0, 2],
  ] as const)('%s', (_name, usage, target, current, expected) => {
    expect(externalMetricReplicas(usage, target, current)).toBe(expected);
  });

  it('a wider tolerance keeps more counts unchanged', () => {
    expect(externalMetricReplicas(56, 5, 10, 0.2)).toBe(10);
  });
});

describe('HPA sync: clamps, stabilization and policies', () => {
  const sync = (current: number, desired: number, opts: { min?: number; max?: number; behavior?: HpaBehavior; now?: number } = {}, memory = emptyHpaMemory()) =>
    hpaSync({ nowSeconds: opts.now ?? 1000, currentReplicas: current, desiredReplicas: desired, minReplicas: opts.min ?? 1, maxReplicas: opts.max ?? 100, behavior: opts.behavior ?? DEFAULT_BEHAVIOR }, memory);

  it.each([
    ['clamped to maxReplicas', 10, 500, { max: 20 }, 20],
    ['clamped to minReplicas', 3, 0, { min: 2, behavior: { ...DEFAULT_BEHAVIOR, scaleDown: { ...DEFAULT_BEHAVIOR.scaleDown, stabilizationWindowSeconds: 0 } } }, 2],
    ['default scale-up from 1: max(Pods 4 → 5, Percent 100% → 2) = 5', 1, 50, {}, 5],
    ['default scale-up from 10: max(14, 20) = 20', 10, 100, {}, 20],
    ['scale-up within the limit is taken as is', 4, 7, {}, 7],
    ['no change when desired equals current', 6, 6, {}, 6],
  ] as const)('%s', (_name, current, desired, opts, expected) => {
    expect(sync(current, desired, opts).replicas).toBe(expected);
  });

  it('selectPolicy Min picks the smaller scale-up', () => {
    const behavior: HpaBehavior = { ...DEFAULT_BEHAVIOR, scaleUp: { ...DEFAULT_BEHAVIOR.scaleUp, selectPolicy: 'Min' } };
    expect(sync(10, 100, { behavior }).replicas).toBe(14); // min(Pods 10+4, Percent 20)
  });

  it('selectPolicy Disabled never scales that way', () => {
    const behavior: HpaBehavior = { ...DEFAULT_BEHAVIOR, scaleUp: { ...DEFAULT_BEHAVIOR.scaleUp, selectPolicy: 'Disabled' } };
    expect(sync(3, 30, { behavior }).replicas).toBe(3);
  });

  it('a Pods policy counts the replicas already added within its period', () => {
    const behavior: HpaBehavior = { ...DEFAULT_BEHAVIOR, scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } };
    const first = sync(1, 20, { behavior, now: 0 });
    expect(first.replicas).toBe(3);
    const second = sync(3, 20, { behavior, now: 15 }, first.memory);
    expect(second.replicas).toBe(3); // 2 already added in the last 60 s
    const later = sync(3, 20, { behavior, now: 61 }, second.memory);
    expect(later.replicas).toBe(5);
  });

  it('the scale-down stabilization window keeps the highest recent recommendation', () => {
    let state = sync(10, 10, { now: 0 });
    state = sync(10, 2, { now: 15 }, state.memory);
    expect(state.replicas).toBe(10); // 10 was recommended within the last 300 s
    state = sync(10, 2, { now: 299 }, state.memory);
    expect(state.replicas).toBe(10);
    state = sync(10, 2, { now: 316 }, state.memory);
    expect(state.replicas).toBe(2); // the 10 at t=0 is out of the window
  });

  it('a scale-down Pods policy limits the rate of removal', () => {
    const behavior: HpaBehavior = { ...DEFAULT_BEHAVIOR, scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } };
    const first = sync(10, 2, { behavior, now: 0 });
    expect(first.replicas).toBe(9);
    expect(sync(9, 2, { behavior, now: 30 }, first.memory).replicas).toBe(9);
    expect(sync(9, 2, { behavior, now: 61 }, first.memory).replicas).toBe(8);
  });

  it('a scale-up stabilization window waits for the lowest recent recommendation to rise', () => {
    const behavior: HpaBehavior = { ...DEFAULT_BEHAVIOR, scaleUp: { ...DEFAULT_BEHAVIOR.scaleUp, stabilizationWindowSeconds: 60 } };
    let state = sync(2, 2, { behavior, now: 0 });
    state = sync(2, 8, { behavior, now: 15 }, state.memory);
    expect(state.replicas).toBe(2);
    state = sync(2, 8, { behavior, now: 61 }, state.memory);
    expect(state.replicas).toBe(6); // min(recent) = 8, limited by Pods 4 per 15 s
  });
});
