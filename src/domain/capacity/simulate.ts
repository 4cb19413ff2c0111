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
  const sim = new Simulation(s);
  let t = 0;
  for (; t <= s.horizonSeconds; t += 1) {
    sim.scale(t);
    if (sim.checkDrained(t)) break;
    sim.advance(t);
  }
  return sim.plan(Math.min(t, s.horizonSeconds));
}

/** The state of one planning run, one second at a time. */
class Simulation {
  private readonly packing: ReturnType<typeof podsPerNode>;
  private readonly hpaMin: number;
  private backlog: number;
  private replicas: number;
  private readonly readyAt: number[];
  private memory = emptyHpaMemory();
  private lastActive = 0;
  private processed = 0;
  private podSeconds = 0;
  private nodeSeconds = 0;
  private drainSeconds: number | null = null;
  private podSecondsToDrain: number | null = null;
  private nodeSecondsToDrain: number | null = null;
  private peakReplicas: number;
  private peakReplicasAt = 0;
  private peakNodes: number;
  private peakBacklog: number;
  private firstReady: number | null;
  private readonly timeline: TimelinePoint[] = [];
  private readonly events: ScaleEvent[] = [];

  constructor(private readonly s: CapacityScenario) {
    this.packing = podsPerNode(s.node, s.pod, s.overhead);
    this.nodes(1); // throws early when a pod does not fit
    this.hpaMin = Math.max(1, s.minReplicas);
    this.backlog = s.backlog;
    this.replicas = s.initialReplicas;
    this.readyAt = Array.from({ length: this.replicas }, () => 0);
    this.peakReplicas = this.replicas;
    this.peakNodes = this.nodes(this.replicas);
    this.peakBacklog = this.backlog;
    this.firstReady = this.replicas > 0 ? 0 : null;
  }

  private nodes(replicas: number): number {
    return nodesFor(replicas, this.packing.podsPerNode);
  }

  private readyCount(t: number): number {
    let n = 0;
    for (const at of this.readyAt) if (at <= t) n += 1;
    return n;
  }

  private setReplicas(t: number, to: number, by: ScaleEvent['by']): void {
    if (to === this.replicas) return;
    this.events.push({ t, from: this.replicas, to, by });
    // New pods are appended in start order; the newest (least ready) go first on scale-down, as the ReplicaSet does.
    while (this.readyAt.length < to) this.readyAt.push(t + this.s.podStartupSeconds);
    this.readyAt.length = to;
    this.replicas = to;
    if (to > this.peakReplicas) {
      this.peakReplicas = to;
      this.peakReplicasAt = t;
    }
    this.peakNodes = Math.max(this.peakNodes, this.nodes(to));
  }

  /** KEDA's poll (0 ↔ 1, cooldown) and the HPA's sync, when they are due at `t`. */
  scale(t: number): void {
    const s = this.s;
    const ready = this.readyCount(t);
    if (ready > 0 && this.firstReady === null) this.firstReady = t;
    const messages = Math.ceil(this.backlog - EPSILON);
    const inFlight = Math.min(messages, ready * s.inFlightPerPod);
    const metric = sqsMetric({ visible: messages - inFlight, inFlight, delayed: 0 }, s.scaler);
    if (t % s.pollingIntervalSeconds === 0) {
      const active = isScalerActive(metric, s.scaler);
      if (active) this.lastActive = t;
      if (active && this.replicas === 0) this.setReplicas(t, this.hpaMin, 'keda');
      else if (!active && this.replicas > 0 && s.minReplicas === 0 && t - this.lastActive >= s.cooldownPeriodSeconds) this.setReplicas(t, 0, 'keda');
    }
    if (t % s.hpaSyncSeconds !== 0) return;
    // With 0 replicas the HPA reports ScalingDisabled and leaves it to KEDA.
    if (this.replicas > 0) {
      const desired = externalMetricReplicas(metric, s.scaler.queueLength, this.replicas, s.tolerance);
      const next = hpaSync({ nowSeconds: t, currentReplicas: this.replicas, desiredReplicas: desired, minReplicas: this.hpaMin, maxReplicas: s.maxReplicas, behavior: s.behavior }, this.memory);
      this.memory = next.memory;
      this.setReplicas(t, next.replicas, 'hpa');
    }
    this.timeline.push({ t, backlog: messages, metric, replicas: this.replicas, ready: this.readyCount(t), nodes: this.nodes(this.replicas) });
  }

  /** Records the drain when the backlog is empty with no arrivals to come; true once the fleet is back at its minimum after it. */
  checkDrained(t: number): boolean {
    if (this.drainSeconds === null && arrivalsOverAt(this.s.arrivals, t) && this.backlog <= EPSILON) {
      this.drainSeconds = t;
      this.podSecondsToDrain = this.podSeconds;
      this.nodeSecondsToDrain = this.nodeSeconds;
    }
    return this.drainSeconds !== null && this.replicas === this.s.minReplicas;
  }

  /** One second passes: arrivals come in, ready pods process. */
  advance(t: number): void {
    this.backlog += arrivalRateAt(this.s.arrivals, t) / 60;
    const done = Math.min(this.backlog, this.readyCount(t) * (this.s.perPodPerMinute / 60));
    this.backlog -= done;
    if (this.backlog < EPSILON) this.backlog = 0;
    this.processed += done;
    this.peakBacklog = Math.max(this.peakBacklog, this.backlog);
    this.podSeconds += this.replicas;
    this.nodeSeconds += this.nodes(this.replicas);
  }

  plan(end: number): CapacityPlan {
    const { timeline, s } = this;
    const last = timeline[timeline.length - 1];
    if (!last || last.t !== end) {
      const messages = Math.ceil(this.backlog - EPSILON);
      timeline.push({ t: end, backlog: messages, metric: messages, replicas: this.replicas, ready: this.readyCount(end), nodes: this.nodes(this.replicas) });
    }
    const hours = (seconds: number) => seconds / 3600;
    return {
      drained: this.drainSeconds !== null,
      drainSeconds: this.drainSeconds,
      endSeconds: end,
      processed: Math.round(this.processed),
      finalBacklog: Math.max(0, Math.ceil(this.backlog - EPSILON)),
      peakBacklog: Math.ceil(this.peakBacklog - EPSILON),
      peakReplicas: this.peakReplicas,
      peakReplicasAtSeconds: this.peakReplicasAt,
      peakNodes: this.peakNodes,
      firstReadySeconds: this.firstReady,
      podsPerNode: this.packing.podsPerNode,
      limitedBy: this.packing.limitedBy,
      podHours: hours(this.podSeconds),
      nodeHours: hours(this.nodeSeconds),
      cost: hours(this.nodeSeconds) * s.node.hourlyPrice,
      podHoursToDrain: this.podSecondsToDrain === null ? null : hours(this.podSecondsToDrain),
      costToDrain: this.nodeSecondsToDrain === null ? null : hours(this.nodeSecondsToDrain) * s.node.hourlyPrice,
      timeline,
      events: this.events,
    };
  }
}
