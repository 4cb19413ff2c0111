import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, renderChart } from './lib/helm.js';
import { byKind, one, parseManifests, podSpecOf, validateWithModel, type K8sObject } from './lib/manifests.js';
import { containersOf, podPolicyViolations } from './lib/policy.js';
import { strictCheck } from './lib/strict-keys.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const K8S = join(REPO_ROOT, 'k8s');
const LOCAL_STACK = join(K8S, 'local-stack');
const read = (path: string) => readFileSync(path, 'utf8');

let localStack: K8sObject[];
let kindRelease: K8sObject[];
let eksRelease: K8sObject[];

beforeAll(async () => {
  localStack = readdirSync(LOCAL_STACK)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseManifests(read(join(LOCAL_STACK, f))));
  [kindRelease, eksRelease] = await Promise.all([
    renderChart({ valuesFiles: [join(K8S, 'kind-values.yaml')], set: ['image.repository=docsift', 'image.tag=dev'], namespace: 'docsift-local' }).then(parseManifests),
    renderChart({ valuesFiles: [join(K8S, 'examples', 'eks-values.yaml')], namespace: 'docsift' }).then(parseManifests),
  ]);
}, 60_000);

describe('k8s/local-stack', () => {
  it('has an SQS/S3 emulator, a single-node OpenSearch and the setup Job', () => {
    const names = localStack.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining(['Deployment/moto', 'Service/moto', 'StatefulSet/opensearch', 'Service/opensearch', 'Job/local-stack-setup', 'Namespace/docsift-local']));
    const os = one(localStack, 'StatefulSet') as any;
    const env = Object.fromEntries(os.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env['discovery.type']).toBe('single-node');
    expect(os.spec.replicas).toBe(1);
  });

  it('validates against the Kubernetes schemas, with no unknown fields', async () => {
    for (const obj of localStack) await expect(validateWithModel(obj), `${obj.kind}/${obj.metadata.name}`).resolves.toBeUndefined();
    expect(strictCheck(localStack)).toEqual([]);
  });

  it('pins every image and bounds every container', () => {
    for (const obj of localStack.filter((o) => podSpecOf(o))) {
      for (const c of containersOf(obj)) {
        expect(c.image, `${obj.metadata.name}/${c.name}`).toMatch(/:[0-9][\w.-]*$/);
        expect(c.resources?.limits?.memory).toBeTruthy();
        expect(c.resources?.limits?.cpu).toBeTruthy();
        expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
      }
    }
  });

  it('is wired to the kind values: queue, endpoint, OpenSearch and the credentials Secret exist', () => {
    const values = parse(read(join(K8S, 'kind-values.yaml')));
    const services = byKind(localStack, 'Service').map((s) => `${s.metadata.name}.${s.metadata.namespace}`);
    for (const url of [values.queue.url, values.aws.endpoint, values.opensearch.url]) {
      const host = new URL(url).hostname.replace(/\.svc\.cluster\.local$/, '');
      expect(services, url).toContain(host);
    }
    const secret = byKind(localStack, 'Secret').map((s) => s.metadata.name);
    expect(secret).toContain(values.existingSecret);
    expect(secret).toContain(values.autoscaling.keda.auth.secretName);
    const setup = JSON.stringify(one(localStack, 'Job'));
    expect(setup).toContain(new URL(values.queue.url).pathname.split('/').pop());
    expect(setup).toContain(new URL(values.queue.dlqUrl).pathname.split('/').pop());
  });
});

describe('k8s values for kind and EKS', () => {
  it.each([
    ['kind', () => kindRelease],
    ['eks', () => eksRelease],
  ])('%s: the chart renders valid, strict, restricted objects', async (_name, objects) => {
    for (const obj of objects()) await validateWithModel(obj);
    expect(strictCheck(objects())).toEqual([]);
    expect(objects().flatMap(podPolicyViolations)).toEqual([]);
  });

  it('eks: IRSA, KEDA with the workload identity, monitoring on, the node group selected', () => {
    const sa = byKind(eksRelease, 'ServiceAccount').find((s) => s.metadata.name === 'docsift') as any;
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect((one(eksRelease, 'TriggerAuthentication') as any).spec.podIdentity.provider).toBe('aws');
    expect(byKind(eksRelease, 'ServiceMonitor')).toHaveLength(1);
    expect(byKind(eksRelease, 'PrometheusRule')).toHaveLength(1);
    expect((podSpecOf(one(eksRelease, 'Deployment')) as any).nodeSelector).toEqual({ 'eks.amazonaws.com/nodegroup': 'docsift-t3-medium' });
  });
});

describe('kind cluster and skaffold', () => {
  it('kind: a pinned node image and a worker labelled like the EKS node group', () => {
    const cluster = parse(read(join(K8S, 'kind-cluster.yaml')));
    expect(cluster.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    for (const node of cluster.nodes) expect(node.image).toMatch(/^kindest\/node:v1\.\d+\.\d+$/);
    const worker = cluster.nodes.find((n: any) => n.role === 'worker');
    const eks = parse(read(join(K8S, 'examples', 'eks-values.yaml')));
    expect(worker.labels).toMatchObject(eks.nodeSelector);
  });

  it('skaffold: builds the Dockerfile, deploys the local stack and the chart with the built image', () => {
    const skaffold = parse(read(join(REPO_ROOT, 'skaffold.yaml')));
    expect(skaffold.apiVersion).toMatch(/^skaffold\/v4/);
    const artifact = skaffold.build.artifacts[0];
    expect(existsSync(join(REPO_ROOT, artifact.context, artifact.docker.dockerfile))).toBe(true);
    for (const file of skaffold.manifests.rawYaml) expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
    const release = skaffold.deploy.helm.releases.find((r: any) => r.chartPath);
    expect(existsSync(join(REPO_ROOT, release.chartPath, 'Chart.yaml'))).toBe(true);
    for (const file of release.valuesFiles) expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
    expect(release.setValueTemplates['image.repository']).toBe(`{{.IMAGE_REPO_${artifact.image}}}`);
    expect(release.setValueTemplates['image.tag']).toBe(`{{.IMAGE_TAG_${artifact.image}}}`);
    expect(release.createNamespace).toBe(true);
  });

  it('skaffold: installs a KEDA release tested on the kind nodes\' Kubernetes, and metrics-server for the CPU HPA profile', () => {
    const skaffold = parse(read(join(REPO_ROOT, 'skaffold.yaml')));
    const keda = skaffold.deploy.helm.releases.find((r: any) => r.remoteChart === 'keda');
    // KEDA's compatibility matrix (keda.sh/docs/2.20/operate/cluster): the Kubernetes minors each release is tested on.
    const tested: Record<string, [number, number]> = { '2.16': [29, 31], '2.17': [30, 32], '2.18': [31, 33], '2.19': [32, 34], '2.20': [33, 35] };
    const range = tested[keda.version.split('.').slice(0, 2).join('.')];
    expect(range, `KEDA ${keda.version}`).toBeDefined();
    const cluster = parse(read(join(K8S, 'kind-cluster.yaml')));
    for (const node of cluster.nodes) {
      const minor = Number(/^kindest\/node:v1\.(\d+)\./.exec(node.image)?.[1]);
      expect(minor).toBeGreaterThanOrEqual(range![0]);
      expect(minor).toBeLessThanOrEqual(range![1]);
    }
    const noKeda = skaffold.profiles.find((p: any) => p.name === 'no-keda');
    expect(noKeda.patches.find((p: any) => p.path === '/deploy/helm/releases/0').value.remoteChart).toBe('metrics-server');
    expect(noKeda.patches.find((p: any) => p.path === '/deploy/helm/releases/1/setValues').value).toEqual({ 'autoscaling.keda.enabled': false });
  });
});
