import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_VERSIONS, CHART_DIR, KUBE_VERSION, REPO_ROOT, helm, renderChart } from './lib/helm.js';
import { byKind, one, parseManifests } from './lib/manifests.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * A default install either works or fails at render time with a message that names what to set
 * (issue 12): the documented quick-start commands, and every value whose absence would give a
 * crash-looping pod, an autoscaler that never scales, or an install aborted on "no matches for kind".
 */

const ROLE = 'serviceAccount.roleArn=arn:aws:iam::123456789012:role/docsift-worker';
const QUEUE = 'queue.url=https://sqs.us-east-1.amazonaws.com/123456789012/docsift';
const SEARCH = 'opensearch.url=https://search-docs.us-east-1.es.amazonaws.com';

/** `helm template` with these --set values and API groups; the error text, or undefined when it renders. */
async function templateError(set: string[], apiVersions: string[] = API_VERSIONS): Promise<string | undefined> {
  const args = ['template', 'docsift', CHART_DIR, '--namespace', 'docsift', '--kube-version', KUBE_VERSION];
  for (const api of apiVersions) args.push('-a', api);
  for (const s of set) args.push('--set', s);
  const r = await helm(args);
  return r.code === 0 ? undefined : r.stderr;
}

/** The `--set` values of the first `helm install|upgrade` command in a README's code blocks. */
function quickStartSets(readmePath: string): string[] {
  const text = readFileSync(readmePath, 'utf8');
  const start = text.search(/helm (?:upgrade --install|install) docsift charts\/docsift/);
  if (start < 0) throw new Error(`no helm install command in ${readmePath}`);
  const lines: string[] = [];
  for (const line of text.slice(start).split('\n')) {
    lines.push(line);
    if (!line.trimEnd().endsWith('\\')) break;
  }
  const command = lines.join('\n');
  const sets = [...command.matchAll(/--set ([^\s\\]+)/g)].map((m) => (m[1] as string).replace(/\$[A-Z_]+/g, (v) => (v === '$QUEUE_URL' ? 'https://sqs.us-east-1.amazonaws.com/123456789012/docsift' : v === '$DLQ_URL' ? 'https://sqs.us-east-1.amazonaws.com/123456789012/docsift-dlq' : 'https://search-docs.us-east-1.es.amazonaws.com')));
  return sets.map((s) => s.replace(/"/g, ''));
}

describe.each([
  ['README.md', join(REPO_ROOT, 'README.md')],
  ['charts/docsift/README.md', join(CHART_DIR, 'README.md')],
])('the quick-start helm install of %s', (_name, path) => {
  it('renders a release that names its OpenSearch endpoint and gives KEDA a role to assume', async () => {
    const sets = quickStartSets(path);
    expect(await templateError(sets)).toBeUndefined();
    const objects = parseManifests(await renderChart({ set: sets }));
    const env = (one(objects, 'Deployment') as any).spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'OPENSEARCH_URL')?.value).toMatch(/^https:\/\//);
    const sa = byKind(objects, 'ServiceAccount').find((s) => s.metadata.name === 'docsift') as any;
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::/);
  });

  it('refuses at render, naming opensearch.url, without the OpenSearch endpoint', async () => {
    const sets = quickStartSets(path).filter((s) => !s.startsWith('opensearch.url='));
    expect(await templateError(sets)).toMatch(/opensearch\.url is required/);
  });
});

describe('render-time refusals', () => {
  it.each([
    ['no OpenSearch endpoint: the file sink cannot run under the read-only root', [QUEUE, ROLE], API_VERSIONS, /opensearch\.url is required/],
    ['KEDA on, the cluster without KEDA', [QUEUE, SEARCH, ROLE], [], /autoscaling\.keda\.enabled needs the keda\.sh\/v1alpha1 API.*autoscaling\.keda\.enabled=false/],
    ['a ServiceMonitor without prometheus-operator', [QUEUE, SEARCH, ROLE, 'metrics.serviceMonitor.enabled=true'], ['keda.sh/v1alpha1'], /metrics\.serviceMonitor\.enabled needs the monitoring\.coreos\.com\/v1 API/],
    ['a PrometheusRule without prometheus-operator', [QUEUE, SEARCH, ROLE, 'prometheusRule.enabled=true'], ['keda.sh/v1alpha1'], /prometheusRule\.enabled needs the monitoring\.coreos\.com\/v1 API/],
    ['a PodMonitor without prometheus-operator', [QUEUE, SEARCH, ROLE, 'metrics.podMonitor.enabled=true'], ['keda.sh/v1alpha1'], /metrics\.podMonitor\.enabled needs/],
    ['KEDA podIdentity (workload) and no IRSA role: KEDA would never scale', [QUEUE, SEARCH], API_VERSIONS, /annotation eks\.amazonaws\.com\/role-arn not found.*serviceAccount\.roleArn/],
    ['a ServiceMonitor and a PodMonitor: every pod scraped twice', [QUEUE, SEARCH, ROLE, 'metrics.serviceMonitor.enabled=true', 'metrics.podMonitor.enabled=true'], API_VERSIONS, /choose one/],
  ])('%s', async (_name, set, apis, message) => {
    expect(await templateError(set, apis)).toMatch(message);
  });

  it.each([
    ['KEDA off and no KEDA API: the CPU HPA', [QUEUE, SEARCH, 'autoscaling.keda.enabled=false'], []],
    ['the role as a hand-set ServiceAccount annotation', [QUEUE, SEARCH, 'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::123456789012:role/r'], API_VERSIONS],
    ['KEDA with its own identity and no workload role', [QUEUE, SEARCH, 'autoscaling.keda.auth.mode=operator'], API_VERSIONS],
    ['KEDA with an explicit role to assume', [QUEUE, SEARCH, 'autoscaling.keda.auth.roleArn=arn:aws:iam::123456789012:role/keda'], API_VERSIONS],
  ])('renders: %s', async (_name, set, apis) => {
    expect(await templateError(set, apis)).toBeUndefined();
  });
});

describe('names that must not collide', () => {
  it("KEDA's HPA never takes the name of the chart's CPU HPA", async () => {
    const keda = parseManifests(await renderChart({ set: [QUEUE, SEARCH, ROLE] }));
    const so = one(keda, 'ScaledObject') as any;
    // Unset: KEDA names its HPA keda-hpa-<ScaledObject>.
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.name).toBeUndefined();
    const cpu = parseManifests(await renderChart({ set: [QUEUE, SEARCH, 'autoscaling.keda.enabled=false'] }));
    expect(one(cpu, 'HorizontalPodAutoscaler').metadata.name).not.toBe(`keda-hpa-${so.metadata.name}`);
  });

  it('gives each release its own Grafana dashboard uid and title', async () => {
    const dashboard = async (release: string, namespace: string) => {
      const objects = parseManifests(await renderChart({ release, namespace, set: [QUEUE, SEARCH, ROLE, 'dashboard.enabled=true'] }));
      return JSON.parse((one(objects, 'ConfigMap') as any).data['docsift.json']) as { uid: string; title: string };
    };
    const [a, b, c] = await Promise.all([dashboard('docsift', 'team-a'), dashboard('docsift', 'team-b'), dashboard('docs', 'team-a')]);
    for (const d of [a, b, c]) expect(d.uid).toMatch(/^docsift-[0-9a-f]{12}$/);
    expect(new Set([a.uid, b.uid, c.uid]).size).toBe(3);
    expect(new Set([a.title, b.title, c.title]).size).toBe(3);
    expect(a).toEqual(await dashboard('docsift', 'team-a'));
  });
});
