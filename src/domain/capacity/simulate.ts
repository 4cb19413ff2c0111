import { arrivalRateAt, arrivalsOverAt, type ArrivalSegment } from './arrivals.js';
import { emptyHpaMemory, externalMetricReplicas, hpaSync, type HpaBehavior } from './hpa.js';
import { isScalerActive, sqsMetric, type SqsScalerSpec } from './keda.js';
import { nodesFor, podsPerNode, type DaemonOverhead, type NodeType, type PodRequests } from './nodes.js';

/** Everything one planning run needs. Times in seconds, rates in messages per minute. */
export interface CapacityScenario {
  backlog: number;
  arrivals: ArrivalSegment[];
  perPodPerMinute: number;
  /** Messages one ready pod holds in flight (MAX_INFLIGHT): they count as NotVisible. */
  inFlightPerPod: number;
  scaler: SqsScalerSpec;
  minReplicas: number;
  maxReplicas: number;
  pollingIntervalSeconds: number;
  cooldownPeriodSeconds: number;
  behavior: HpaBehavior;
  hpaSyncSeconds: number;
  tolerance: number;
  /** From a replica being asked for to it processing (schedule, pull, start, warm-up). */
  podStartupSeconds: number;
  /** Replicas already running (and ready) at t=0. */
  initialReplicas: number;
  node: NodeType;
  pod: PodRequests;
  overhead: DaemonOverhead;
  horizonSeconds: number;
}

export interface TimelinePoint {
  t: number;
  /** Messages in the queue (visible + in flight). */
  backlog: number;
  /** The value KEDA reports to the HPA. */
  metric: number;
  replicas: number;
  ready: number;
  nodes: number;
}

export interface ScaleEvent {
  t: number;
  from: number;
  to: number;
  by: 'keda' | 'hpa';
}

export interface CapacityPlan {
  /** Backlog empty with no more arrivals to come. */
  drained: boolean;
  drainSeconds: number | null;
  /** When the run stopped: replicas back at the minimum after the drain, or the horizon. */
  endSeconds: number;
  processed: number;
  finalBacklog: number;
  peakBacklog: number;
  peakReplicas: number;
  peakReplicasAtSeconds: number;
  peakNodes: number;
  firstReadySeconds: number | null;
  podsPerNode: number;
  limitedBy: 'cpu' | 'memory' | 'pods';
  /** Replica-hours (starting pods included) and node-hours until endSeconds. */
  podHours: number;
  nodeHours: number;
  cost: number;
  /** The same, counted only until the drain. */
  podHoursToDrain: number | null;
  costToDrain: number | null;
  timeline: TimelinePoint[];
  events: ScaleEvent[];
}

const EPSILON = 1e-9;

/**
 * Steps the queue, KEDA and the HPA one second at a time. KEDA polls the scaler every
 * pollingInterval and owns 0 ↔ 1 (activation, cooldown); the HPA syncs every 15 s on the same
 * metric with its tolerance, stabilization windows and policies; a new pod works after the
 * start-up time; a ready pod processes `perPodPerMinute`. SQS's attribute lag and node
 * provisioning are not modelled (add the latter to the start-up time).
 */
export function simulateCapacity(s: CapacityScenario): CapacityPlan {
  if (!(s.perPodPerMinute > 0)) throw new Error('per-pod throughput must be greater than 0');
  if (s.maxReplicas < Math.max(1, s.minReplicas)) throw new Error('max replicas must be at least max(1, min replicas)');
  const packing = podsPerNode(s.node, s.pod, s.overhead);
  const nodes = (replicas: number) => nodesFor(replicas, packing.podsPerNode);
  nodes(1); // throws early when a pod does not fit

  const hpaMin = Math.max(1, s.minReplicas);
  const perPodPerSecond = s.perPodPerMinute / 60;
  let backlog = s.backlog;
  let replicas = s.initialReplicas;
  const readyAt: number[] = Array.from({ length: replicas }, () => 0);
  let memory = emptyHpaMemory();
  let lastActive = 0;
  let processed = 0;
  let podSeconds = 0;
  let nodeSeconds = 0;
  let drainSeconds: number | null = null;
  let podSecondsToDrain: number | null = null;
  let nodeSecondsToDrain: number | null = null;
  let peakReplicas = replicas;
  let peakReplicasAt = 0;
  let peakNodes = nodes(replicas);
  let peakBacklog = backlog;
  let firstReady: number | null = replicas > 0 ? 0 : null;
  const timeline: TimelinePoint[] = [];
  const events: ScaleEvent[] = [];

  const setReplicas = (t: number, to: number, by: ScaleEvent['by']) => {
    if (to === replicas) return;
    events.push({ t, from: replicas, to, by });
    // New pods are appended in start order; the newest (least ready) go first on scale-down, as the ReplicaSet does.
    while (readyAt.length < to) readyAt.push(t + s.podStartupSeconds);
    readyAt.length = to;
    replicas = to;
    if (replicas > peakReplicas) {
      peakReplicas = replicas;
      peakReplicasAt = t;
    }
    peakNodes = Math.max(peakNodes, nodes(replicas));
  };
  const readyCount = (t: number) => {
    let n = 0;
    for (const at of readyAt) if (at <= t) n += 1;
    return n;
  };

  let t = 0;
  for (; t <= s.horizonSeconds; t += 1) {
    const ready = readyCount(t);
    if (ready > 0 && firstReady === null) firstReady = t;
    const messages = Math.ceil(backlog - EPSILON);
    const inFlight = Math.min(messages, ready * s.inFlightPerPod);
    const metric = sqsMetric({ visible: messages - inFlight, inFlight, delayed: 0 }, s.scaler);

    if (t % s.pollingIntervalSeconds === 0) {
      const active = isScalerActive(metric, s.scaler);
      if (active) lastActive = t;
      if (active && replicas === 0) setReplicas(t, hpaMin, 'keda');
      else if (!active && replicas > 0 && s.minReplicas === 0 && t - lastActive >= s.cooldownPeriodSeconds) setReplicas(t, 0, 'keda');
    }
    if (t % s.hpaSyncSeconds === 0) {
      // With 0 replicas the HPA reports ScalingDisabled and leaves it to KEDA.
      if (replicas > 0) {
        const desired = externalMetricReplicas(metric, s.scaler.queueLength, replicas, s.tolerance);
        const next = hpaSync({ nowSeconds: t, currentReplicas: replicas, desiredReplicas: desired, minReplicas: hpaMin, maxReplicas: s.maxReplicas, behavior: s.behavior }, memory);
        memory = next.memory;
        setReplicas(t, next.replicas, 'hpa');
      }
      timeline.push({ t, backlog: messages, metric, replicas, ready: readyCount(t), nodes: nodes(replicas) });
    }

    const over = arrivalsOverAt(s.arrivals, t);
    if (drainSeconds === null && over && backlog <= EPSILON) {
      drainSeconds = t;
      podSecondsToDrain = podSeconds;
      nodeSecondsToDrain = nodeSeconds;
    }
    if (drainSeconds !== null && replicas === s.minReplicas) break;

    // One second passes.
    backlog += arrivalRateAt(s.arrivals, t) / 60;
    const done = Math.min(backlog, readyCount(t) * perPodPerSecond);
    backlog -= done;
    if (backlog < EPSILON) backlog = 0;
    processed += done;
    peakBacklog = Math.max(peakBacklog, backlog);
    podSeconds += replicas;
    nodeSeconds += nodes(replicas);
  }
  const end = Math.min(t, s.horizonSeconds);
  const last = timeline[timeline.length - 1];
  if (!last || last.t !== end) {
    const messages = Math.ceil(backlog - EPSILON);
    timeline.push({ t: end, backlog: messages, metric: messages, replicas, ready: readyCount(end), nodes: nodes(replicas) });
  }
  return {
    drained: drainSeconds !== null,
    drainSeconds,
    endSeconds: end,
    processed: Math.round(processed),
    finalBacklog: Math.max(0, Math.ceil(backlog - EPSILON)),
    peakBacklog: Math.ceil(peakBacklog - EPSILON),
    peakReplicas,
    peakReplicasAtSeconds: peakReplicasAt,
    peakNodes,
    firstReadySeconds: firstReady,
    podsPerNode: packing.podsPerNode,
    limitedBy: packing.limitedBy,
    podHours: podSeconds / 3600,
    nodeHours: nodeSeconds / 3600,
    cost: (nodeSeconds / 3600) * s.node.hourlyPrice,
    podHoursToDrain: podSecondsToDrain === null ? null : podSecondsToDrain / 3600,
    costToDrain: nodeSecondsToDrain === null ? null : (nodeSecondsToDrain / 3600) * s.node.hourlyPrice,
    timeline,
    events,
  };
}
