/** The fields of a Deployment that `kubectl rollout status` reads. */
export interface DeploymentSnapshot {
  name: string;
  generation: number;
  observedGeneration: number;
  /** spec.replicas; null when unset (the API server defaults it to 1). */
  specReplicas: number | null;
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  /** Reason of the Progressing condition, e.g. NewReplicaSetAvailable or ProgressDeadlineExceeded. */
  progressingReason: string | null;
}

export type RolloutState = 'waiting' | 'done' | 'failed';

export interface RolloutStatus {
  state: RolloutState;
  message: string;
}

/**
 * The decision of kubectl's DeploymentStatusViewer, in the same order: spec observed, progress
 * deadline, new replicas updated, old replicas gone, updated replicas available. `sinceGeneration`
 * is the generation our patch produced: a read that predates it is still waiting.
 */
export function rolloutStatus(d: DeploymentSnapshot, sinceGeneration = 0): RolloutStatus {
  const name = JSON.stringify(d.name);
  if (d.generation < sinceGeneration || d.generation > d.observedGeneration) {
    return { state: 'waiting', message: `Waiting for deployment ${name} spec update to be observed...` };
  }
  if (d.progressingReason === 'ProgressDeadlineExceeded') {
    return { state: 'failed', message: `deployment ${name} exceeded its progress deadline` };
  }
  if (d.specReplicas !== null && d.updatedReplicas < d.specReplicas) {
    return {
      state: 'waiting',
      message: `Waiting for deployment ${name} rollout to finish: ${d.updatedReplicas} out of ${d.specReplicas} new replicas have been updated...`,
    };
  }
  if (d.replicas > d.updatedReplicas) {
    return {
      state: 'waiting',
      message: `Waiting for deployment ${name} rollout to finish: ${d.replicas - d.updatedReplicas} old replicas are pending termination...`,
    };
  }
  if (d.availableReplicas < d.updatedReplicas) {
    return {
      state: 'waiting',
      message: `Waiting for deployment ${name} rollout to finish: ${d.availableReplicas} of ${d.updatedReplicas} updated replicas are available (${d.unavailableReplicas} unavailable)...`,
    };
  }
  return { state: 'done', message: `deployment ${name} successfully rolled out` };
}

/** The strategic-merge patch `kubectl rollout restart` sends. */
export function restartPatch(restartedAt: Date): { spec: { template: { metadata: { annotations: Record<string, string> } } } } {
  return { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: rfc3339(restartedAt) } } } } };
}

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** RFC 3339 without fractional seconds, as kubectl writes the annotation. */
export function rfc3339(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
