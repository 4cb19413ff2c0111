/* eslint-disable @typescript-eslint/no-explicit-any */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../devstack/local-stack.js';
import { startKubeApiDouble, TOKEN, type KubeApiDouble } from '../helpers/kube-api-double.js';
import { sqsHelpers } from '../helpers/local-sqs.js';
import { OpenSearchDouble } from '../helpers/opensearch-double.js';
import { secret, startApiFront, type ApiFront } from './lib/cluster.js';
import { AWS_SECRET, CHART_DIR, NAMESPACE, RELEASE, assertImage, peerValues, render, runPod, workload } from './lib/pod-run.js';

/**
 * Each CronJob's container, from the rendered jobTemplate, run once as its Job's pod would be:
 * the daily restart against the Kubernetes API double (behind TLS, with the service-account token
 * the kubelet mounts), the DLQ redrive against local SQS.
 */
let stack: LocalStack;
let api: KubeApiDouble;
let front: ApiFront;
const double = new OpenSearchDouble();
let objects: any[];

beforeAll(async () => {
  await assertImage();
  stack = await startLocalStack({ queueName: `deploy-jobs-${Date.now().toString(36)}`, bridge: false });
  await double.start();
  api = await startKubeApiDouble({
    namespace: NAMESPACE,
    name: RELEASE,
    specReplicas: 2,
    steps: [
      { generation: 5, observedGeneration: 5, replicas: 3, updatedReplicas: 1, availableReplicas: 2, unavailableReplicas: 1 },
      { generation: 5, observedGeneration: 5, replicas: 2, updatedReplicas: 2, availableReplicas: 2, progressingReason: 'NewReplicaSetAvailable' },
    ],
  });
  front = await startApiFront({ target: api.url, token: TOKEN, namespace: NAMESPACE });
  // The chart defaults (ci/defaults-values.yaml: what a default install must be given) with the DLQ redrive on.
  objects = await render([join(CHART_DIR, 'ci', 'defaults-values.yaml')], [...peerValues({ stack, openSearchUrl: double.url }), 'dlqRedrive.enabled=true']);
}, 60_000);

afterAll(async () => {
  await front?.close();
  await api?.close();
  await double.stop();
  await stack?.close();
});

async function runJob(component: string, extra: Parameters<typeof runPod>[3] = {}) {
  const spec = workload(objects, 'CronJob', component);
  expect(spec.restartPolicy).toBe('Never');
  const containerName = spec.containers[0].name as string;
  const pod = await runPod(spec, containerName, [secret(AWS_SECRET, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' })], extra);
  try {
    const state = await pod.container.wait(240_000);
    return { state, logs: await pod.container.logs(), env: pod.translated.env };
  } finally {
    await pod.container.remove();
  }
}

describe('restart CronJob', () => {
  it('rolls the Deployment out through the API with the mounted service-account token, and waits for it', async () => {
    const { state, logs } = await runJob('restart', { serviceAccountDir: front.serviceAccountDir, apiServer: { host: front.host, port: front.port } });
    expect(state.exitCode, logs).toBe(0);
    const patches = api.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.path).toBe(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${RELEASE}`);
    expect(patches[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(patches[0]!.body).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-/);
    // --wait: it read the status until the rollout completed.
    expect(api.requests.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(2);
  });
});

describe('DLQ-redrive CronJob', () => {
  it('moves the retryable classes back to the queue and leaves the permanent ones', async () => {
    const sqs = sqsHelpers(stack.sqsEndpoint, async () => undefined);
    const dead = (i: number, errorClass: string) => ({
      body: JSON.stringify({ bucket: stack.bucket, key: `dead/${i}.txt` }),
      attributes: { error_class: errorClass, stage: 'index', source_queue: stack.queueUrl, failed_at: new Date().toISOString() },
    });
    await sqs.sendMany(stack.dlqUrl, [dead(1, 'index_unavailable'), dead(2, 'ocr_timeout'), dead(3, 'corrupt_file')]);
    const { state, logs } = await runJob('dlq-redrive');
    expect(state.exitCode, logs).toBe(0);
    const back = await sqs.readAll(stack.queueUrl, 30);
    expect(back.map((m) => JSON.parse(m.Body!).key).sort()).toEqual(['dead/1.txt', 'dead/2.txt']);
    const left = await sqs.readAll(stack.dlqUrl, 30);
    expect(left.map((m) => m.MessageAttributes?.error_class?.StringValue)).toEqual(['corrupt_file']);
  });
});
