/** A node type as the scheduler sees it: allocatable resources, pod slots and price. */
export interface NodeType {
  name: string;
  /** Allocatable CPU, millicores (capacity minus kube/system reserved and eviction threshold). */
  allocatableMillicpu: number;
  /** Allocatable memory, MiB. */
  allocatableMemoryMiB: number;
  /** Pod slots (on EKS the VPC CNI's ENI/IP limit). */
  maxPods: number;
  /** On-demand price, USD per hour. */
  hourlyPrice: number;
}

/** Requests of pods that every node runs anyway (kube-proxy, aws-node/CNI, log and metric agents). */
export interface DaemonOverhead {
  millicpu: number;
  memoryMiB: number;
  pods: number;
}

export interface PodRequests {
  millicpu: number;
  memoryMiB: number;
}

/**
 * t3.medium (2 vCPU, 4 GiB) on EKS: allocatable 1930m CPU and about 3.3 GiB after the kubelet's
 * reservations, 17 pods with the VPC CNI, USD 0.0416/h on demand in us-east-1 (override the price).
 */
export const T3_MEDIUM: NodeType = { name: 't3.medium', allocatableMillicpu: 1930, allocatableMemoryMiB: 3380, maxPods: 17, hourlyPrice: 0.0416 };

export const DEFAULT_DAEMON_OVERHEAD: DaemonOverhead = { millicpu: 150, memoryMiB: 200, pods: 3 };

/** Sized so that two workers share a t3.medium: each can run 2 OCR threads under its limit. */
export const DEFAULT_POD_REQUESTS: PodRequests = { millicpu: 800, memoryMiB: 1536 };

export interface Packing {
  podsPerNode: number;
  /** Which resource runs out first. */
  limitedBy: 'cpu' | 'memory' | 'pods';
}

export function podsPerNode(node: NodeType, pod: PodRequests, overhead: DaemonOverhead = DEFAULT_DAEMON_OVERHEAD): Packing {
  const byCpu = Math.floor((node.allocatableMillicpu - overhead.millicpu) / pod.millicpu);
  const byMemory = Math.floor((node.allocatableMemoryMiB - overhead.memoryMiB) / pod.memoryMiB);
  const byPods = node.maxPods - overhead.pods;
  const podsPerNode = Math.max(0, Math.min(byCpu, byMemory, byPods));
  const limitedBy = podsPerNode === byCpu ? 'cpu' : podsPerNode === byMemory ? 'memory' : 'pods';
  return { podsPerNode, limitedBy };
}

export function nodesFor(replicas: number, perNode: number): number {
  if (replicas <= 0) return 0;
  if (perNode <= 0) throw new Error('a pod does not fit on the node type: lower the pod requests or pick a bigger node');
  return Math.ceil(replicas / perNode);
}

/** Parses Kubernetes quantities: CPU "800m" / "1.5", memory "1536Mi" / "2Gi" / "1G". */
export function parseCpu(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(text.trim());
  if (!m) throw new Error(`cannot read CPU quantity "${text}" (use 800m or 1.5)`);
  const value = Number(m[1]);
  return m[2] === 'm' ? value : value * 1000;
}

const MEMORY_UNITS: Record<string, number> = { '': 1 / (1024 * 1024), Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, K: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576 };

export function parseMemoryMiB(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G)?$/.exec(text.trim());
  if (!m) throw new Error(`cannot read memory quantity "${text}" (use 1536Mi or 2Gi)`);
  return Number(m[1]) * (MEMORY_UNITS[m[2] ?? ''] ?? 1);
}
