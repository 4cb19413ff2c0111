import { afterEach, describe, expect, it } from 'vitest';
import { KubernetesRollout } from '../../src/adapters/kubernetes/rollout.js';
import { kubeApps } from '../../src/cli/ops/clients.js';
import { loadConfig } from '../../src/config/load.js';
import { DocsiftError } from '../../src/domain/errors.js';
import { restartDeployment } from '../../src/operations/restart.js';
import { systemClock } from '../../src/platform/clock.js';
import type { Clock } from '../../src/ports/clock.port.js';
import { startKubeApiDouble, type DeploymentStatusStep, type KubeApiDouble } from '../helpers/kube-api-double.js';

const clock: Clock = systemClock;

/** A 3-replica rollout as the API server reports it, step by step, after our patch made generation 8. */
const ROLLOUT: DeploymentStatusStep[] = [
  { generation: 8, observedGeneration: 7, replicas: 3, updatedReplicas: 0, availableReplicas: 3 },
  { generation: 8, observedGeneration: 8, replicas: 4, updatedReplicas: 1, availableReplicas: 3, unavailableReplicas: 1 },
  { generation: 8, observedGeneration: 8, replicas: 4, updatedReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 },
  { generation: 8, observedGeneration: 8, replicas: 3, updatedReplicas: 3, availableReplicas: 2, unavailableReplicas: 1 },
  { generation: 8, observedGeneration: 8, replicas: 3, updatedReplicas: 3, availableReplicas: 3, progressingReason: 'NewReplicaSetAvailable' },
];

let api: KubeApiDouble | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function rolloutFor(double: KubeApiDouble) {
  const config = loadConfig({ KUBECONFIG: double.kubeconfig });
  if (!config.ok) throw new Error(config.problems.join('; '));
  return kubeApps(config.config);
}

describe('docsift restart against an API server double', () => {
  it('sends the strategic-merge patch kubectl sends: path, verb, content type, body', async () => {
    api = await startKubeApiDouble({ namespace: 'docsift', name: 'docsift-worker', specReplicas: 3, steps: ROLLOUT });
    const kube = rolloutFor(api);
    expect(kube.namespace).toBe('docsift'); // from the kubeconfig context
    const before = Date.now();
    const result = await restartDeployment(
      { rollout: new KubernetesRollout(kube.apps), clock },
      { namespace: kube.namespace, deployment: 'docsift-worker', wait: false, timeoutSeconds: 5, pollSeconds: 0.05 },
    );
    expect(result).toMatchObject({ generation: 8, status: null, timedOut: false });
    expect(api.requests).toHaveLength(1);
    const [patch] = api.requests;
    expect(patch!.method).toBe('PATCH');
    expect(patch!.path).toBe('/apis/apps/v1/namespaces/docsift/deployments/docsift-worker');
    expect(patch!.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(patch!.headers.authorization).toBe('Bearer double-token');
    expect(patch!.query.get('fieldManager')).toBe('docsift');
    const body = JSON.parse(patch!.body) as unknown;
    expect(body).toEqual({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) } } } } });
    const stamped = Date.parse((body as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']!);
    expect(stamped).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(stamped).toBeLessThanOrEqual(Date.now());
  });

  it('--wait follows the rollout through every kubectl status until it is rolled out', async () => {
    api = await startKubeApiDouble({ namespace: 'docsift', name: 'docsift-worker', specReplicas: 3, steps: ROLLOUT });
    const kube = rolloutFor(api);
    const messages: string[] = [];
    const result = await restartDeployment(
      { rollout: new KubernetesRollout(kube.apps), clock },
      { namespace: 'docsift', deployment: 'docsift-worker', wait: true, timeoutSeconds: 10, pollSeconds: 0.05, onProgress: (s) => messages.push(s.message) },
    );
    expect(result.timedOut).toBe(false);
    expect(result.status?.state).toBe('done');
    expect(messages).toEqual([
      'Waiting for deployment "docsift-worker" spec update to be observed...',
      'Waiting for deployment "docsift-worker" rollout to finish: 1 out of 3 new replicas have been updated...',
      'Waiting for deployment "docsift-worker" rollout to finish: 1 old replicas are pending termination...',
      'Waiting for deployment "docsift-worker" rollout to finish: 2 of 3 updated replicas are available (1 unavailable)...',
      'deployment "docsift-worker" successfully rolled out',
    ]);
    expect(api.requests.map((r) => r.method)).toEqual(['PATCH', 'GET', 'GET', 'GET', 'GET', 'GET']);
    expect(api.requests.slice(1).every((r) => r.path === '/apis/apps/v1/namespaces/docsift/deployments/docsift-worker')).toBe(true);
  });

  it('--wait stops at the timeout while the rollout is stuck', async () => {
    api = await startKubeApiDouble({ namespace: 'docsift', name: 'docsift-worker', specReplicas: 3, steps: ROLLOUT.slice(0, 2) });
    const kube = rolloutFor(api);
    const result = await restartDeployment(
      { rollout: new KubernetesRollout(kube.apps), clock },
      { namespace: 'docsift', deployment: 'docsift-worker', wait: true, timeoutSeconds: 0.3, pollSeconds: 0.05 },
    );
    expect(result.timedOut).toBe(true);
    expect(result.status?.message).toContain('1 out of 3 new replicas have been updated');
  });

  it('reports a rollout that exceeded its progress deadline as failed', async () => {
    api = await startKubeApiDouble({
      namespace: 'docsift',
      name: 'docsift-worker',
      specReplicas: 3,
      steps: [ROLLOUT[0]!, { ...ROLLOUT[1]!, progressingReason: 'ProgressDeadlineExceeded' }],
    });
    const kube = rolloutFor(api);
    const result = await restartDeployment(
      { rollout: new KubernetesRollout(kube.apps), clock },
      { namespace: 'docsift', deployment: 'docsift-worker', wait: true, timeoutSeconds: 5, pollSeconds: 0.05 },
    );
    expect(result.timedOut).toBe(false);
    expect(result.status).toEqual({ state: 'failed', message: 'deployment "docsift-worker" exceeded its progress deadline' });
  });

  it('turns a missing deployment into a not_found DocsiftError with the API message', async () => {
    api = await startKubeApiDouble({ namespace: 'docsift', name: 'docsift-worker', specReplicas: 3, steps: ROLLOUT });
    const kube = rolloutFor(api);
    const err = await new KubernetesRollout(kube.apps).restart('docsift', 'nope', new Date()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('not_found');
    expect((err as DocsiftError).message).toContain('deployments.apps "nope" not found');
  });

  it('K8S_NAMESPACE overrides the kubeconfig context namespace', async () => {
    api = await startKubeApiDouble({ namespace: 'docsift', name: 'docsift-worker', specReplicas: 3, steps: ROLLOUT });
    const config = loadConfig({ KUBECONFIG: api.kubeconfig, K8S_NAMESPACE: 'other' });
    expect(config.ok && kubeApps(config.config).namespace).toBe('other');
  });
});
