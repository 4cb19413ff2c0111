import { describe, expect, it } from 'vitest';
import { arrivalRateAt, arrivalsOverAt, parseArrivals } from '../../../../src/domain/capacity/arrivals.js';
import { parseBehavior } from '../../../../src/domain/capacity/behavior.js';
import { DEFAULT_BEHAVIOR } from '../../../../src/domain/capacity/hpa.js';
import { nodesFor, parseCpu, parseMemoryMiB, podsPerNode, T3_MEDIUM } from '../../../../src/domain/capacity/nodes.js';
import { formatDuration, parseDuration } from '../../../../src/domain/capacity/time-units.js';

describe('durations', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['2h', 7200],
    ['1h30m', 5400],
    ['1d', 86_400],
    ['500ms', 0.5],
  ] as const)('%s → %d s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
  it.each(['', 'soon', '5x', '1h and 5m'])('rejects "%s"', (text) => {
    expect(() => parseDuration(text)).toThrow(/cannot read duration/);
  });
  it.each([
    [40, '40s'],
    [725, '12m 5s'],
    [3600, '1h'],
    [7860, '2h 11m'],
    [90_000, '1d 1h 0m'],
    [Number.POSITIVE_INFINITY, 'never'],
  ] as const)('%d s reads "%s"', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('arrivals', () => {
  const segments = parseArrivals('2h:0, 0:120');
  it('parses and sorts start:rate pairs', () => {
    expect(segments).toEqual([
      { fromSeconds: 0, perMinute: 120 },
      { fromSeconds: 7200, perMinute: 0 },
    ]);
  });
  it.each([
    ['before the end', 7199, 120, false],
    ['at the switch', 7200, 0, true],
    ['after', 90_000, 0, true],
  ] as const)('rate %s', (_name, t, rate, over) => {
    expect(arrivalRateAt(segments, t)).toBe(rate);
    expect(arrivalsOverAt(segments, t)).toBe(over);
  });
  it.each(['0', '0:-5', '0:abc', '0:1:2', 'x:5'])('rejects "%s"', (text) => {
    expect(() => parseArrivals(text)).toThrow();
  });
});

describe('quantities and packing', () => {
  it.each([
    ['800m', 800],
    ['1.5', 1500],
    ['2', 2000],
  ] as const)('CPU %s = %d m', (text, m) => {
    expect(parseCpu(text)).toBe(m);
  });
  it.each([
    ['1536Mi', 1536],
    ['2Gi', 2048],
    ['1048576Ki', 1024],
    ['1G', 1e9 / 1048576],
  ] as const)('memory %s = %d MiB', (text, mib) => {
    expect(parseMemoryMiB(text)).toBeCloseTo(mib, 6);
  });
  it.each([
    ['default requests: 2 per t3.medium, CPU bound', { millicpu: 800, memoryMiB: 1536 }, 2, 'cpu'],
    ['small CPU, big memory: memory bound', { millicpu: 100, memoryMiB: 1500 }, 2, 'memory'],
    ['tiny pods: bound by the 17 pod slots minus 3 daemon pods', { millicpu: 10, memoryMiB: 10 }, 14, 'pods'],
    ['a pod bigger than the node: 0', { millicpu: 2000, memoryMiB: 100 }, 0, 'cpu'],
  ] as const)('%s', (_name, pod, perNode, limitedBy) => {
    expect(podsPerNode(T3_MEDIUM, pod)).toEqual({ podsPerNode: perNode, limitedBy });
  });
  it.each([
    [0, 2, 0],
    [1, 2, 1],
    [20, 2, 10],
    [21, 2, 11],
  ] as const)('%d replicas at %d per node → %d nodes', (replicas, per, nodes) => {
    expect(nodesFor(replicas, per)).toBe(nodes);
  });
});

describe('HPA behavior input', () => {
  it('fills what is left out with the Kubernetes defaults', () => {
    const b = parseBehavior({ scaleDown: { stabilizationWindowSeconds: 60 } });
    expect(b.scaleUp).toEqual(DEFAULT_BEHAVIOR.scaleUp);
    expect(b.scaleDown).toEqual({ ...DEFAULT_BEHAVIOR.scaleDown, stabilizationWindowSeconds: 60 });
  });
  it('takes policies as written', () => {
    const b = parseBehavior({ scaleUp: { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } });
    expect(b.scaleUp).toEqual({ stabilizationWindowSeconds: 0, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] });
  });
  it.each([
    ['unknown field', { scaleUp: { window: 5 } }],
    ['bad policy type', { scaleUp: { policies: [{ type: 'Nodes', value: 1, periodSeconds: 15 }] } }],
    ['period over 30 minutes', { scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 3600 }] } }],
  ] as const)('rejects %s', (_name, json) => {
    expect(() => parseBehavior(json)).toThrow(/behavior/);
  });
});
