/**
 * The HorizontalPodAutoscaler's algorithm for one External metric with an AverageValue target
 * (what KEDA creates), ported from kube-controller-manager's replica_calculator.go and
 * horizontal.go: tolerance, stabilization windows, and scaling policies.
 */

/** --horizontal-pod-autoscaler-tolerance */
export const HPA_TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-sync-period */
export const HPA_SYNC_SECONDS = 15;

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: ScalingPolicy[];
}

export interface HpaBehavior {
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
}

/** The defaults the API server fills in when a behavior (or half of it) is not given. */
export const DEFAULT_BEHAVIOR: HpaBehavior = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  },
  scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
};

/**
 * GetExternalPerPodMetricReplicas: keep the current count while usage/(target*current) is within
 * the tolerance of 1, else ceil(usage/target).
 */
export function externalMetricReplicas(usage: number, targetPerPod: number, currentReplicas: number, tolerance = HPA_TOLERANCE): number {
  if (targetPerPod <= 0) throw new Error('target per pod must be greater than 0');
  const desired = Math.ceil(usage / targetPerPod);
  if (currentReplicas <= 0) return desired;
  const usageRatio = usage / (targetPerPod * currentReplicas);
  return Math.abs(1 - usageRatio) > tolerance ? desired : currentReplicas;
}

interface Recommendation {
  at: number;
  replicas: number;
}
interface ScaleEvent {
  at: number;
  change: number;
}

/** What the controller remembers between syncs for one HPA. */
export interface HpaMemory {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export const emptyHpaMemory = (): HpaMemory => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

function changeWithin(events: ScaleEvent[], periodSeconds: number, now: number): number {
  return events.filter((e) => e.at > now - periodSeconds).reduce((sum, e) => sum + e.change, 0);
}

function scaleUpLimit(current: number, memory: HpaMemory, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const start = current - changeWithin(memory.scaleUpEvents, p.periodSeconds, now) + changeWithin(memory.scaleDownEvents, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

function scaleDownLimit(current: number, memory: HpaMemory, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  // For scaling down the biggest change is the smallest count: 'Max' picks the minimum proposal.
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies) {
    const start = current - changeWithin(memory.scaleUpEvents, p.periodSeconds, now) + changeWithin(memory.scaleDownEvents, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

export interface HpaSyncInput {
  nowSeconds: number;
  currentReplicas: number;
  /** The metric's recommendation before behavior: externalMetricReplicas(...). */
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  behavior: HpaBehavior;
}

/**
 * One HPA sync: stabilize the recommendation over the windows, then limit it by the policies and
 * the min/max clamps (normalizeDesiredReplicasWithBehaviors). Returns the new count and memory.
 */
export function hpaSync(input: HpaSyncInput, memory: HpaMemory): { replicas: number; memory: HpaMemory } {
  const { nowSeconds: now, currentReplicas: current, desiredReplicas: desired, behavior } = input;
  const upCutoff = now - behavior.scaleUp.stabilizationWindowSeconds;
  const downCutoff = now - behavior.scaleDown.stabilizationWindowSeconds;
  let up = desired;
  let down = desired;
  for (const r of memory.recommendations) {
    if (r.at > upCutoff) up = Math.min(up, r.replicas);
    if (r.at > downCutoff) down = Math.max(down, r.replicas);
  }
  let stabilized = current;
  if (stabilized < up) stabilized = up;
  if (stabilized > down) stabilized = down;

  const keepAfter = Math.min(upCutoff, downCutoff);
  const recommendations = [...memory.recommendations.filter((r) => r.at >= keepAfter), { at: now, replicas: desired }];

  let next = stabilized;
  if (stabilized > current) {
    const limit = Math.max(current, scaleUpLimit(current, memory, behavior.scaleUp, now));
    next = Math.min(stabilized, Math.min(input.maxReplicas, limit));
  } else if (stabilized < current) {
    const limit = Math.min(current, scaleDownLimit(current, memory, behavior.scaleDown, now));
    next = Math.max(stabilized, Math.max(input.minReplicas, limit));
  }
  // The replica calculator clamps to [min, max] too (a count outside them is corrected at once).
  next = Math.min(input.maxReplicas, Math.max(input.minReplicas, next));

  const longest = (rules: ScalingRules) => Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
  const scaleUpEvents = memory.scaleUpEvents.filter((e) => e.at > now - longest(behavior.scaleUp));
  const scaleDownEvents = memory.scaleDownEvents.filter((e) => e.at > now - longest(behavior.scaleDown));
  if (next > current) scaleUpEvents.push({ at: now, change: next - current });
  if (next < current) scaleDownEvents.push({ at: now, change: current - next });
  return { replicas: next, memory: { recommendations, scaleUpEvents, scaleDownEvents } };
}
