import { podSpecOf, type K8sObject } from './manifests.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Volume types the "restricted" Pod Security Standard allows. */
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/**
 * Violations of the Kubernetes "restricted" Pod Security Standard (v1.33), plus the chart's own
 * rules: requests and limits on every container, no `latest` image, no literal credentials.
 */
export function podPolicyViolations(obj: K8sObject): string[] {
  const pod = podSpecOf(obj) as any;
  if (!pod) return [];
  const where = `${obj.kind}/${obj.metadata.name}`;
  const out: string[] = [];
  const podSc = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push(`${where}: host namespaces`);
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUMES.includes(type)) out.push(`${where}: volume ${v.name} of type ${type} not allowed`);
    if (type === 'emptyDir' && !v.emptyDir?.sizeLimit) out.push(`${where}: emptyDir ${v.name} without sizeLimit`);
  }
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
  if (containers.length === 0) out.push(`${where}: no containers`);
  for (const c of containers) {
    const at = `${where} container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.privileged) out.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}: capabilities must drop ALL`);
    const added = (sc.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    if (added.length) out.push(`${at}: adds capabilities ${added.join(',')}`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) out.push(`${at}: runAsNonRoot must be true`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) out.push(`${at}: runs as UID 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${at}: seccompProfile must be RuntimeDefault`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${at}: readOnlyRootFilesystem must be true`);
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${at}: hostPort`);
    for (const kind of ['requests', 'limits'] as const) {
      for (const res of ['cpu', 'memory']) if (!c.resources?.[kind]?.[res]) out.push(`${at}: no ${res} ${kind.slice(0, -1)}`);
    }
    const image: string = c.image ?? '';
    if (!image.includes('@sha256:')) {
      const tag = image.slice(image.lastIndexOf('/') + 1).split(':')[1];
      if (!tag || tag === 'latest') out.push(`${at}: image ${image} must have a pinned tag (not latest) or a digest`);
    }
    for (const e of c.env ?? []) {
      if (/(SECRET|PASSWORD|TOKEN|ACCESS_KEY)/.test(e.name) && e.value !== undefined) out.push(`${at}: literal credential in env ${e.name}`);
    }
  }
  return out;
}

/** Containers of a pod-bearing object. */
export function containersOf(obj: K8sObject): any[] {
  const pod = podSpecOf(obj) as any;
  return pod ? [...(pod.initContainers ?? []), ...(pod.containers ?? [])] : [];
}

/** A container's env as a name -> value map (valueFrom entries map to undefined). */
export function envOf(container: any): Record<string, string | undefined> {
  return Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));
}

/** Kubernetes quantity to bytes (binary and decimal suffixes). */
export function bytes(quantity: string): number {
  const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!m) throw new Error(`not a quantity: ${quantity}`);
  const mult: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? (mult[m[2]] as number) : 1);
}

/** CPU quantity to millicores. */
export function millicores(quantity: string | number): number {
  const s = String(quantity);
  return s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000;
}
