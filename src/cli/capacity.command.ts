import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseArrivals } from '../domain/capacity/arrivals.js';
import { parseBehavior } from '../domain/capacity/behavior.js';
import { DEFAULT_BEHAVIOR, HPA_SYNC_SECONDS, HPA_TOLERANCE } from '../domain/capacity/hpa.js';
import { KEDA_SQS_DEFAULTS } from '../domain/capacity/keda.js';
import { DEFAULT_DAEMON_OVERHEAD, DEFAULT_POD_REQUESTS, parseCpu, parseMemoryMiB, T3_MEDIUM } from '../domain/capacity/nodes.js';
import { formatDuration, parseDuration } from '../domain/capacity/time-units.js';
import type { Config } from '../config/schema.js';
import { planCapacity, type PlanResult } from '../operations/capacity-plan.js';
import { capacityChartSvg } from './ops/capacity-chart.js';
import { planHeadline, renderPlan, timelineRows } from './ops/capacity-render.js';
import { EXIT } from './ops/exit-codes.js';
import { configOrExit } from './config-or-exit.js';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './ops/flags.js';

interface Flags {
  backlog: number;
  arrivals?: string;
  perPod?: number;
  concurrency?: number;
  queueLength: number;
  activationQueueLength: number;
  scaleOnInFlight: boolean;
  minReplicas: number;
  maxReplicas: number;
  pollingInterval: number;
  cooldownPeriod: number;
  behavior?: string;
  scaleUpStabilization?: number;
  scaleDownStabilization?: number;
  tolerance: number;
  hpaSync: number;
  startup: string;
  initialReplicas: number;
  podCpu: string;
  podMemory: string;
  nodeCpu: string;
  nodeMemory: string;
  nodeMaxPods: number;
  nodePrice?: number;
  nodeName: string;
  daemonCpu: string;
  daemonMemory: string;
  daemonPods: number;
  horizon: string;
  every?: string;
  json?: boolean;
  chart?: string;
}

function behaviorFrom(flags: Flags) {
  let behavior = DEFAULT_BEHAVIOR;
  if (flags.behavior) {
    const text = flags.behavior.startsWith('@') ? readFileSync(flags.behavior.slice(1), 'utf8') : flags.behavior;
    behavior = parseBehavior(JSON.parse(text));
  }
  return {
    scaleUp: { ...behavior.scaleUp, stabilizationWindowSeconds: flags.scaleUpStabilization ?? behavior.scaleUp.stabilizationWindowSeconds },
    scaleDown: { ...behavior.scaleDown, stabilizationWindowSeconds: flags.scaleDownStabilization ?? behavior.scaleDown.stabilizationWindowSeconds },
  };
}

export function register(cmd: Command): void {
  const k = KEDA_SQS_DEFAULTS;
  cmd
    .description("plan capacity: simulate KEDA's aws-sqs-queue scaler and the HPA on a backlog and arrivals; prints drain time, peak pods and nodes, cost")
    .option('--backlog <n>', 'messages in the queue at the start', nonNegativeInt('--backlog'), 0)
    .option('--arrivals <list>', 'arrival rate over time, start:perMinute pairs, e.g. "0:120,2h:0"')
    .option('--per-pod <n>', 'messages per minute one pod processes, as `npm run bench` prints it (default 60, the old worker\'s lower figure)', positiveNumber('--per-pod'))
    .option('--concurrency <n>', 'messages one pod holds in flight (default MAX_INFLIGHT)', positiveInt('--concurrency'))
    .option('--queue-length <n>', 'KEDA queueLength: target messages per replica', positiveInt('--queue-length'), k.queueLength)
    .option('--activation-queue-length <n>', 'KEDA activationQueueLength', nonNegativeInt('--activation-queue-length'), k.activationQueueLength)
    .option('--no-scale-on-in-flight', 'KEDA scaleOnInFlight=false: count visible messages only')
    .option('--min-replicas <n>', 'KEDA minReplicaCount', nonNegativeInt('--min-replicas'), 0)
    .option('--max-replicas <n>', 'KEDA maxReplicaCount', positiveInt('--max-replicas'), 100)
    .option('--polling-interval <s>', 'KEDA pollingInterval, seconds', positiveInt('--polling-interval'), 30)
    .option('--cooldown-period <s>', 'KEDA cooldownPeriod, seconds', nonNegativeInt('--cooldown-period'), 300)
    .option('--behavior <json|@file>', 'HPA behavior (scaleUp/scaleDown: stabilizationWindowSeconds, selectPolicy, policies) as JSON; omitted fields take the Kubernetes defaults')
    .option('--scale-up-stabilization <s>', 'scaleUp.stabilizationWindowSeconds (default 0)', nonNegativeInt('--scale-up-stabilization'))
    .option('--scale-down-stabilization <s>', 'scaleDown.stabilizationWindowSeconds (default 300)', nonNegativeInt('--scale-down-stabilization'))
    .option('--tolerance <x>', 'HPA tolerance', nonNegativeNumber('--tolerance'), HPA_TOLERANCE)
    .option('--hpa-sync <s>', 'HPA sync period, seconds', positiveInt('--hpa-sync'), HPA_SYNC_SECONDS)
    .option('--startup <duration>', 'from replica requested to processing (add node provisioning when nodes must be added)', '60s')
    .option('--initial-replicas <n>', 'replicas already running at the start', nonNegativeInt('--initial-replicas'), 0)
    .option('--pod-cpu <q>', 'pod CPU request', `${DEFAULT_POD_REQUESTS.millicpu}m`)
    .option('--pod-memory <q>', 'pod memory request', `${DEFAULT_POD_REQUESTS.memoryMiB}Mi`)
    .option('--node-name <name>', 'node type name shown in the plan', T3_MEDIUM.name)
    .option('--node-cpu <q>', 'node allocatable CPU', `${T3_MEDIUM.allocatableMillicpu}m`)
    .option('--node-memory <q>', 'node allocatable memory', `${T3_MEDIUM.allocatableMemoryMiB}Mi`)
    .option('--node-max-pods <n>', 'pods per node (EKS VPC CNI limit)', positiveInt('--node-max-pods'), T3_MEDIUM.maxPods)
    .option('--node-price <usd>', 'node price per hour (default CAPACITY_NODE_PRICE_HOURLY, t3.medium 0.0416)', nonNegativeNumber('--node-price'))
    .option('--daemon-cpu <q>', 'CPU requested by the DaemonSets on every node', `${DEFAULT_DAEMON_OVERHEAD.millicpu}m`)
    .option('--daemon-memory <q>', 'memory requested by the DaemonSets on every node', `${DEFAULT_DAEMON_OVERHEAD.memoryMiB}Mi`)
    .option('--daemon-pods <n>', 'DaemonSet pods on every node', nonNegativeInt('--daemon-pods'), DEFAULT_DAEMON_OVERHEAD.pods)
    .option('--horizon <duration>', 'stop simulating after this long', '7d')
    .option('--every <duration>', 'timeline table interval (default: about 30 rows)')
    .option('--json', 'print the plan as JSON')
    .option('--chart <file.svg>', 'write the timeline chart as SVG, and as PNG next to it')
    .addHelpText('after', '\nExit codes: 0 the backlog drains within the horizon, 1 bad input, 4 it does not drain.')
    .action(run);
}

function scenarioFrom(flags: Flags, config: Config) {
  return {
    backlog: flags.backlog,
    arrivals: flags.arrivals ? parseArrivals(flags.arrivals) : [],
    perPodPerMinute: flags.perPod,
    inFlightPerPod: flags.concurrency ?? config.MAX_INFLIGHT,
    scaler: { queueLength: flags.queueLength, activationQueueLength: flags.activationQueueLength, scaleOnInFlight: flags.scaleOnInFlight, scaleOnDelayed: false },
    minReplicas: flags.minReplicas,
    maxReplicas: flags.maxReplicas,
    pollingIntervalSeconds: flags.pollingInterval,
    cooldownPeriodSeconds: flags.cooldownPeriod,
    behavior: behaviorFrom(flags),
    hpaSyncSeconds: flags.hpaSync,
    tolerance: flags.tolerance,
    podStartupSeconds: parseDuration(flags.startup),
    initialReplicas: flags.initialReplicas,
    node: {
      name: flags.nodeName,
      allocatableMillicpu: parseCpu(flags.nodeCpu),
      allocatableMemoryMiB: parseMemoryMiB(flags.nodeMemory),
      maxPods: flags.nodeMaxPods,
      hourlyPrice: flags.nodePrice ?? config.CAPACITY_NODE_PRICE_HOURLY,
    },
    pod: { millicpu: parseCpu(flags.podCpu), memoryMiB: parseMemoryMiB(flags.podMemory) },
    overhead: { millicpu: parseCpu(flags.daemonCpu), memoryMiB: parseMemoryMiB(flags.daemonMemory), pods: flags.daemonPods },
    horizonSeconds: parseDuration(flags.horizon),
  };
}

/** The timeline chart as SVG, and as PNG next to it when the image adapter can render it. */
async function writeChart(path: string, { plan, scenario, throughputSource }: PlanResult): Promise<void> {
  const svg = capacityChartSvg(plan, 'docsift capacity plan', [
    planHeadline(plan, scenario),
    `KEDA queueLength ${scenario.scaler.queueLength}, replicas ${scenario.minReplicas}-${scenario.maxReplicas}, start-up ${formatDuration(scenario.podStartupSeconds)}, ${plan.podsPerNode} pods per ${scenario.node.name}, per-pod rate from ${throughputSource}`,
  ]);
  await writeFile(path, svg);
  const png = path.replace(/\.svg$/i, '') + '.png';
  try {
    const { svgToPng } = await import('../adapters/image/svg-to-png.js');
    await writeFile(png, await svgToPng(svg));
    process.stderr.write(`capacity: chart written to ${path} and ${png}\n`);
  } catch (err) {
    process.stderr.write(`capacity: chart written to ${path}; PNG not made: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

async function run(flags: Flags): Promise<void> {
  const config = configOrExit({ exitCode: EXIT.error });
  let result: PlanResult;
  try {
    result = planCapacity(scenarioFrom(flags, config));
  } catch (err) {
    process.stderr.write(`capacity: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT.error);
  }
  const { plan, scenario, throughputSource } = result;
  const every = flags.every ? parseDuration(flags.every) : undefined;
  if (flags.json) {
    const { timeline: _timeline, ...summary } = plan;
    console.log(JSON.stringify({ scenario, throughputSource, plan: { ...summary, timeline: timelineRows(plan, every) } }, null, 2));
  } else {
    console.log(renderPlan(plan, scenario, throughputSource, every));
  }
  if (flags.chart) await writeChart(flags.chart, result);
  if (!plan.drained) process.exitCode = EXIT.notDrained;
}
