import { describe, expect, it } from 'vitest';
import { restartPatch, rfc3339, rolloutStatus, type DeploymentSnapshot } from '../../../src/domain/rollout-status.js';

const d = (over: Partial<DeploymentSnapshot>): DeploymentSnapshot => ({
  name: 'docsift',
  generation: 5,
  observedGeneration: 5,
  specReplicas: 3,
  replicas: 3,
  updatedReplicas: 3,
  availableReplicas: 3,
  unavailableReplicas: 0,
  progressingReason: 'NewReplicaSetAvailable',
  ...over,
});

describe('rolloutStatus (kubectl rollout status for a Deployment)', () => {
  it.each([
    ['spec not observed yet', d({ observedGeneration: 4 }), 0, 'waiting', 'Waiting for deployment "docsift" spec update to be observed...'],
    ['our patch not visible in this read yet', d({ generation: 4, observedGeneration: 4 }), 5, 'waiting', 'spec update to be observed'],
    ['progress deadline exceeded', d({ progressingReason: 'ProgressDeadlineExceeded', updatedReplicas: 1 }), 5, 'failed', 'exceeded its progress deadline'],
    ['new replicas being updated', d({ updatedReplicas: 1, replicas: 4 }), 5, 'waiting', '1 out of 3 new replicas have been updated'],
    ['old replicas pending termination', d({ replicas: 5 }), 5, 'waiting', '2 old replicas are pending termination'],
    ['updated replicas not all available', d({ availableReplicas: 2, unavailableReplicas: 1 }), 5, 'waiting', '2 of 3 updated replicas are available (1 unavailable)'],
    ['complete', d({}), 5, 'done', 'deployment "docsift" successfully rolled out'],
    ['spec.replicas unset: no updated-count check', d({ specReplicas: null, updatedReplicas: 1, replicas: 1, availableReplicas: 1 }), 5, 'done', 'successfully rolled out'],
    ['scaled to zero is complete', d({ specReplicas: 0, replicas: 0, updatedReplicas: 0, availableReplicas: 0 }), 5, 'done', 'successfully rolled out'],
  ] as const)('%s', (_name, snapshot, since, state, message) => {
    const status = rolloutStatus(snapshot, since);
    expect(status.state).toBe(state);
    expect(status.message).toContain(message);
  });
});

describe('restart patch', () => {
  it('sets the restartedAt pod-template annotation, RFC 3339 without fractions, as kubectl does', () => {
    const at = new Date('2026-11-23T11:05:07.123Z');
    expect(rfc3339(at)).toBe('2026-11-23T11:05:07Z');
    expect(restartPatch(at)).toEqual({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-23T11:05:07Z' } } } } });
  });
});
