import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHART_DIR, KUBE_VERSION, helm, renderChart } from './lib/helm.js';
import { byKind, one, parseManifests, podSpecOf, validateWithModel, type K8sObject } from './lib/manifests.js';
import { bytes, containersOf, envOf, millicores, podPolicyViolations } from './lib/policy.js';
import { strictCheck, type StrictProblem } from './lib/strict-keys.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const CI_DIR = join(CHART_DIR, 'ci');
const SCENARIOS = readdirSync(CI_DIR)
  .filter((f) => f.endsWith('-values.yaml'))
  .sort();
const NAMESPACE = 'docsift';
const RELEASE = 'docsift';

/** Keys KEDA's aws-sqs-queue scaler reads from trigger metadata (pkg/scalers/aws_sqs_queue_scaler.go, v2.17). */
const SQS_TRIGGER_KEYS = new Set([
  'queueURL',
  'queueURLFromEnv',
  'queueLength',
  'activationQueueLength',
  'awsRegion',
  'awsEndpoint',
  'scaleOnInFlight',
  'scaleOnDelayed',
  'identityOwner',
]);

interface Rendered {
  objects: K8sObject[];
  strict: StrictProblem[];
  lint: { code: number; stdout: string; stderr: string };
}

const rendered = new Map<string, Rendered>();

beforeAll(async () => {
  const results = await Promise.all(
    SCENARIOS.map(async (file) => {
      const values = join(CI_DIR, file);
      const [text, lint] = await Promise.all([
        renderChart({ valuesFiles: [values], namespace: NAMESPACE, release: RELEASE }),
        helm(['lint', '--strict', CHART_DIR, '-f', values, '--kube-version', KUBE_VERSION, '--namespace', NAMESPACE]),
      ]);
      return { file, objects: parseManifests(text), lint };
    }),
  );
  // One TypeScript program for every object of every scenario: the checker starts once.
  const all = results.flatMap((r) => r.objects.map((o) => ({ ...o, metadata: { ...o.metadata, name: `${r.file}:${o.metadata.name}` } })));
  const problems = strictCheck(all);
  for (const r of results) {
    rendered.set(r.file, { objects: r.objects, lint: r.lint, strict: problems.filter((p) => p.object.includes(`/${r.file}:`)) });
  }
}, 120_000);

const get = (file: string): Rendered => {
  const r = rendered.get(file);
  if (!r) throw new Error(`scenario ${file} not rendered`);
  return r;
};
const worker = (objects: K8sObject[]) => one(objects, 'Deployment');
const workerContainer = (objects: K8sObject[]) => (podSpecOf(worker(objects)) as any).containers.find((c: any) => c.name === 'docsift');

it('has the scenarios the packaging issue asks for', () => {
  expect(SCENARIOS.map((f) => basename(f, '-values.yaml'))).toEqual(
    expect.arrayContaining(['defaults', 'keda-off-hpa', 'paused-replicas', 'irsa', 'monitoring', 'podmonitor', 'small-no-ocr', 'ocr-two-workers']),
  );
});

describe.each(SCENARIOS)('scenario %s', (file) => {
  it('passes helm lint --strict', () => {
    const { lint } = get(file);
    expect(lint.stderr + lint.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(lint.code, lint.stderr + lint.stdout).toBe(0);
  });

  it('renders objects that validate against their schemas', async () => {
    const { objects } = get(file);
    expect(objects.length).toBeGreaterThan(5);
    for (const obj of objects) await expect(validateWithModel(obj), `${obj.kind}/${obj.metadata.name}`).resolves.toBeUndefined();
  });

  it('renders no unknown fields', () => {
    expect(get(file).strict).toEqual([]);
  });

  it('keeps every object in the release namespace, labelled by the chart', () => {
    for (const obj of get(file).objects) {
      expect(obj.metadata.namespace, `${obj.kind}/${obj.metadata.name}`).toBe(NAMESPACE);
      expect(obj.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'docsift',
        'app.kubernetes.io/instance': RELEASE,
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.sh/chart': expect.stringMatching(/^docsift-/),
      });
      expect(obj.metadata.name.length).toBeLessThanOrEqual(obj.kind === 'CronJob' ? 52 : 63);
    }
  });

  it('meets the restricted Pod Security Standard, with limits and a pinned image on every container', () => {
    const { objects } = get(file);
    const pods = objects.filter((o) => podSpecOf(o));
    expect(pods.length).toBeGreaterThan(0);
    expect(pods.flatMap(podPolicyViolations)).toEqual([]);
  });

  it('gives the worker startup, liveness (exec healthcheck) and readiness probes', () => {
    const c = workerContainer(get(file).objects);
    expect(c.startupProbe?.httpGet?.path).toBe('/healthz');
    expect(c.livenessProbe?.exec?.command?.slice(0, 2)).toEqual(['docsift', 'healthcheck']);
    expect(c.livenessProbe.exec.command).toContain('--max-age');
    expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(c.args).toEqual(['run']);
  });

  it('sets memory request = limit and derives heap and guard limits from it', () => {
    const c = workerContainer(get(file).objects);
    const limit = bytes(c.resources.limits.memory);
    expect(c.resources.requests.memory).toBe(c.resources.limits.memory);
    const env = envOf(c);
    const mib = limit / 2 ** 20;
    // Node sizes the heap from the cgroup limit: --max-old-space-size-percentage is the input.
    const heap = (mib * Number(/--max-old-space-size-percentage=(\d+)/.exec(env.NODE_OPTIONS ?? '')?.[1])) / 100;
    // The chart passes percents; the worker applies them to the cgroup limit it reads.
    expect(env.MEMORY_LIMIT_MB).toBeUndefined();
    const soft = (mib * Number(env.MEMORY_SOFT_LIMIT_PERCENT)) / 100;
    const hard = (mib * Number(env.MEMORY_HARD_LIMIT_PERCENT)) / 100;
    expect(heap).toBeGreaterThan(0);
    expect(heap).toBeLessThan(soft);
    expect(soft).toBeLessThan(hard);
    expect(hard).toBeLessThan(mib);
    expect(millicores(c.resources.requests.cpu)).toBeLessThanOrEqual(millicores(c.resources.limits.cpu));
  });

  it('lets the longest message finish before the pod is killed', () => {
    const dep = worker(get(file).objects);
    const env = envOf(workerContainer(get(file).objects));
    const grace = (podSpecOf(dep) as any).terminationGracePeriodSeconds as number;
    expect(grace).toBeGreaterThan(Number(env.PROCESSING_TIMEOUT));
    expect(grace).toBeGreaterThan(Number(env.SHUTDOWN_TIMEOUT));
  });

  it('keeps temp files and heartbeats on size-limited emptyDirs under a read-only root', () => {
    const pod = podSpecOf(worker(get(file).objects)) as any;
    const c = workerContainer(get(file).objects);
    const env = envOf(c);
    const mountFor = (path: string) => c.volumeMounts.find((m: any) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
    for (const dir of [env.TEMP_DIR, env.HEARTBEAT_DIR]) {
      const mount = mountFor(dir as string);
      expect(mount, `${dir} is on a volume`).toBeDefined();
      const volume = pod.volumes.find((v: any) => v.name === mount.name);
      expect(volume.emptyDir.sizeLimit).toBeTruthy();
    }
  });

  it('never fights the autoscaler over replicas, and scales on SQS depth with KEDA when it is on', () => {
    const { objects } = get(file);
    const dep = worker(objects);
    const scaled = byKind(objects, 'ScaledObject');
    const hpas = byKind(objects, 'HorizontalPodAutoscaler');
    if (scaled.length > 0) {
      expect((dep.spec as any).replicas).toBeUndefined();
      expect(hpas).toEqual([]);
      const so = scaled[0] as any;
      expect(so.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: dep.metadata.name });
      expect(so.spec.triggers).toHaveLength(1);
      const trigger = so.spec.triggers[0];
      expect(trigger.type).toBe('aws-sqs-queue');
      for (const key of Object.keys(trigger.metadata)) expect(SQS_TRIGGER_KEYS.has(key), `trigger metadata ${key}`).toBe(true);
      // Deprecated since KEDA 2.13: identity comes from the TriggerAuthentication's podIdentity.
      expect(trigger.metadata.identityOwner).toBeUndefined();
      expect(trigger.authenticationRef?.name).toBeTruthy();
      for (const value of Object.values(trigger.metadata)) expect(typeof value).toBe('string');
      expect(trigger.metadata).toMatchObject({ queueURL: envOf(workerContainer(objects)).QUEUE_URL, awsRegion: envOf(workerContainer(objects)).AWS_REGION });
      expect(trigger.metadata.queueLength).toMatch(/^\d+$/);
      const behavior = so.spec.advanced.horizontalPodAutoscalerConfig.behavior;
      expect(behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(60);
      expect(behavior.scaleDown.policies).toContainEqual(expect.objectContaining({ type: 'Pods', value: 1 }));
      if (trigger.authenticationRef) {
        const auth = one(objects, 'TriggerAuthentication') as any;
        expect(trigger.authenticationRef.name).toBe(auth.metadata.name);
      }
    } else if (hpas.length > 0) {
      expect((dep.spec as any).replicas).toBeUndefined();
      expect(byKind(objects, 'TriggerAuthentication')).toEqual([]);
    } else {
      expect((dep.spec as any).replicas).toBeGreaterThanOrEqual(0);
    }
  });

  it('restarts the Deployment daily with a Role that can only get and patch it', () => {
    const { objects } = get(file);
    const dep = worker(objects);
    const cron = byKind(objects, 'CronJob').find((c) => c.metadata.labels?.['app.kubernetes.io/component'] === 'restart') as any;
    expect(cron).toBeDefined();
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    // One Job, one rollout: a retried `restart --wait` would start another rollout.
    expect(cron.spec.jobTemplate.spec.backoffLimit).toBe(0);
    expect(cron.spec.successfulJobsHistoryLimit).toBeGreaterThanOrEqual(0);
    expect(cron.spec.failedJobsHistoryLimit).toBeGreaterThanOrEqual(1);
    const c = containersOf(cron)[0];
    expect(c.args.slice(0, 5)).toEqual(['restart', '--deployment', dep.metadata.name, '--namespace', NAMESPACE]);
    const pod = podSpecOf(cron) as any;
    const role = byKind(objects, 'Role').find((r) => r.metadata.name === pod.serviceAccountName) as any;
    expect(role.rules).toEqual([{ apiGroups: ['apps'], resources: ['deployments'], resourceNames: [dep.metadata.name], verbs: ['get', 'patch'] }]);
    const binding = byKind(objects, 'RoleBinding').find((b) => (b as any).roleRef.name === role.metadata.name) as any;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: NAMESPACE }]);
    // The worker itself gets no API token.
    expect((podSpecOf(dep) as any).automountServiceAccountToken).toBe(false);
  });

  it('has a PodDisruptionBudget and topology spread selecting the worker pods only', () => {
    const { objects } = get(file);
    const dep = worker(objects) as any;
    const selector = dep.spec.selector.matchLabels;
    expect(dep.spec.template.metadata.labels).toMatchObject(selector);
    expect(selector['app.kubernetes.io/component']).toBe('worker');
    for (const pdb of byKind(objects, 'PodDisruptionBudget')) expect((pdb as any).spec.selector.matchLabels).toEqual(selector);
    for (const t of dep.spec.template.spec.topologySpreadConstraints ?? []) expect(t.labelSelector.matchLabels).toEqual(selector);
  });
});

describe('scenario specifics', () => {
  it('defaults: t3.medium sizing, OCR with two workers, KEDA with the workload identity, daily restart at 04:10', () => {
    const { objects } = get('defaults-values.yaml');
    const c = workerContainer(objects);
    expect(c.resources).toEqual({ requests: { cpu: '850m', memory: '1400Mi' }, limits: { cpu: '2000m', memory: '1400Mi' } });
    // Two pods per node: 2 x 850m and 2 x 1400Mi fit the t3.medium's ~1930m / ~3.3 GiB allocatable.
    expect(2 * millicores(c.resources.requests.cpu)).toBeLessThan(1930);
    expect(2 * bytes(c.resources.limits.memory)).toBeLessThan(3.3 * 2 ** 30);
    expect(envOf(c)).toMatchObject({ OCR_ENABLED: 'true', OCR_ENGINE: 'auto', OCR_WORKERS: '2', MEMORY_SOFT_LIMIT_PERCENT: '70', MEMORY_HARD_LIMIT_PERCENT: '85', NODE_OPTIONS: '--max-old-space-size-percentage=40', HEARTBEAT_MAX_AGE: '120' });
    expect((one(objects, 'TriggerAuthentication') as any).spec).toEqual({ podIdentity: { provider: 'aws', identityOwner: 'workload' } });
    const restart = byKind(objects, 'CronJob').find((o) => o.metadata.name.endsWith('-restart')) as any;
    expect(restart.spec.schedule).toBe('10 4 * * *');
    expect(byKind(objects, 'CronJob')).toHaveLength(1);
    expect(byKind(objects, 'ServiceMonitor')).toEqual([]);
    expect(byKind(objects, 'PrometheusRule')).toEqual([]);
    expect((worker(objects).spec as any).template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464' });
    const svc = one(objects, 'Service') as any;
    expect(svc.spec.ports).toEqual([{ name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' }]);
  });

  it('keda-off-hpa: an HPA on CPU and no KEDA objects', () => {
    const { objects } = get('keda-off-hpa-values.yaml');
    expect(byKind(objects, 'ScaledObject')).toEqual([]);
    const hpa = one(objects, 'HorizontalPodAutoscaler') as any;
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 4, scaleTargetRef: { kind: 'Deployment', name: worker(objects).metadata.name } });
    expect(hpa.spec.metrics[0].resource).toMatchObject({ name: 'cpu', target: { type: 'Utilization' } });
  });

  it('paused-replicas: the KEDA pause annotation holds 3 replicas', () => {
    const so = one(get('paused-replicas-values.yaml').objects, 'ScaledObject');
    expect(so.metadata.annotations).toEqual({ 'autoscaling.keda.sh/paused-replicas': '3' });
    expect(one(get('defaults-values.yaml').objects, 'ScaledObject').metadata.annotations).toBeUndefined();
  });

  it('irsa: role annotation on the ServiceAccount, credentials only from a Secret, DLQ redrive with its own values', () => {
    const { objects } = get('irsa-values.yaml');
    const sa = byKind(objects, 'ServiceAccount').find((s) => s.metadata.name === RELEASE) as any;
    expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/docsift-worker' });
    const c = workerContainer(objects);
    expect(c.envFrom).toEqual([{ secretRef: { name: 'docsift-opensearch' } }]);
    expect(Object.keys(envOf(c)).filter((k) => /AWS_(ACCESS|SECRET)/.test(k))).toEqual([]);
    const redrive = byKind(objects, 'CronJob').find((o) => o.metadata.name.endsWith('-dlq-redrive')) as any;
    expect(redrive.spec.concurrencyPolicy).toBe('Forbid');
    const rc = containersOf(redrive)[0];
    expect(rc.args).toEqual(['dlq', 'redrive', '--error-class', expect.stringContaining('index_unavailable'), '--max', '1000', '--rate', '10/s']);
    expect(rc.args[3]).not.toMatch(/corrupt_file|too_large/);
    expect(envOf(rc)).toMatchObject({ DLQ_URL: expect.stringContaining('docsift-dlq'), QUEUE_URL: expect.any(String) });
    expect((podSpecOf(redrive) as any).serviceAccountName).toBe(sa.metadata.name);
    expect((podSpecOf(worker(objects)) as any).nodeSelector).toEqual({ 'eks.amazonaws.com/nodegroup': 'docsift-t3-medium' });
  });

  it('backfill: a Job running `docsift backfill` with the worker\'s ServiceAccount, image, key filters and state; off by default', () => {
    const { objects } = get('backfill-values.yaml');
    const jobs = byKind(objects, 'Job');
    expect(jobs).toHaveLength(1);
    const job = jobs[0] as any;
    expect(job.metadata.name).toMatch(/^docsift-backfill-[0-9a-f]{8}$/);
    expect(job.spec.backoffLimit).toBe(6);
    const c = containersOf(job)[0];
    expect(c.args).toEqual(['backfill', 's3://docsift-inbox/archive/', '--rate', '100/s', '--max', '1000000', '--skip-unchanged']);
    const pod = podSpecOf(job) as any;
    const workerPod = podSpecOf(worker(objects)) as any;
    expect(pod.serviceAccountName).toBe(workerPod.serviceAccountName);
    expect(pod.restartPolicy).toBe('Never');
    expect(c.image).toBe(workerContainer(objects).image);
    const env = envOf(c);
    const workerEnv = envOf(workerContainer(objects));
    for (const name of ['QUEUE_URL', 'AWS_REGION', 'OPENSEARCH_URL', 'OPENSEARCH_INDEX', 'EXCLUDE_KEYS', 'STATE_URI', 'S3_TAGS_ENABLED']) expect(env[name], name).toBe(workerEnv[name]);
    expect(env).toMatchObject({ EXCLUDE_KEYS: '**/~$*,**/.DS_Store,tmp/**', STATE_URI: 's3://docsift-inbox/.docsift-state/', S3_TAGS_ENABLED: 'true', METRICS_PORT: '0' });
    for (const file of SCENARIOS.filter((f) => f !== 'backfill-values.yaml')) expect(byKind(get(file).objects, 'Job'), file).toEqual([]);
  });

  it('monitoring: ServiceMonitor on the metrics port, PrometheusRule with every alert, dashboard for the Grafana sidecar', () => {
    const { objects } = get('monitoring-values.yaml');
    const sm = one(objects, 'ServiceMonitor') as any;
    const svc = one(objects, 'Service') as any;
    expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(sm.spec.endpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics' });
    expect(sm.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(byKind(objects, 'PodMonitor')).toEqual([]);
    const rule = one(objects, 'PrometheusRule') as any;
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(alerts.sort()).toEqual(
      [
        'DocsiftContainerRestarting',
        'DocsiftDLQDepthHigh',
        'DocsiftHeartbeatStale',
        'DocsiftMemoryGuardActive',
        'DocsiftMemoryHigh',
        'DocsiftOOMKilled',
        'DocsiftSuccessRateLow',
        'DocsiftThroughputLow',
      ].sort(),
    );
    for (const r of rule.spec.groups[0].rules) expect(r.labels).toMatchObject({ severity: expect.stringMatching(/^(warning|critical)$/), team: 'search' });
    const cm = one(objects, 'ConfigMap') as any;
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    const dashboard = JSON.parse(cm.data['docsift.json']);
    expect(dashboard.uid).toMatch(/^docsift-[0-9a-f]{12}$/);
    expect(dashboard.panels.filter((p: any) => p.type !== 'row').length).toBeGreaterThanOrEqual(12);
    const np = one(objects, 'NetworkPolicy') as any;
    expect(np.spec.ingress[0].ports).toEqual([{ port: 'metrics', protocol: 'TCP' }]);
    expect((worker(objects).spec as any).template.metadata.annotations['prometheus.io/scrape']).toBeUndefined();
  });

  it('podmonitor: a PodMonitor on the worker pods instead of a ServiceMonitor, KEDA with its own identity', () => {
    const { objects } = get('podmonitor-values.yaml');
    expect(byKind(objects, 'ServiceMonitor')).toEqual([]);
    expect(byKind(objects, 'Service')).toEqual([]);
    const pm = one(objects, 'PodMonitor') as any;
    expect((worker(objects).spec as any).template.metadata.labels).toMatchObject(pm.spec.selector.matchLabels);
    expect(pm.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics' });
    expect((one(objects, 'TriggerAuthentication') as any).spec).toEqual({ podIdentity: { provider: 'aws', identityOwner: 'keda' } });
  });

  it('small-no-ocr: fits 512 MiB with OCR off', () => {
    const c = workerContainer(get('small-no-ocr-values.yaml').objects);
    expect(c.resources.limits.memory).toBe('512Mi');
    const env = envOf(c);
    expect(env.OCR_ENABLED).toBe('false');
    expect(env.OCR_WORKERS).toBeUndefined();
    expect(Number(env.MEMORY_HARD_LIMIT_PERCENT)).toBeLessThan(100);
    expect(env.NODE_OPTIONS).toBe('--max-old-space-size-percentage=40');
    expect(one(get('small-no-ocr-values.yaml').objects, 'ScaledObject').spec).toMatchObject({ minReplicaCount: 0 });
  });

  it('ocr-two-workers: two OCR workers on the dedicated node group', () => {
    const { objects } = get('ocr-two-workers-values.yaml');
    const env = envOf(workerContainer(objects));
    expect(env).toMatchObject({ OCR_ENABLED: 'true', OCR_ENGINE: 'native', OCR_WORKERS: '2', OCR_LANGUAGES: 'jpn+eng' });
    const pod = podSpecOf(worker(objects)) as any;
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'docsift', effect: 'NoSchedule' }]);
    expect(pod.priorityClassName).toBe('docsift-workers');
  });
});

describe('strict unknown-field check', () => {
  it('catches an unknown field at any depth and a wrong type', () => {
    const objects = structuredClone(get('defaults-values.yaml').objects);
    (worker(objects) as any).spec.template.spec.containers[0].resourcez = {};
    (one(objects, 'ScaledObject') as any).spec.triggers[0].metadataz = {};
    (one(objects, 'CronJob') as any).spec.concurrencyPolicy = 7;
    const problems = strictCheck(objects);
    expect(problems.map((p) => p.object).sort()).toEqual(['CronJob/docsift-restart', 'Deployment/docsift', 'ScaledObject/docsift']);
    expect(problems.find((p) => p.object === 'Deployment/docsift')?.message).toMatch(/resourcez/);
  });
});
