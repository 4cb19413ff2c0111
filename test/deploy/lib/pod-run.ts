/* eslint-disable @typescript-eslint/no-explicit-any */
import { createServer } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CHART_DIR, renderChart } from '../../chart/lib/helm.js';
import { parseManifests, podSpecOf, type K8sObject } from '../../chart/lib/manifests.js';
import type { LocalStack } from '../../../devstack/local-stack.js';
import { translateContainer, type K8sSecretLike, type PodContext, type TranslatedContainer } from './pod-spec.js';
import { Container, podman } from './podman.js';
import { Prober } from './prober.js';

export const IMAGE = process.env.DEPLOY_IMAGE ?? 'localhost/docsift:deploy-test';
export const NAMESPACE = 'docsift';
export const RELEASE = 'docsift';
/** The Secret the deploy renders name in `existingSecret` when a scenario names none. */
export const AWS_SECRET = 'docsift-aws';

/** Fails early, with what to run, when the image has not been built. */
export async function assertImage(): Promise<void> {
  const r = await podman(['image', 'exists', IMAGE]);
  if (r.code !== 0) throw new Error(`image ${IMAGE} not found: run scripts/deploy/build-image.sh (npm run test:deploy does) first`);
}

export interface Peers {
  stack: LocalStack;
  openSearchUrl: string;
}

/**
 * `--set` values that point a rendered release at the local peers, as an operator would for this
 * cluster: the image just built, the queues, the SQS and S3 endpoints, the OpenSearch URL, and a
 * Secret with the emulators' keys when the scenario names none (the chart's non-EKS path).
 */
export function peerValues(peers: Peers, scenarioValues: { existingSecret?: string } = {}): string[] {
  const [repository, tag] = [IMAGE.slice(0, IMAGE.lastIndexOf(':')), IMAGE.slice(IMAGE.lastIndexOf(':') + 1)];
  const set = [
    `image.repository=${repository}`,
    `image.tag=${tag}`,
    `queue.url=${peers.stack.queueUrl}`,
    `queue.dlqUrl=${peers.stack.dlqUrl}`,
    `aws.region=us-east-1`,
    `aws.endpoint=${peers.stack.sqsEndpoint}`,
    `aws.s3ForcePathStyle=true`,
    `env.AWS_ENDPOINT_URL_S3=${peers.stack.s3Endpoint}`,
    `opensearch.url=${peers.openSearchUrl}`,
  ];
  if (!scenarioValues.existingSecret) set.push(`existingSecret=${AWS_SECRET}`);
  return set;
}

export async function render(valuesFiles: string[], set: string[]): Promise<K8sObject[]> {
  return parseManifests(await renderChart({ valuesFiles, set, namespace: NAMESPACE, release: RELEASE }));
}

export function workload(objects: K8sObject[], kind: 'Deployment' | 'CronJob', component?: string): any {
  const obj = objects.find((o) => o.kind === kind && (!component || o.metadata.labels?.['app.kubernetes.io/component'] === component));
  if (!obj) throw new Error(`no ${kind}${component ? ` (${component})` : ''} rendered`);
  return podSpecOf(obj);
}

/**
 * What of a worker pod spec changes how the container runs (not where it is scheduled): two
 * scenarios with the same key run the same container, so the suite runs it once.
 */
export function runtimeKey(pod: any): string {
  const { nodeSelector: _n, tolerations: _t, affinity: _a, priorityClassName: _p, topologySpreadConstraints: _s, ...rest } = pod;
  return JSON.stringify(rest);
}

export interface RunningPod {
  container: Container;
  translated: TranslatedContainer;
  prober: Prober;
}

let podCounter = 0;

export async function runPod(pod: any, containerName: string, objects: K8sSecretLike[], extra: Partial<PodContext> = {}): Promise<RunningPod> {
  podCounter += 1;
  const podName = `${RELEASE}-${containerName}-${process.pid}-${podCounter}`;
  const translated = translateContainer(pod, containerName, {
    image: IMAGE,
    podName,
    namespace: NAMESPACE,
    objects,
    containerName: `docsift-deploy-${process.pid}-${podCounter}`,
    ...extra,
  });
  for (const port of Object.values(translated.ports)) await assertPortFree(port);
  const container = await Container.run(translated.args, `docsift-deploy-${process.pid}-${podCounter}`);
  return { container, translated, prober: new Prober(container, translated.probes, translated.ports) };
}

/** The pod shares the host's network (see pod-spec.ts): its ports must be free here. */
async function assertPortFree(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`port ${port} is in use on this machine (${err.code}); the pod runs in the host network and needs it: stop what listens there`)),
    );
    server.listen(port, '0.0.0.0', () => server.close(() => resolve()));
  });
}

export async function upload(stack: LocalStack, key: string, body: Buffer | string, contentType: string): Promise<void> {
  await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body, ContentType: contentType }));
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export { CHART_DIR };
