/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Translates one container of a rendered pod spec into `podman run` arguments, the way a kubelet
 * with a CRI runtime would run it. Pure: every input (Secrets, ConfigMaps, the service-account
 * files, the cluster's service environment) is passed in, so the translation is unit-tested in
 * `npm test` and used by the image suite in `npm run test:deploy`.
 *
 * Reproduced: command/args (ENTRYPOINT/CMD override), env with $(VAR) expansion and valueFrom
 * (secretKeyRef, configMapKeyRef, fieldRef), envFrom (secretRef, configMapRef, prefix) with env
 * winning over envFrom, the Kubernetes service variables every container gets, runAsUser/Group,
 * fsGroup and supplementalGroups, runAsNonRoot, readOnlyRootFilesystem (with no extra tmpfs of
 * podman's own), capabilities, allowPrivilegeEscalation, emptyDirs as tmpfs limited to their
 * sizeLimit, the service-account token when automounted, resource limits (memory without swap,
 * CPU quota, CPU shares from the request), terminationGracePeriodSeconds as the stop timeout.
 * Not reproduced: the pod network namespace (the container shares the host's loopback, where the
 * local servers run) and scheduling fields (nodeSelector, tolerations, affinity, priority).
 */

export interface K8sSecretLike {
  kind: 'Secret' | 'ConfigMap';
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface PodContext {
  /** Local image that stands for the rendered image reference. */
  image: string;
  podName: string;
  namespace: string;
  /** Secrets and ConfigMaps that exist in the namespace. */
  objects: K8sSecretLike[];
  /** Host directory holding token, ca.crt and namespace, mounted when the token is automounted. */
  serviceAccountDir?: string;
  /** The API server as pods see it (KUBERNETES_SERVICE_HOST/PORT). */
  apiServer?: { host: string; port: number };
  /** Host-side name of the container. */
  containerName: string;
}

export interface TranslatedContainer {
  args: string[];
  env: Record<string, string>;
  stopTimeoutSeconds: number;
  /** The container's memory limit in bytes (the cgroup limit it runs under), if it has one. */
  memoryLimitBytes?: number;
  /** Container port by name, for HTTP probes. */
  ports: Record<string, number>;
  probes: { startup?: any; liveness?: any; readiness?: any };
}

const SA_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

export class PodSpecError extends Error {}

/** Kubernetes quantity to bytes (memory) or to cores (cpu). */
export function quantity(q: string | number): number {
  const s = String(q);
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(s);
  if (!m) throw new PodSpecError(`bad quantity ${s}`);
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  const decimal: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  const factor = binary[unit] ?? decimal[unit];
  if (factor === undefined) throw new PodSpecError(`bad quantity unit in ${s}`);
  return n * factor;
}

function decode(obj: K8sSecretLike): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = obj.kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
  return { ...out, ...(obj.stringData ?? {}) };
}

function lookup(ctx: PodContext, kind: 'Secret' | 'ConfigMap', name: string, optional: boolean | undefined): Record<string, string> | undefined {
  const obj = ctx.objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!obj && !optional) throw new PodSpecError(`${kind} "${name}" not found: the kubelet would not start the container (CreateContainerConfigError)`);
  return obj ? decode(obj) : undefined;
}

/** `$(VAR)` references to variables defined earlier; `$$(VAR)` escapes (Kubernetes' expansion rules). */
export function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return name !== undefined && name in env ? (env[name] as string) : whole;
  });
}

function fieldRef(path: string, ctx: PodContext, pod: any): string {
  const fields: Record<string, string | undefined> = {
    'metadata.name': ctx.podName,
    'metadata.namespace': ctx.namespace,
    'spec.serviceAccountName': pod.serviceAccountName,
    'status.podIP': '127.0.0.1',
    'status.hostIP': '127.0.0.1',
  };
  const v = fields[path];
  if (v === undefined) throw new PodSpecError(`fieldRef ${path} is not supported by the pod runner`);
  return v;
}

/** The container's environment as the kubelet builds it: service variables, envFrom in order, then env. */
export function containerEnv(container: any, pod: any, ctx: PodContext): Record<string, string> {
  const env: Record<string, string> = { HOSTNAME: ctx.podName };
  if (ctx.apiServer) {
    Object.assign(env, {
      KUBERNETES_SERVICE_HOST: ctx.apiServer.host,
      KUBERNETES_SERVICE_PORT: String(ctx.apiServer.port),
      KUBERNETES_SERVICE_PORT_HTTPS: String(ctx.apiServer.port),
      KUBERNETES_PORT: `tcp://${ctx.apiServer.host}:${ctx.apiServer.port}`,
    });
  }
  for (const from of container.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    const kind = from.secretRef ? 'Secret' : 'ConfigMap';
    const values = lookup(ctx, kind, ref.name, ref.optional) ?? {};
    for (const [k, v] of Object.entries(values)) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.secretKeyRef || e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef;
      const values = lookup(ctx, e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name, ref.optional);
      if (values && ref.key in values) env[e.name] = values[ref.key] as string;
      else if (!ref.optional) throw new PodSpecError(`key ${ref.key} not found in ${ref.name} for env ${e.name}`);
    } else if (e.valueFrom?.fieldRef) {
      env[e.name] = fieldRef(e.valueFrom.fieldRef.fieldPath, ctx, pod);
    } else if (e.valueFrom) {
      throw new PodSpecError(`env ${e.name}: valueFrom ${Object.keys(e.valueFrom).join(',')} is not supported by the pod runner`);
    } else {
      env[e.name] = expand(String(e.value ?? ''), env);
    }
  }
  return env;
}

function securityArgs(container: any, pod: any): string[] {
  const psc = pod.securityContext ?? {};
  const csc = container.securityContext ?? {};
  const uid = csc.runAsUser ?? psc.runAsUser;
  const gid = csc.runAsGroup ?? psc.runAsGroup;
  const nonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
  if (nonRoot && (uid === undefined || uid === 0)) {
    throw new PodSpecError('runAsNonRoot without a numeric non-zero runAsUser: the kubelet cannot verify the image user is non-root');
  }
  const args: string[] = [];
  if (uid !== undefined) args.push('--user', gid !== undefined ? `${uid}:${gid}` : String(uid));
  for (const g of [psc.fsGroup, ...(psc.supplementalGroups ?? [])].filter((g) => g !== undefined)) args.push('--group-add', String(g));
  if (csc.readOnlyRootFilesystem) args.push('--read-only', '--read-only-tmpfs=false');
  if (csc.privileged) throw new PodSpecError('privileged containers are not run');
  for (const cap of csc.capabilities?.drop ?? []) args.push('--cap-drop', cap);
  for (const cap of csc.capabilities?.add ?? []) args.push('--cap-add', cap);
  if (csc.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  const seccomp = csc.seccompProfile?.type ?? psc.seccompProfile?.type;
  if (seccomp === 'Unconfined') args.push('--security-opt', 'seccomp=unconfined');
  return args;
}

function volumeArgs(container: any, pod: any, ctx: PodContext): string[] {
  const args: string[] = [];
  const volumes = new Map<string, any>((pod.volumes ?? []).map((v: any) => [v.name, v]));
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.get(mount.name);
    if (!volume) throw new PodSpecError(`volumeMount ${mount.name} has no volume`);
    if (!volume.emptyDir) throw new PodSpecError(`volume ${mount.name}: only emptyDir is supported by the pod runner`);
    // An emptyDir is world-writable (0777) as the kubelet creates it; its sizeLimit becomes the tmpfs size.
    const size = volume.emptyDir.sizeLimit ? `,tmpfs-size=${quantity(volume.emptyDir.sizeLimit)}` : '';
    const ro = mount.readOnly ? ',ro' : '';
    args.push('--mount', `type=tmpfs,destination=${mount.mountPath},tmpfs-mode=1777${size}${ro}`);
  }
  if (pod.automountServiceAccountToken !== false && !(container.volumeMounts ?? []).some((m: any) => m.mountPath === SA_PATH)) {
    if (!ctx.serviceAccountDir) throw new PodSpecError('the pod automounts a service-account token but no token was provided');
    args.push('--mount', `type=bind,source=${ctx.serviceAccountDir},destination=${SA_PATH},ro=true`);
  }
  return args;
}

function resourceArgs(container: any): string[] {
  const args: string[] = [];
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  if (limits.memory !== undefined) {
    const bytes = Math.round(quantity(limits.memory));
    // No swap for a Kubernetes container: memory+swap equals the limit.
    args.push('--memory', String(bytes), '--memory-swap', String(bytes));
  }
  if (limits.cpu !== undefined) args.push('--cpus', String(quantity(limits.cpu)));
  if (requests.cpu !== undefined) args.push('--cpu-shares', String(Math.max(2, Math.round(quantity(requests.cpu) * 1024))));
  return args;
}

/** `podman run` arguments (after `run`) for one container of a rendered pod spec. */
export function translateContainer(pod: any, containerName: string, ctx: PodContext): TranslatedContainer {
  const container = (pod.containers ?? []).find((c: any) => c.name === containerName);
  if (!container) throw new PodSpecError(`no container ${containerName} in the pod spec`);
  const env = containerEnv(container, pod, ctx);
  const stopTimeoutSeconds = pod.terminationGracePeriodSeconds ?? 30;
  const args = ['--name', ctx.containerName, '--hostname', ctx.podName, '--network', 'host', '--stop-timeout', String(stopTimeoutSeconds)];
  args.push(...securityArgs(container, pod), ...volumeArgs(container, pod, ctx), ...resourceArgs(container));
  if (container.workingDir) args.push('--workdir', container.workingDir);
  for (const name of Object.keys(env).sort()) args.push('--env', `${name}=${env[name]}`);
  // command replaces the image's ENTRYPOINT (and drops its CMD); args replace CMD.
  const command: string[] | undefined = container.command?.map((c: string) => expand(c, env));
  const cargs: string[] = (container.args ?? []).map((a: string) => expand(a, env));
  if (command && command.length > 0) args.push('--entrypoint', JSON.stringify(command));
  args.push(ctx.image, ...cargs);
  const ports: Record<string, number> = {};
  for (const p of container.ports ?? []) if (p.name) ports[p.name] = p.containerPort;
  return {
    args,
    env,
    stopTimeoutSeconds,
    ...(container.resources?.limits?.memory !== undefined ? { memoryLimitBytes: Math.round(quantity(container.resources.limits.memory)) } : {}),
    ports,
    probes: { startup: container.startupProbe, liveness: container.livenessProbe, readiness: container.readinessProbe },
  };
}
