import type { DeploymentSnapshot } from '../domain/rollout-status.js';

/** The Kubernetes Deployment calls of `docsift restart`. */
export interface DeploymentRollout {
  /** Patches spec.template.metadata.annotations[kubectl.kubernetes.io/restartedAt]; returns the new generation. */
  restart(namespace: string, name: string, restartedAt: Date): Promise<{ generation: number }>;
  read(namespace: string, name: string): Promise<DeploymentSnapshot>;
}
