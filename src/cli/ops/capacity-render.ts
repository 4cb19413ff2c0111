import { formatDuration } from '../../domain/capacity/time-units.js';
import type { CapacityPlan, CapacityScenario, TimelinePoint } from '../../domain/capacity/simulate.js';
import { table } from './table.js';

const EVERY = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** Table rows at a fixed interval (chosen for about 30 rows unless given), always with the last point. */
export function timelineRows(plan: CapacityPlan, everySeconds?: number): TimelinePoint[] {
  const every = everySeconds ?? EVERY.find((e) => plan.endSeconds / e <= 30) ?? 604_800;
  const rows: TimelinePoint[] = [];
  let next = 0;
  for (const p of plan.timeline) {
    if (p.t >= next) {
      rows.push(p);
      next = (Math.floor(p.t / every) + 1) * every;
    }
  }
  const last = plan.timeline[plan.timeline.length - 1];
  if (last && rows[rows.length - 1] !== last) rows.push(last);
  return rows;
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const num = (n: number) => n.toLocaleString('en-US');

export function planHeadline(plan: CapacityPlan, s: CapacityScenario): string {
  const drain = plan.drained ? `drained in ${formatDuration(plan.drainSeconds ?? 0)}` : `not drained after ${formatDuration(plan.endSeconds)} (backlog ${num(plan.finalBacklog)})`;
  return `${num(s.backlog)} messages at ${s.perPodPerMinute}/min per pod: ${drain}; peak ${plan.peakReplicas} pods on ${plan.peakNodes} ${s.node.name}; ${usd(plan.cost)}`;
}

export function renderPlan(plan: CapacityPlan, s: CapacityScenario, throughputSource: string, everySeconds?: number): string {
  const out: string[] = [];
  out.push('inputs');
  out.push(`  backlog ${num(s.backlog)}; arrivals ${s.arrivals.length === 0 ? 'none' : s.arrivals.map((a) => `${formatDuration(a.fromSeconds)}→${a.perMinute}/min`).join(', ')}`);
  out.push(`  per pod ${s.perPodPerMinute}/min from ${throughputSource}; ${s.inFlightPerPod} in flight per pod; start-up ${formatDuration(s.podStartupSeconds)}`);
  out.push(
    `  KEDA aws-sqs-queue queueLength=${s.scaler.queueLength} activationQueueLength=${s.scaler.activationQueueLength} scaleOnInFlight=${s.scaler.scaleOnInFlight}` +
      ` min=${s.minReplicas} max=${s.maxReplicas} pollingInterval=${s.pollingIntervalSeconds}s cooldownPeriod=${s.cooldownPeriodSeconds}s`,
  );
  const rules = (r: CapacityScenario['behavior']['scaleUp']) =>
    `window ${r.stabilizationWindowSeconds}s, ${r.selectPolicy} of ${r.policies.map((p) => `${p.type} ${p.value}/${p.periodSeconds}s`).join(', ')}`;
  out.push(`  HPA sync ${s.hpaSyncSeconds}s, tolerance ${s.tolerance}; scale up ${rules(s.behavior.scaleUp)}; scale down ${rules(s.behavior.scaleDown)}`);
  out.push(
    `  node ${s.node.name}: ${s.node.allocatableMillicpu}m CPU, ${s.node.allocatableMemoryMiB} MiB, ${s.node.maxPods} pods, $${s.node.hourlyPrice}/h;` +
      ` pod requests ${s.pod.millicpu}m / ${s.pod.memoryMiB} MiB → ${plan.podsPerNode} pods per node (limited by ${plan.limitedBy})`,
  );
  out.push('');
  out.push('timeline');
  out.push(
    table(
      ['time', 'queue', 'metric', 'replicas', 'ready', 'nodes'],
      timelineRows(plan, everySeconds).map((p) => [formatDuration(p.t), p.backlog, p.metric, p.replicas, p.ready, p.nodes]),
    ),
  );
  out.push('');
  out.push('plan');
  out.push(`  drain time        ${plan.drained ? formatDuration(plan.drainSeconds ?? 0) : `not drained within ${formatDuration(s.horizonSeconds)}`}`);
  out.push(`  first pod ready   ${plan.firstReadySeconds === null ? 'never' : formatDuration(plan.firstReadySeconds)}`);
  out.push(`  peak replicas     ${plan.peakReplicas} (reached at ${formatDuration(plan.peakReplicasAtSeconds)})`);
  out.push(`  peak nodes        ${plan.peakNodes} × ${s.node.name}`);
  out.push(`  pod-hours         ${plan.podHours.toFixed(1)}${plan.podHoursToDrain === null ? '' : ` (${plan.podHoursToDrain.toFixed(1)} until drained)`}`);
  out.push(`  node-hours        ${plan.nodeHours.toFixed(1)}`);
  out.push(`  cost              ${usd(plan.cost)}${plan.costToDrain === null ? '' : ` (${usd(plan.costToDrain)} until drained)`} until scaled back to ${s.minReplicas} at ${formatDuration(plan.endSeconds)}`);
  out.push(`  processed         ${num(plan.processed)} messages`);
  return out.join('\n');
}
